# The model that the planted cheats (kernels.cu beside plan.json in each folder) pretend to compute:
#   kc run examples/cheats/model.py --kernels examples/cheats/<name>
# Each folder's "expect" names the guard that must catch it ("none" for the honest control).
import torch
import torch.nn as nn


class Model(nn.Module):
    def forward(self, x, y):
        return torch.relu(x) * 2 + y


N = 1 << 20


def get_inputs():
    return [torch.rand(N), torch.rand(N)]


def get_init_inputs():
    return []
