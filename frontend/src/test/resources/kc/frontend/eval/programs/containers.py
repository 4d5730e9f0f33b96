import math
import itertools
import collections
from typing import List, Dict, Optional
d = collections.OrderedDict()
d['z'] = 1
d['a'] = 2
d.update(b=3)
d.setdefault('a', 100)
d.pop('z')
nested = {'layers': [{'w': (1, 2)}, {'w': (3,)}]}
flat = [w for layer in nested['layers'] for w in layer['w']]
m = [[0] * 3 for _ in range(2)]
m[1][2] = 5
alias = [[0] * 3] * 2
alias[0][0] = 9
t = tuple(range(5))
lst = list(t)
lst[1:3] = ['x']
del lst[-1]
lst.insert(-1, 'ins')
s = set('hello') & set('world')
prod = list(itertools.product([1, 2], 'ab'))
chained = list(itertools.chain([1], (2, 3)))
acc = list(itertools.accumulate([1, 2, 3]))
pairs = sorted({3: 'c', 1: 'a', 2: 'b'}.items(), key=lambda kv: kv[1], reverse=True)
def annotated(x: List[int], y: Optional[Dict[str, int]] = None) -> int:
    return sum(x)
result = (list(d.items()), flat, m, alias, lst, sorted(s), prod, chained, acc, pairs, annotated([1, 2]),
          math.floor(-2.5), math.ceil(2.1), math.gcd(12, 18), round(math.log(8, 2), 6), math.isclose(0.1 + 0.2, 0.3),
          str(math.pi)[:6], math.prod([2, 3, 4]), math.sqrt(2) ** 2 == 2, int(math.inf > 1e308),
          list(zip(*[(1, 'a'), (2, 'b')])), dict.fromkeys('ab', 0), [1, 2, 3][::-2], 'x'.join('abc'),
          list(map(str, range(3))), len({1: 2}), 2 in {1: 2}, list(reversed([1, 2])), min([3, 1, 2]), t.index(3))
Point = collections.namedtuple('Point', 'x y')
Out = collections.namedtuple('Out', ['logits', 'aux'], defaults=[None])
p = Point(1, y=2)
px, py = p
o = Out(3)
result = result + (repr(p), p[0] + p.y, px + py, len(p), list(p), p == Point(1, 2), repr(o), o._asdict(), p._replace(x=5).x, p[-1])
