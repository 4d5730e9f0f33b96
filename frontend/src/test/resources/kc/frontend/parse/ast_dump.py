"""CPython's ast in the text form of kc's AstDump (kc.frontend.parse.AstDump), for differential checks.

Regenerate the golden file of GoldenAstTest (CPython 3.9+):
    python3 ast_dump.py syntax_tour.py | tail -n +2 > syntax_tour.ast
Compare kc with CPython on any files:
    python3 ast_dump.py FILES... > py.dump;  java -cp ... kc.frontend.parse.AstDump FILES... > kc.dump;  diff
Columns are converted from CPython's UTF-8 byte offsets to characters, which is what kc reports. Positions inside
f-strings are left out (CPython 3.11 does not record them precisely); a *args/**kwargs parameter's position is its
'*', the first token, where CPython gives the name's.
"""
import ast, struct, sys

BIN = {ast.Add: 'ADD', ast.Sub: 'SUB', ast.Mult: 'MUL', ast.Div: 'DIV', ast.FloorDiv: 'FLOORDIV', ast.Mod: 'MOD',
       ast.Pow: 'POW', ast.MatMult: 'MATMUL', ast.LShift: 'LSHIFT', ast.RShift: 'RSHIFT', ast.BitAnd: 'BITAND',
       ast.BitOr: 'BITOR', ast.BitXor: 'BITXOR'}
UN = {ast.USub: 'NEG', ast.UAdd: 'POS', ast.Not: 'NOT', ast.Invert: 'INVERT'}
CMP = {ast.Eq: 'EQ', ast.NotEq: 'NE', ast.Lt: 'LT', ast.LtE: 'LE', ast.Gt: 'GT', ast.GtE: 'GE', ast.In: 'IN',
       ast.NotIn: 'NOT_IN', ast.Is: 'IS', ast.IsNot: 'IS_NOT'}

