import torch
import torch.nn as nn


class Model(nn.Module):
    """A ResNet-style 3x3 convolution with its ReLU: an implicit GEMM of 8 x 56 x 56 pixels by 128 channels over
    64 x 3 x 3 terms. kc's example of a convolution's contraction schedule."""

    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1)

    def forward(self, x):
        return torch.relu(self.conv(x))


batch_size = 8
in_channels = 64
out_channels = 128
size = 56


def get_inputs():
    return [torch.randn(batch_size, in_channels, size, size)]


def get_init_inputs():
    return [in_channels, out_channels]
