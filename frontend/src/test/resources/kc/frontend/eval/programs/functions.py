def f(a, b=2, *args, c, d=4, **kw):
    return a, b, args, c, d, sorted(kw.items())
def g(*args, **kwargs):
    return f(*args, **kwargs)
def pos_defaults(x, y=[]):
    y.append(x)
    return len(y)
pos_defaults(1); pos_defaults(2)
def deco(fn):
    def wrapper(*a, **k):
        return ('wrapped', fn(*a, **k))
    wrapper.__name__ = fn.__name__
    return wrapper
@deco
def decorated(v):
    return v * 2
def make_adders():
    return [lambda x, n=n: x + n for n in range(3)]
import functools
compose = functools.reduce(lambda f1, f2: (lambda x: f2(f1(x))), [lambda x: x + 1, lambda x: x * 3])
part = functools.partial(f, 1, c=9)
kw_only = lambda *, k=5: k
unpack = [*range(3), *'ab']
merged = {**{'a': 1}, 'b': 2, **{'a': 3}}
a, (b, *c), d = 1, (2, 3, 4), 5
first, *_, last = range(10)
result = (f(1, c=3), g(1, 2, 3, c=0, z=1, y=2), pos_defaults(3), decorated(4), decorated.__name__,
          [h(10) for h in make_adders()], compose(2), part(), part(d=0), kw_only(), kw_only(k=1), unpack, merged,
          (a, b, c, d), (first, last), (lambda: (yield))() is not None if False else 'no-yield-lambda')
