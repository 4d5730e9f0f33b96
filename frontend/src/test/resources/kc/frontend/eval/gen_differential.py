"""Generates differential.txt: random Python expressions on plain values with CPython's repr of the result
(or the exception type name). kc's evaluator must agree (PythonDifferentialTest). Run: python3 gen_differential.py"""
import ast
import random


class TooBig(Exception):
    """An intermediate int outside 64 bits: kc's ints are 64-bit, so such cases are not compared."""


def _chk(v):
    if isinstance(v, complex):
        raise TooBig()  # kc has no complex numbers
    if type(v) is int and not -2 ** 63 <= v < 2 ** 63:
        raise TooBig()
    return v


class _Wrap(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        return ast.Call(ast.Name('_chk', ast.Load()), [node], [])

    def visit_Call(self, node):
        self.generic_visit(node)
        return ast.Call(ast.Name('_chk', ast.Load()), [node], [])

random.seed(7)
INTS = ['0', '1', '-1', '2', '-3', '7', '-7', '10', '255', '3', '-2', 'True', 'False']
FLOATS = ['0.0', '-0.0', '1.5', '-2.5', '0.1', '3.0', '1e-05', '2.5e16', '-7.25', '1e300', '0.3']
BIN = ['+', '-', '*', '/', '//', '%', '**', '<', '<=', '>', '>=', '==', '!=', '&', '|', '^', '<<', '>>', 'and', 'or']
SPECS = ['', 'd', '.2f', '>8', '<6', '^7', '+d', '08.3f', ',', 'e', '.3e', 'g', '.3g', '%', 'x', '#x', 'b', '010d', '_']


def atom(depth):
    r = random.random()
    if depth > 2 or r < 0.45:
        return random.choice(INTS if random.random() < 0.6 else FLOATS)
    if r < 0.55:
        return 'not ' + atom(depth + 1)
    if r < 0.6:
        return '-' + atom(depth + 1)
    return '(' + expr(depth + 1) + ')'


def expr(depth=0):
    e = atom(depth)
    for _ in range(random.randint(1, 2)):
        e = e + ' ' + random.choice(BIN) + ' ' + atom(depth)
    return e


def check(src):
    try:
        compile(src, '<expr>', 'eval')
    except SyntaxError:
        return None
    tree = ast.fix_missing_locations(_Wrap().visit(ast.parse(src, mode='eval')))
    try:
        v = eval(compile(tree, '<expr>', 'eval'), {'_chk': _chk})
        if isinstance(v, complex) or len(repr(v)) > 60:
            return None  # complex numbers and digits beyond 64-bit ints are outside kc's Python
        return repr(v)
    except TooBig:
        return None
    except (OverflowError, ValueError) as ex:
        if 'int' in str(ex) and 'format' not in src:
            return None  # big-int conversions: kc's ints are 64-bit
        return 'raises ' + type(ex).__name__
    except Exception as ex:
        return 'raises ' + type(ex).__name__


lines = []
seen = set()
while len(lines) < 1500:
    src = expr()
    if src in seen:
        continue
    seen.add(src)
    r = check(src)
    if r is None or len(r) > 60:
        continue
    lines.append(src + '\t' + r)
for _ in range(300):
    v = random.choice(INTS + FLOATS)
    spec = random.choice(SPECS)
    src = "format(%s, '%s')" % (v, spec)
    r = check(src)
    if r is not None:
        lines.append(src + '\t' + r)
for _ in range(200):
    a, b = random.choice(INTS + FLOATS), random.choice(INTS + FLOATS)
    for src in ['repr(%s / 7)' % a, 'round(%s, 2)' % a, 'divmod(%s, %s)' % (a, b), 'str(%s * 1e-7)' % a,
                'int(%s)' % a, 'abs(%s)' % a, 'max(%s, %s)' % (a, b), '%s if %s else %s' % (a, b, a),
                "'%%s|%%d|%%.3f' %% (%s, %s, %s)" % (a, a, b), 'f"{%s!r:>12}"' % a]:
        r = check(src)
        if r is not None and src not in seen:
            seen.add(src)
            lines.append(src + '\t' + r)
with open('differential.txt', 'w') as f:
    f.write('\n'.join(lines) + '\n')
print(len(lines), 'cases')
