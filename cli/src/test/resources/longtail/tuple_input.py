# kc's own example of the long tail (issue 14), checked against PyTorch by LongTailTest: a forward taking tuples of
# tensors (a pair of views and a nested tuple); their tensors are the graph's inputs in depth-first order on both sides.
# kc check tuple_input.py --entry 'TwoViews()' --inputs '[(torch.randn(2, 5), torch.randn(2, 5)), 0.5, (torch.randn(2, 3), (torch.rand(2),))]'
import torch
import torch.nn as nn


class TwoViews(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(5, 3)

    def forward(self, views, alpha, extra):
        first, second = views
        bias, (gate,) = extra
        za, zb = self.encoder(first), self.encoder(second)
        return (alpha * za + (1 - alpha) * zb + bias) * gate.unsqueeze(1), za - zb
