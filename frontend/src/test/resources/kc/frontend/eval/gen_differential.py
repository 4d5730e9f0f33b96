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
IDX = ['None', '0', '1', '2', '-1', '-2', '3', '-5', '7', '10', '-10']
STEP = ['None', '1', '2', '-1', '-2', '3', '-3']
for _ in range(400):
    a, b, c = random.choice(IDX), random.choice(IDX), random.choice(STEP)
    for src in ['[0, 1, 2, 3, 4, 5, 6][%s:%s:%s]' % (a, b, c), "'abcdefg'[%s:%s:%s]" % (a, b, c),
                '(0, 1, 2, 3)[%s:%s]' % (a, b), 'list(range(%s, %s, %s))' % (a, b, c if c != 'None' else 1),
                'range(%s, %s, %s)[%s]' % (random.choice(IDX[1:]), random.choice(IDX[1:]), random.choice(STEP[1:]), random.choice(IDX[1:])),
                'len(range(%s, %s, %s))' % (random.choice(IDX[1:]), random.choice(IDX[1:]), random.choice(STEP[1:])),
                '[0, 1, 2, 3, 4][%s]' % random.choice(IDX[1:]),
                '%s in range(%s, %s, %s)' % (random.choice(IDX[1:]), random.choice(IDX[1:]), random.choice(IDX[1:]), random.choice(STEP[1:]))]:
        r = check(src)
        if r is not None and src not in seen:
            seen.add(src)
            lines.append(src + '\t' + r)
STRS = ["'a,b,,c'", "'  x  y '", "'Hello World'", "''", "'a.b.c'", "'xxAxx'"]
METHODS = ['.split()', ".split(',')", ".split('.', 1)", '.strip()', '.upper()', '.lower()', '.title()',
           ".replace('x', 'y')", ".startswith('a')", ".endswith(('c', 'd'))", ".find('b')", ".count('x')",
           ".partition('.')", '.isdigit()', ".join(['1', '2'])", ".center(11, '*')", '.zfill(6)', '.capitalize()',
           ".rstrip('x')", ".lstrip(' x')", '[::-1]', '.splitlines()', ".rjust(12, '-')"]
for st in STRS:
    for m in METHODS:
        src = st + m
        r = check(src)
        if r is not None and src not in seen:
            seen.add(src)
            lines.append(src + '\t' + r)
MISC = ["sorted([3, 1, 2], reverse=True)", "sorted(['b', 'A', 'c'], key=str.lower)", "sorted([(2, 'a'), (1, 'b'), (2, 'A')])",
        "max([(1, 2), (1, 3)])", "min('hello')", "sum([0.1] * 10)", "list(zip('ab', [1, 2, 3]))", "dict(zip('ab', [1, 2]))",
        "list(enumerate([5, 6], 1))", "[x * y for x in range(3) for y in range(x)]", "{x % 3 for x in range(10)}",
        "{k: len(k) for k in ['a', 'bb']}", "list(map(abs, [-1, 2, -3]))", "list(filter(None, [0, 1, '', 'a']))",
        "any([]), all([])", "tuple(reversed((1, 2, 3)))", "[1, 2] + [3] * 2", "(1,) * 3", "'ab' * 3", "[1, [2, 3]] == [1, [2, 3]]",
        "(1, 2) < (1, 2, 0)", "[1, 2] < [1, 3]", "'abc' < 'abd'", "divmod(-7, 2)", "divmod(7, -2)", "-7 // 2, -7 % 2",
        "2 ** -1", "(-8) ** (1 / 3) if False else abs(-8) ** (1 / 3)", "round(2.675, 2)", "round(0.5), round(1.5), round(-0.5)",
        "int('-12'), int(' 7 '), float('-1e-3'), float('inf')", "str(1e16), str(1e15), str(-0.0), str(1 / 3)",
        "repr('it\\'s'), repr(\"a'b\"), repr('\\n')", "'%5.1f|%-5d|%x|%r' % (3.14159, 42, 255, 'a')",
        "'{0}{1}{0}'.format('a', 'b')", "'{:^9}|{:.2%}|{:+.1e}'.format('mid', 0.256, 12345.678)", "f'{3.0:g}|{1e20:g}|{0.0001:g}|{123456789:,}'",
        "'{a[0]}-{b.real}'.format(a=[7], b=2) if False else 'skip'", "bool([]), bool([0]), bool(''), bool(0.0), bool(None)",
        "[1, 2, 3].index(2), (1, 1, 2).count(1)", "list({'b': 1, 'a': 2})", "{'a': 1} == {'a': 1.0}", "1 == True == 1.0",
        "isinstance(True, int), isinstance(1, float), issubclass(bool, int)", "type(1 / 1).__name__, type(2 // 1).__name__",
        "max(1, 2.5, -1), min(3, 2, key=lambda v: -v)", "abs(-0.0), abs(-3)", "3 if 0 else 4 if [] else 5", "not 1 == 2",
        "0 or [] or {} or 'last'", "1 and 2 and 3", "[i for i in range(10) if i % 2][::-1]", "list(range(10))[-3:]",
        "'a b c'.split(' ', 1)", "' '.join(reversed('abc'))", "sum(range(101))", "10 ** 18 + 1", "-(2 ** 63)", "2 ** 62 * 2 - 1 + 2 ** 62 * 2 if False else 1",
        "7.0 % -3", "-7.5 // 2", "1e308 * 10", "-1e308 * 10", "float('nan') == float('nan')", "0.1 + 0.2 == 0.3",
        "5 % 3.0", "-5 % 3.0", "5.5 // -2", "int(-2.9), int(2.9)", "round(1234.5678, -2)", "round(-2.5), round(3.5)"]
for src in MISC:
    r = check(src)
    if r is not None and src not in seen:
        seen.add(src)
        lines.append(src + '\t' + r)
with open('differential.txt', 'w') as f:
    f.write('\n'.join(lines) + '\n')
print(len(lines), 'cases')
