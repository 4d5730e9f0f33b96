# kc's own example of the long tail (issue 14), checked against PyTorch by LongTailTest: hooks registered in
# __init__ that never run in forward (a state_dict hook that drops a buffer from the state_dict, a load_state_dict
# post-hook, a backward hook) are accepted; kc runs no hooks, and the reference exports the weights without the
# state_dict hook, under the modules' own names. A forward hook (Net(forward_hook=True)) would run in forward, which
# kc does not do: that is an error at the call that would run it.
# kc check hooks.py --entry 'Net()' --inputs '[torch.randn(3, 6)]'
import torch
import torch.nn as nn


def drop_running(module, state_dict, prefix, local_metadata):
    del state_dict[prefix + "running"]
    return state_dict


def log_grad(module, grad_input, grad_output):
    return None


class Net(nn.Module):
    def __init__(self, forward_hook=False):
        super().__init__()
        self.fc = nn.Linear(6, 4)
        self.out = nn.Linear(4, 2)
        self.register_buffer("running", torch.ones(4))
        self._register_state_dict_hook(drop_running)
        self.register_load_state_dict_post_hook(lambda module, incompatible_keys: None)
        self.handle = self.fc.register_full_backward_hook(log_grad)
        if forward_hook:
            self.out.register_forward_hook(lambda module, args, output: output * 2)

    def forward(self, x):
        h = torch.relu(self.fc(x)) * self.running
        return self.out(h)
