import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    """The feed-forward half of a transformer block: Linear -> GELU -> Linear, two GEMMs with their bias (and the
    GELU) applied to the accumulators before the store. kc's example of a contraction schedule."""

    def __init__(self, d_model, d_hidden):
        super().__init__()
        self.up = nn.Linear(d_model, d_hidden)
        self.down = nn.Linear(d_hidden, d_model)

    def forward(self, x):
        return self.down(F.gelu(self.up(x)))


tokens = 4096
d_model = 1024
d_hidden = 4096


def get_inputs():
    return [torch.randn(tokens, d_model)]


def get_init_inputs():
    return [d_model, d_hidden]
