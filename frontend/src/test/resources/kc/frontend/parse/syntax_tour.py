"""Every construct kc's parser accepts, for the golden AST test (syntax_tour.ast is CPython's view of it)."""
from __future__ import annotations
import torch
import torch.nn as nn, math
import torch.nn.functional as F
from x.y import a as b, c
from . import sibling
from ..pkg import (one,
                   two as second,)
from ... import far
from .mod import *

a = b = 1
a, b = b, a
(p, q), [r, *s] = t
first, *rest = [1, 2, 3]
x = *rest, 4
x += 1; x -= 2; x *= 3; x /= 4; x //= 5; x %= 6; x **= 7
m @= w; m <<= 1; m >>= 2; m &= 3; m |= 4; m ^= 5
y: int = 3
self_cache: "Optional[Tensor]"
obj.attr[0]: float = 1.5
k, = single,


@torch.no_grad()
@staticmethod
def f(pos_only, /, normal, default=1, *args, kw_only, kw_default=2, **kwargs) -> "Tensor":
    """Docstring."""
    global counter
    def inner(a: int, b: float = 2.0, *, c) -> None:
        nonlocal kw_only
        return
    return pos_only + normal


def gen(n):
    yield
    yield n, n + 1
    v = yield n
    w = (yield)
    return [i for i in () if i] if False else None


class Model(nn.Module, Base, metaclass=Meta, **extra):
    layers: list = []

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, eps=1e-5):
        super(Model, self).__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=kernel_size // 2)
        self.scale = nn.Parameter(torch.ones(out_channels, 1, 1) * 0.5)

    def forward(self, x, *extra, mask=None, **kw):
        x = self.conv(x)
        x = x[:, None, ::2, ...]
        x = x[1:-1, ::-1, :, 0][..., 1:2:3][()][a,][*idx]
        x = -x ** 2 + 2 ** -1 - ~m + +n
        x = a @ b @ c * d / e // f % g - h << i >> j & k ^ l | o
        x = a < b <= c == d != e > f >= g in h not in i is j is not k
        x = not a and b or c and not d
        x = a if b else c if d else e
        x = lambda: 0
        x = lambda q, r=1, *s, t, u=2, **v: q + r
        x = lambda a, /, b: a
        x = (n := 10) + n
        x = f(*a, *b, c=1, **d, **e)
        x = f(g for g in h)
        x = [y * z for y in a if y if y > 1 for z in b]
        x = {y for y in a}
        x = {k: v for k, v in d.items() if v is not None}
        x = (y for y in a)
        x = [], [1, 2, 3,], (), (1,), (1, 2,), {}, {1: 2, 'a': b,}, {**a, 'k': 1}, {1, 2}, {*a, 1}, [*a, b]
        x = (a +
             b
             - c)
        x = a + \
            b
        x = None, True, False, ..., 0, 7, 1_000_000, 0x1F, 0o17, 0b1010, 0xdead_beef, 00
        x = 1.5, 1e-5, 1E5, .5, 5., 1_0.2_5, 2.5e+3, 123456789012345678901234567890
        x = 'single', "double", '''triple
single''', """triple "double" """, r'\d+\n', b'\x00\xff', rb'\d', Rb"\w", u'unicode'
        x = 'implicit' " concatenation" '''of''' """literals"""
        x = '\n\t\r\\\'\"\a\b\f\v\x41\101\u00e9\N{EURO SIGN}\U0001F600\d' 'a\
b'
        x = f'x = {x}', f"{a + b} and {c.d}", f'{x!r}', f'{x!s}{y!a}', f'{x:.3f}', f'{x:>{width}.{prec}f}'
        x = f'{x!r:^10}', f'{{literal}}', f'{{{x}}}', f'', f'{x=}', f'{x = }', f'{x=:.2f}', f"{d['key']}"
        x = f'{ {"a": 1} }', f'{a[1:2]}', f'{a, b}', rf'\d{x}', f'''line
{x}''', 'a' f'{b}' 'c', f'{(lambda q: q)(1)}'
        for i, (a, b) in enumerate(zip(p, q)):
            if i % 2:
                continue
            elif i > 10:
                break
            elif i < 0:
                pass
            else:
                x = i
        else:
            done = True
        while (n := n - 1) > 0:
            if n == 3: break
        else:
            pass
        try:
            risky()
        except (KeyError, ValueError) as err:
            raise RuntimeError("failed") from err
        except TypeError:
            raise
        except:
            pass
        else:
            ok = 1
        finally:
            del x, y[0], z.w
        try:
            pass
        finally:
            pass
        with open(path) as fh, lock, open(other) as (g, h):
            data = fh.read()
        assert x.dim() == 4, f"bad rank {x.dim()}"
        assert x
        raise
        return x


batch_size = 16
def get_inputs(): return [torch.randn(batch_size, 3, 32, 32)]
def get_init_inputs(): return [3, 8]