def q(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\': out.append('\\' + ch)
        elif o < 0x20 or o > 0x7e:
            if o > 0xffff:
                o -= 0x10000
                out.append('\\u%04x\\u%04x' % (0xd800 + (o >> 10), 0xdc00 + (o & 0x3ff)))
            else: out.append('\\u%04x' % o)
        else: out.append(ch)
    out.append('"')
    return ''.join(out)

class D:
    def __init__(self): self.f = False
    def pos(self, n, dcol=0):
        if self.f: return ''
        line = LINES[n.lineno - 1] if n.lineno - 1 < len(LINES) else b''
        col = len(line[:n.col_offset].decode('utf-8', 'surrogatepass'))  # CPython counts bytes; kc counts characters
        return '@%d:%d' % (n.lineno, col + 1 + dcol)
    def rec(self, name, n, *fields, dcol=0):
        return name + (self.pos(n, dcol) if n is not None else '') + '(' + ', '.join(fields) + ')'
    def lst(self, xs): return '[' + ', '.join(self.d(x) for x in xs) + ']'
    def val(self, v):
        if v is None: return 'NONE'
        if v is Ellipsis: return 'ELLIPSIS'
        if isinstance(v, bool): return 'True' if v else 'False'
        if isinstance(v, int): return str(v)
        if isinstance(v, float): return 'f:' + format(struct.unpack('>q', struct.pack('>d', v))[0] & 0xffffffffffffffff, 'x')
        if isinstance(v, bytes): return q(v.decode('latin-1'))
        if isinstance(v, str): return q(v)
        raise ValueError(v)
    def s(self, x): return 'null' if x is None else q(x)
    def params(self, a):
        out = []
        pos = a.posonlyargs + a.args
        defaults = [None] * (len(pos) - len(a.defaults)) + a.defaults
        for p, dflt in zip(pos, defaults):
            out.append(self.rec('Param', p, q(p.arg), 'POSITIONAL', self.d(dflt), self.d(p.annotation)))
        if a.vararg:
            out.append(self.rec('Param', a.vararg, q(a.vararg.arg), 'VARARGS', 'null', self.d(a.vararg.annotation), dcol=-1))
        for p, dflt in zip(a.kwonlyargs, a.kw_defaults):
            out.append(self.rec('Param', p, q(p.arg), 'KEYWORD_ONLY', self.d(dflt), self.d(p.annotation)))
        if a.kwarg:
            out.append(self.rec('Param', a.kwarg, q(a.kwarg.arg), 'KWARGS', 'null', self.d(a.kwarg.annotation), dcol=-2))
        return '[' + ', '.join(out) + ']'
    def clauses(self, gens):
        return '[' + ', '.join('ForClause(%s, %s, %s)' % (self.d(g.target), self.d(g.iter), self.lst(g.ifs)) for g in gens) + ']'
    def d(self, n):
        if n is None: return 'null'
        if isinstance(n, list): return self.lst(n)
        t = type(n)
        r = self.rec
        if t is ast.Expr: return r('ExprStmt', n, self.d(n.value))
        if t is ast.Assign: return r('Assign', n, self.lst(n.targets), self.d(n.value))
        if t is ast.AugAssign: return r('AugAssign', n, self.d(n.target), BIN[type(n.op)], self.d(n.value))
        if t is ast.AnnAssign: return r('AnnAssign', n, self.d(n.target), self.d(n.annotation), self.d(n.value))
        if t is ast.FunctionDef: return r('FunctionDef', n, q(n.name), self.params(n.args), self.lst(n.body), self.lst(n.decorator_list), self.d(n.returns))
        if t is ast.ClassDef: return r('ClassDef', n, q(n.name), self.lst(n.bases), self.lst(n.keywords), self.lst(n.body), self.lst(n.decorator_list))
        if t is ast.Return: return r('Return', n, self.d(n.value))
        if t is ast.If: return r('If', n, self.d(n.test), self.lst(n.body), self.lst(n.orelse))
        if t is ast.For: return r('For', n, self.d(n.target), self.d(n.iter), self.lst(n.body), self.lst(n.orelse))
        if t is ast.While: return r('While', n, self.d(n.test), self.lst(n.body), self.lst(n.orelse))
        if t is ast.Break: return r('Break', n)
        if t is ast.Continue: return r('Continue', n)
        if t is ast.Pass: return r('Pass', n)
        if t is ast.Delete: return r('Delete', n, self.lst(n.targets))
        if t is ast.Global: return r('Global', n, '[' + ', '.join(map(q, n.names)) + ']')
        if t is ast.Nonlocal: return r('Nonlocal', n, '[' + ', '.join(map(q, n.names)) + ']')
        if t is ast.Import: return r('Import', n, '[' + ', '.join('Alias(%s, %s)' % (q(a.name), self.s(a.asname)) for a in n.names) + ']')
        if t is ast.ImportFrom: return r('ImportFrom', n, self.s(n.module), '[' + ', '.join('Alias(%s, %s)' % (q(a.name), self.s(a.asname)) for a in n.names) + ']', str(n.level))
        if t is ast.Assert: return r('Assert', n, self.d(n.test), self.d(n.msg))
        if t is ast.Raise: return r('Raise', n, self.d(n.exc), self.d(n.cause))
        if t is ast.With: return r('With', n, '[' + ', '.join('WithItem(%s, %s)' % (self.d(i.context_expr), self.d(i.optional_vars)) for i in n.items) + ']', self.lst(n.body))
        if t is ast.Try: return r('Try', n, self.lst(n.body), self.lst(n.handlers), self.lst(n.orelse), self.lst(n.finalbody))
        if t is ast.ExceptHandler: return r('Handler', n, self.d(n.type), self.s(n.name), self.lst(n.body))
        if t is ast.keyword: return r('Keyword', n, self.s(n.arg), self.d(n.value))
        if t is ast.Name: return r('Name', n, q(n.id))
        if t is ast.Constant: return r('Constant', n, self.val(n.value))
        if t is ast.BinOp: return r('BinOp', n, self.d(n.left), BIN[type(n.op)], self.d(n.right))
        if t is ast.UnaryOp: return r('UnaryOp', n, UN[type(n.op)], self.d(n.operand))
        if t is ast.BoolOp: return r('BoolOp', n, 'True' if isinstance(n.op, ast.And) else 'False', self.lst(n.values))
        if t is ast.Compare: return r('Compare', n, self.d(n.left), '[' + ', '.join(CMP[type(o)] for o in n.ops) + ']', self.lst(n.comparators))
        if t is ast.Call: return r('Call', n, self.d(n.func), self.lst(n.args), '[' + ', '.join(r('Keyword', k, self.s(k.arg), self.d(k.value)) for k in n.keywords) + ']')
        if t is ast.Attribute: return r('Attribute', n, self.d(n.value), q(n.attr))
        if t is ast.Subscript: return r('Subscript', n, self.d(n.value), self.d(n.slice))
        if t is ast.Slice: return r('Slice', n, self.d(n.lower), self.d(n.upper), self.d(n.step))
        if t is ast.Tuple: return r('Tuple', n, self.lst(n.elts))
        if t is ast.List: return r('ListExpr', n, self.lst(n.elts))
        if t is ast.Set: return r('SetExpr', n, self.lst(n.elts))
        if t is ast.Dict: return r('Dict', n, self.lst(n.keys), self.lst(n.values))
        if t is ast.ListComp: return r('Comprehension', n, 'LIST', self.d(n.elt), self.clauses(n.generators))
        if t is ast.SetComp: return r('Comprehension', n, 'SET', self.d(n.elt), self.clauses(n.generators))
        if t is ast.GeneratorExp: return r('Comprehension', n, 'GENERATOR', self.d(n.elt), self.clauses(n.generators))
        if t is ast.DictComp: return r('DictComprehension', n, self.d(n.key), self.d(n.value), self.clauses(n.generators))
        if t is ast.Lambda: return r('Lambda', n, self.params(n.args), self.d(n.body))
        if t is ast.IfExp: return r('IfExp', n, self.d(n.test), self.d(n.body), self.d(n.orelse))
        if t is ast.Starred: return r('Starred', n, self.d(n.value))
        if t is ast.NamedExpr: return r('NamedExpr', n, q(n.target.id), self.d(n.value))
        if t is ast.Yield: return r('Yield', n, self.d(n.value))
        if t is ast.JoinedStr:
            head = 'JoinedStr' + self.pos(n)
            saved, self.f = self.f, True
            body = self.lst(n.values)
            self.f = saved
            return head + '(' + body + ')'
        if t is ast.FormattedValue:
            return r('FormattedValue', n, self.d(n.value), str(0 if n.conversion == -1 else n.conversion), self.d(n.format_spec))
        raise ValueError('unmapped ' + t.__name__)

for f in sys.argv[1:]:
    print('## ' + f)
    src = open(f, encoding='utf-8', errors='surrogatepass', newline='').read()
    LINES = [l.encode('utf-8', 'surrogatepass') for l in src.replace('\r\n', '\n').replace('\r', '\n').split('\n')]
    tree = ast.parse(src)
    for s in tree.body: print(D().d(s))
