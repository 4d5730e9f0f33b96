class Base:
    count = 0
    def __init__(self, name, *args, **kwargs):
        Base.count += 1
        self.name = name
        self.args = args
        self.kwargs = kwargs
    def __repr__(self):
        return f'{type(self).__name__}({self.name!r})'
    def hello(self):
        return 'base ' + self.name
    @classmethod
    def create(cls, *a):
        return cls(*a)
    @staticmethod
    def helper(v):
        return v + 1
    @property
    def upper(self):
        return self.name.upper()
    @upper.setter
    def upper(self, v):
        self.name = v.lower()
class Mixin:
    def hello(self):
        return 'mixin/' + super().hello()
class Child(Mixin, Base):
    def __init__(self, name, extra=0):
        super().__init__(name, extra, flag=True)
        self.extra = extra
    def hello(self):
        return 'child/' + super().hello()
c = Child.create('Ann', 3)
c.upper = 'BOB'
class Counter:
    def __init__(self):
        self.items = {}
    def __getitem__(self, k):
        return self.items.get(k, 0)
    def __setitem__(self, k, v):
        self.items[k] = v
    def __len__(self):
        return len(self.items)
    def __iter__(self):
        return iter(sorted(self.items))
    def __contains__(self, k):
        return k in self.items
    def __bool__(self):
        return bool(self.items)
    def __eq__(self, other):
        return isinstance(other, Counter) and self.items == other.items
    def __lt__(self, other):
        return len(self) < len(other)
    def __add__(self, other):
        r = Counter()
        for k in list(self) + list(other):
            r[k] = self[k] + other[k]
        return r
    def __radd__(self, other):
        return self if other == 0 else NotImplemented
a = Counter(); a['x'] += 2; a['y'] = 1
b = Counter(); b['x'] = 5
s = sum([a, b])
class Getattr:
    def __init__(self):
        self.real = 1
    def __getattr__(self, name):
        return 'dyn:' + name
g = Getattr()
class Single:
    _inst = None
    def __new__(cls, *args):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
            cls._inst.calls = 0
        return cls._inst
    def __init__(self, v):
        self.calls += 1
        self.v = v
s1 = Single(1)
s2 = Single(2)
result = (repr(c), c.hello(), c.args, c.kwargs, c.upper, c.name, Base.count, Child.helper(1),
          [k.__name__ for k in Child.__mro__], isinstance(c, Mixin), issubclass(Child, Base),
          list(s), s['x'], len(s), 'y' in s, bool(Counter()), a == b, a < s, sorted([s, a, b], key=len) == [b, a, s],
          g.real, g.other, getattr(g, 'z', None), hasattr(g, 'anything'), s1 is s2, s1.calls, s1.v)
