import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    """A small convolutional block: conv -> batch norm (training statistics) -> Mish -> max pool,
    with a learned per-channel scale. kc's README example."""

    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
        self.bn = nn.BatchNorm2d(out_channels)
        self.scale = nn.Parameter(torch.ones(1, out_channels, 1, 1) * 0.5)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        x = self.bn(self.conv(x))
        x = F.mish(x) * self.scale
        return self.pool(x)


batch_size = 8
in_channels = 3
out_channels = 16
height = width = 32
kernel_size = 3


def get_inputs():
    return [torch.rand(batch_size, in_channels, height, width)]


def get_init_inputs():
    return [in_channels, out_channels, kernel_size]
