import torch
import torch.nn as nn


class Model(nn.Module):
    """Attention-style row softmax with a temperature and a residual: memory-bound, rows of medium length.
    kc's example for schedules: which threads reduce a row decides the time."""

    def __init__(self, temperature):
        super().__init__()
        self.temperature = temperature

    def forward(self, scores, residual):
        p = torch.softmax(scores / self.temperature, dim=-1)
        return p + residual


rows = 16384
length = 1024


def get_inputs():
    return [torch.randn(rows, length), torch.randn(rows, length)]


def get_init_inputs():
    return [2.0]
