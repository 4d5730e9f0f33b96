# kc's own example of the long tail real models use (issue 14), checked against PyTorch by LongTailTest: weight tying,
# self.apply with torch.nn.init, a registered buffer written in place in forward (a KV cache), print,
# torch.jit.is_scripting, .float(), torch.finfo, .type_as, and nested outputs with None. No Model, no get_inputs:
# kc check tied_cache.py --entry 'Net()' --inputs '[torch.randn(2, 4)]'
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 4)
        self.b.weight = self.a.weight
        self.apply(self._init)
        self.register_buffer("cache", torch.zeros(2, 8, 4))

    def _init(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.normal_(m.weight, mean=0.0, std=0.02)
            torch.nn.init.zeros_(m.bias)

    def forward(self, x, pos: int = 1):
        print("tracing", x.shape)
        if not torch.jit.is_scripting():
            x = x.float()
        eps = torch.finfo(x.dtype).eps
        y = self.b(self.a(x)).type_as(x) + eps
        self.cache[:, pos] = y
        return self.cache.sum(1), (y, None)
