# kc's own example of the long tail (issue 14), checked against PyTorch by LongTailTest: einops' pack and unpack
# (class and register tokens packed around image patches, unpacked after mixing) and einops.einsum with named axes.
# The reference imports einops from ../shared/realworld/_pydeps:
# kc check einops_pack.py --entry 'Mixer()' --inputs '[torch.randn(2, 3, 4, 8)]' --path ../shared/realworld/_pydeps
import torch
import torch.nn as nn
from einops import einsum, pack, unpack


class Mixer(nn.Module):
    def __init__(self, dim=8, registers=2):
        super().__init__()
        self.cls = nn.Parameter(torch.randn(dim))
        self.registers = nn.Parameter(torch.randn(registers, dim))
        self.proj = nn.Parameter(torch.randn(dim, dim) / dim ** 0.5)

    def forward(self, image):
        b = image.shape[0]
        cls = self.cls.expand(b, -1)
        registers = self.registers.expand(b, -1, -1)
        tokens, shapes = pack([cls, image, registers], "b * d")
        q = einsum(tokens, self.proj, "batch seq d_in, d_in d_out -> batch seq d_out")
        attn = einsum(q, tokens, "b i d, b j d -> b i j").softmax(dim=-1)
        mixed = einsum(attn, tokens, "b i j, b j d -> b i d")
        cls, patches, registers = unpack(mixed, shapes, "b * d")
        return cls, patches, registers.mean(dim=1)
