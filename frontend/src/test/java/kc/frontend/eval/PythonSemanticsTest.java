package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;

/** Python semantics of the evaluator on plain values: module-level programs and their resulting globals. */
class PythonSemanticsTest {
    static Map<String, Object> run(String src) { return ModelEvaluator.runModule("t.py", src, Map.of()); }

    static Object eval(String expr) { return run("r = " + expr + "\n").get("r"); }

    static String repr(String expr) { return (String) run("r = repr(" + expr + ")\n").get("r"); }

    static CompileError error(String src) { return assertThrows(CompileError.class, () -> run(src)); }

    @Test void arithmeticFollowsPython() {
        assertEquals(-4L, eval("-7 // 2"));
        assertEquals(1L, eval("-7 % 2"));
        assertEquals(-1L, eval("7 % -2"));
        assertEquals(3.5, eval("7 / 2"));
        assertEquals(1024L, eval("2 ** 10"));
        assertEquals(0.25, eval("2 ** -2"));
        assertEquals(2L, eval("True + True"));
        assertEquals(-4.0, eval("-7.0 // 2"));
        assertEquals(1.5, eval("-7.5 % 3"));
        assertEquals(true, eval("1 < 2 < 3"));
        assertEquals(false, eval("1 < 3 < 2"));
        assertEquals(true, eval("1 == 1.0"));
        assertEquals(6L, eval("(1 << 2) | 2"));
        assertEquals(Py.Tuple.of(-4L, 1L), eval("divmod(-7, 2)"));
        assertEquals(2L, eval("round(2.5)"));
        assertEquals(4L, eval("round(3.5)"));
        assertEquals(3L, eval("int(3.9)"));
        assertEquals(-3L, eval("int(-3.9)"));
        assertEquals(0.1 + 0.2, eval("0.1 + 0.2"));
    }

    @Test void reprMatchesPython() {
        assertEquals("1e-05", eval("repr(1e-5)"));
        assertEquals("0.0001", eval("repr(0.0001)"));
        assertEquals("1e+16", eval("repr(1e16)"));
        assertEquals("123.0", eval("repr(123.0)"));
        assertEquals("0.30000000000000004", eval("repr(0.1 + 0.2)"));
        assertEquals("(1,)", eval("repr((1,))"));
        assertEquals("[1, 'a', None, True]", eval("repr([1, 'a', None, True])"));
        assertEquals("{'a': 1}", eval("repr({'a': 1})"));
    }

    @Test void booleanOperatorsShortCircuitAndReturnOperands() {
        Map<String, Object> g = run("""
                calls = []
                def f(x):
                    calls.append(x)
                    return x
                a = f(0) and f(1)
                b = f(2) or f(3)
                c = None or 'default'
                d = 5 if a else 6
                """);
        assertEquals(0L, g.get("a"));
        assertEquals(2L, g.get("b"));
        assertEquals("default", g.get("c"));
        assertEquals(6L, g.get("d"));
        assertEquals(List.of(0L, 2L), ((Py.PyList) g.get("calls")).items);
    }

    @Test void assignmentForms() {
        Map<String, Object> g = run("""
                a = b = 3
                c, (d, e) = 1, (2, 3)
                first, *rest = [1, 2, 3, 4]
                *init, last = (1, 2, 3)
                xs = [0, 0, 0]
                xs[1] = 5
                xs[-1] += 2
                n: int = 7
                n += 1
                n *= 2
                ys = [1, 2, 3, 4, 5]
                ys[1:3] = [9]
                d2 = {}
                d2['k'] = 1
                d2['k'] += 1
                lst = [1]
                alias = lst
                lst += [2]
                t = (1,)
                t2 = t
                t += (2,)
                """);
        assertEquals(3L, g.get("a"));
        assertEquals(3L, g.get("b"));
        assertEquals(3L, g.get("e"));
        assertEquals(List.of(2L, 3L, 4L), ((Py.PyList) g.get("rest")).items);
        assertEquals(List.of(1L, 2L), ((Py.PyList) g.get("init")).items);
        assertEquals(3L, g.get("last"));
        assertEquals(List.of(0L, 5L, 2L), ((Py.PyList) g.get("xs")).items);
        assertEquals(16L, g.get("n"));
        assertEquals(List.of(1L, 9L, 4L, 5L), ((Py.PyList) g.get("ys")).items);
        assertEquals(2L, ((Py.PyDict) g.get("d2")).items.get("k"));
        assertEquals(List.of(1L, 2L), ((Py.PyList) g.get("alias")).items, "list += mutates in place");
        assertEquals(Py.Tuple.of(1L), g.get("t2"), "tuple += rebinds");
    }

    @Test void controlFlowWithElse() {
        Map<String, Object> g = run("""
                found = None
                for i in range(10):
                    if i * i > 20:
                        found = i
                        break
                else:
                    found = -1
                none = 0
                for i in range(3):
                    pass
                else:
                    none = 1
                total = 0
                k = 0
                while k < 10:
                    k += 1
                    if k % 2:
                        continue
                    total += k
                else:
                    total += 1000
                """);
        assertEquals(5L, g.get("found"));
        assertEquals(1L, g.get("none"));
        assertEquals(1030L, g.get("total"));
    }

    @Test void functionsWithDefaultsVarargsAndKeywordOnly() {
        Map<String, Object> g = run("""
                def f(a, b=2, *args, c, d=4, **kw):
                    return (a, b, args, c, d, sorted(kw.items()))
                r1 = f(1, c=3)
                r2 = f(1, 5, 6, 7, c=3, d=8, z=9, y=10)
                def g(*args, **kwargs):
                    return f(*args, **kwargs)
                r3 = g(1, c=0)
                lam = (lambda x, y=10: x + y)
                r4 = lam(1)
                r5 = lam(1, y=2)
                """);
        assertEquals(Py.Tuple.of(1L, 2L, Py.Tuple.of(), 3L, 4L, new Py.PyList(List.of())).toString(), g.get("r1").toString());
        assertEquals("(1, 5, (6, 7), 3, 8, [('y', 10), ('z', 9)])", ((Map<?, ?>) Map.of()).isEmpty() ? repr(g, "r2") : "");
        assertEquals(1L, ((Py.Tuple) g.get("r3")).items().get(0));
        assertEquals(11L, g.get("r4"));
        assertEquals(3L, g.get("r5"));
    }

    private static String repr(Map<String, Object> g, String name) {
        return new PyRuntime(ModelEvaluator.newTorchLibrary(), new kc.ir.graph.GraphBuilder("t"), "t.py").repr(g.get(name));
    }

    @Test void argumentErrorsAreTypeErrors() {
        assertTrue(error("def f(a): pass\nf()\n").getMessage().contains("missing 1 required positional argument: 'a'"));
        assertTrue(error("def f(a): pass\nf(1, 2)\n").getMessage().contains("takes 1 positional argument but 2 were given"));
        assertTrue(error("def f(a, b=1): pass\nf(1, 2, 3)\n").getMessage().contains("f() takes from 1 to 2 positional arguments but 3 were given"));
        assertTrue(error("class C:\n    def m(self): pass\nC().m(1)\n").getMessage().contains("C.m() takes 1 positional argument but 2 were given"));
        assertTrue(error("def f(a): pass\nf(b=1)\n").getMessage().contains("unexpected keyword argument 'b'"));
        assertTrue(error("def f(a): pass\nf(1, a=1)\n").getMessage().contains("multiple values for argument 'a'"));
    }

    @Test void closuresNonlocalAndGlobal() {
        Map<String, Object> g = run("""
                def counter():
                    n = 0
                    def inc():
                        nonlocal n
                        n += 1
                        return n
                    return inc
                c = counter()
                c(); c()
                r = c()
                G = 1
                def setg():
                    global G
                    G = 42
                setg()
                def late():
                    def inner():
                        return v
                    v = 'bound after def'
                    return inner()
                s = late()
                adders = [lambda x, k=k: x + k for k in range(3)]
                a = [f(10) for f in adders]
                """);
        assertEquals(3L, g.get("r"));
        assertEquals(42L, g.get("G"));
        assertEquals("bound after def", g.get("s"));
        assertEquals(List.of(10L, 11L, 12L), ((Py.PyList) g.get("a")).items);
    }

    @Test void comprehensionsHaveTheirOwnScope() {
        Map<String, Object> g = run("""
                x = 'outer'
                sq = [x * x for x in range(5) if x % 2 == 0]
                pairs = [(i, j) for i in range(3) for j in range(i)]
                d = {k: v for k, v in zip('abc', range(3))}
                s = {v % 2 for v in range(10)}
                gen = sum(v for v in range(5))
                if any((y := v) > 3 for v in range(10)):
                    pass
                nested = [[c for c in range(r)] for r in range(3)]
                """);
        assertEquals("outer", g.get("x"));
        assertEquals(List.of(0L, 4L, 16L), ((Py.PyList) g.get("sq")).items);
        assertEquals(3, ((Py.PyList) g.get("pairs")).items.size());
        assertEquals(2L, ((Py.PyDict) g.get("d")).items.get("c"));
        assertEquals(2, ((PyObjects.PySet) g.get("s")).items.size());
        assertEquals(10L, g.get("gen"));
        assertEquals(9L, g.get("y"), "walrus binds in the enclosing scope (generator runs eagerly)");
        assertEquals("[[], [0], [0, 1]]", g.get("nested").toString());
    }

    @Test void classesInheritanceSuperAndDunders() {
        Map<String, Object> g = run("""
                class Base:
                    kind = 'base'
                    def __init__(self, x):
                        self.x = x
                    def describe(self):
                        return self.kind + ':' + str(self.x)
                    @staticmethod
                    def st(a):
                        return a * 2
                    @classmethod
                    def make(cls, v):
                        return cls(v)
                    @property
                    def double(self):
                        return self.x * 2
                class Child(Base):
                    kind = 'child'
                    def __init__(self, x, y):
                        super().__init__(x)
                        self.y = y
                    def describe(self):
                        return 'C(' + super().describe() + ')'
                class Old(Base):
                    def __init__(self):
                        super(Old, self).__init__(7)
                c = Child(1, 2)
                d = c.describe()
                st = Child.st(4)
                m = Base.make(5).x
                p = c.double
                o = Old().x
                isi = isinstance(c, Base) and issubclass(Child, Base) and not isinstance(3, Base)
                class Vec:
                    def __init__(self, *xs):
                        self.xs = list(xs)
                    def __add__(self, o):
                        return Vec(*[a + b for a, b in zip(self.xs, o.xs)])
                    def __getitem__(self, i):
                        return self.xs[i]
                    def __len__(self):
                        return len(self.xs)
                    def __iter__(self):
                        return iter(self.xs)
                    def __contains__(self, v):
                        return v in self.xs
                    def __call__(self, k):
                        return self.xs[k] * 10
                    def __eq__(self, o):
                        return self.xs == o.xs
                    def __repr__(self):
                        return 'Vec' + repr(tuple(self.xs))
                v = Vec(1, 2) + Vec(10, 20)
                vi = v[1]
                vl = len(v)
                vs = sum(v)
                vc = 11 in v
                vcall = v(0)
                veq = Vec(1) == Vec(1)
                vr = repr(v)
                vu = [*v]
                """);
        assertEquals("C(child:1)", g.get("d"));
        assertEquals(8L, g.get("st"));
        assertEquals(5L, g.get("m"));
        assertEquals(2L, g.get("p"));
        assertEquals(7L, g.get("o"));
        assertEquals(true, g.get("isi"));
        assertEquals(22L, g.get("vi"));
        assertEquals(2L, g.get("vl"));
        assertEquals(33L, g.get("vs"));
        assertEquals(true, g.get("vc"));
        assertEquals(110L, g.get("vcall"));
        assertEquals(true, g.get("veq"));
        assertEquals("Vec(11, 22)", g.get("vr"));
        assertEquals("[11, 22]", g.get("vu").toString());
    }

    @Test void multipleInheritanceUsesC3() {
        Map<String, Object> g = run("""
                class A:
                    def who(self): return 'A'
                class B(A):
                    def who(self): return 'B' + super().who()
                class C(A):
                    def who(self): return 'C' + super().who()
                class D(B, C):
                    def who(self): return 'D' + super().who()
                r = D().who()
                mro = [k.__name__ for k in D.__mro__]
                """);
        assertEquals("DBCA", g.get("r"));
        assertEquals("[D, B, C, A, object]", g.get("mro").toString());
    }

    @Test void stringsAndFormatting() {
        Map<String, Object> g = run("""
                a = 3
                b = 2.5
                f1 = f"a={a}, b={b:.2f}, r={'x'!r}, w={a:>4}|{a:<3}|{a:03d}"
                f2 = "{} and {name} {0}".format(1, name='n')
                f3 = "%d-%s-%.3f" % (1, 'two', 3.14159)
                f4 = ','.join(str(i) for i in range(3))
                f5 = 'a b  c'.split()
                f6 = 'x,y'.split(',')
                f7 = 'Hello'.upper().lower().startswith('he')
                f8 = 'abc'[::-1] + 'abc'[1:]
                f9 = f"{b:e}|{1234567:,}|{0.5:%}|{2.0:g}|{1e-7:g}"
                f10 = f"{'{'}{a}{'}'}"
                """);
        assertEquals("a=3, b=2.50, r='x', w=   3|3  |003", g.get("f1"));
        assertEquals("1 and n 1", g.get("f2"));
        assertEquals("1-two-3.142", g.get("f3"));
        assertEquals("0,1,2", g.get("f4"));
        assertEquals("[a, b, c]", g.get("f5").toString());
        assertEquals("[x, y]", g.get("f6").toString());
        assertEquals(true, g.get("f7"));
        assertEquals("cbabc", g.get("f8"));
        assertEquals("2.500000e+00|1,234,567|50.000000%|2|1e-07", g.get("f9"));
        assertEquals("{3}", g.get("f10"));
    }

    @Test void containersAndBuiltins() {
        Map<String, Object> g = run("""
                l = [3, 1, 2]
                l.append(5); l.extend([0]); l.insert(0, 9)
                p = l.pop()
                s = sorted(l, reverse=True)
                l.sort(key=lambda v: -v)
                d = dict(a=1, b=2)
                d.update({'c': 3})
                keys = list(d.keys())
                got = d.get('z', 'missing')
                items = [k + str(v) for k, v in d.items()]
                e = list(enumerate('ab', start=1))
                z = list(zip([1, 2, 3], 'ab'))
                m = list(map(lambda a, b: a * b, [1, 2], [3, 4]))
                fl = list(filter(None, [0, 1, 2, 0]))
                mx = max([1, 5, 3]), min(4, 2, key=lambda v: -v), max([], default=7)
                ab = abs(-3), abs(-2.5)
                rv = list(reversed(range(3)))
                r = list(range(10, 0, -3))
                rl = len(range(0, 10, 3))
                sl = [0, 1, 2, 3, 4, 5][-2:], (0, 1, 2, 3)[::2], [0, 1, 2][5:]
                tup = tuple([1, 2]) + (3,)
                st = set([1, 2, 2, 3]) | {4}
                ln = len(st)
                cont = 2 in st and 'b' in {'a': 1, 'b': 2} and 3 in range(5)
                anyall = any([0, 0, 1]), all([1, 1, 0])
                i = int('12') + int(True) + int(2.9)
                fl2 = float('1e-3')
                ty = type(3).__name__, type(3.0) is float, type([]) == list
                ha = hasattr(d, 'keys'), hasattr(d, 'nope'), getattr(d, 'nope', 'dflt')
                cnt = [1, 1, 2].count(1), (1, 2, 3).index(2)
                dflt = {}.setdefault('k', [])
                copy = l.copy()
                nested = {'a': [1, {'b': (2, 3)}]}['a'][1]['b'][1]
                it = iter([1, 2])
                n1 = next(it); n2 = next(it); n3 = next(it, 'end')
                """);
        assertEquals(0L, g.get("p"));
        assertEquals("[9, 5, 3, 2, 1]", g.get("s").toString());
        assertEquals("[9, 5, 3, 2, 1]", g.get("l").toString());
        assertEquals("[a, b, c]", g.get("keys").toString());
        assertEquals("missing", g.get("got"));
        assertEquals("[a1, b2, c3]", g.get("items").toString());
        assertEquals("[(1, a), (2, b)]", g.get("e").toString().replace("Tuple[items=[", "(").replace("]]", ")"));
        assertEquals(2, ((Py.PyList) g.get("z")).items.size());
        assertEquals("[3, 8]", g.get("m").toString());
        assertEquals("[1, 2]", g.get("fl").toString());
        assertEquals(Py.Tuple.of(5L, 4L, 7L), g.get("mx"));
        assertEquals(Py.Tuple.of(3L, 2.5), g.get("ab"));
        assertEquals("[2, 1, 0]", g.get("rv").toString());
        assertEquals("[10, 7, 4, 1]", g.get("r").toString());
        assertEquals(4L, g.get("rl"));
        assertEquals(Py.Tuple.of(1L, 2L, 3L), g.get("tup"));
        assertEquals(4L, g.get("ln"));
        assertEquals(true, g.get("cont"));
        assertEquals(Py.Tuple.of(true, false), g.get("anyall"));
        assertEquals(15L, g.get("i"));
        assertEquals(0.001, g.get("fl2"));
        assertEquals(Py.Tuple.of("int", true, true), g.get("ty"));
        assertEquals(Py.Tuple.of(true, false, "dflt"), g.get("ha"));
        assertEquals(Py.Tuple.of(2L, 1L), g.get("cnt"));
        assertEquals(3L, g.get("nested"));
        assertEquals(1L, g.get("n1"));
        assertEquals("end", g.get("n3"));
    }

    @Test void importsOfStandardModules() {
        Map<String, Object> g = run("""
                import math
                from typing import List, Optional, Tuple
                import collections.abc
                from itertools import repeat
                from functools import reduce, partial
                import operator
                def parse(x: Optional[int]) -> Tuple[int, ...]:
                    if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
                        return tuple(x)
                    return tuple(repeat(x, 2))
                a = parse(3)
                b = parse([4, 5])
                c = math.sqrt(16.0) + math.floor(2.7) + math.ceil(2.1)
                d = reduce(operator.mul, [1, 2, 3, 4])
                e = partial(lambda a, b: a - b, 10)(3)
                pi = math.pi
                """);
        assertEquals(Py.Tuple.of(3L, 3L), g.get("a"));
        assertEquals(Py.Tuple.of(4L, 5L), g.get("b"));
        assertEquals(9.0, g.get("c"));
        assertEquals(24L, g.get("d"));
        assertEquals(7L, g.get("e"));
        assertEquals(Math.PI, g.get("pi"));
    }

    @Test void unknownModulesAreAnErrorOnlyWhereTheyAreUsed() {
        // imported, aliased, referred to in a function that never runs, a class that is never built: all fine
        Map<String, Object> g = run("""
                import json, inspect, struct
                import scipy.signal
                import argparse as ap
                from base64 import b64decode
                from torch import stft
                import torch
                def save(x):
                    return json.dumps(x)
                class Parser(ap.ArgumentParser):
                    pass
                flash = hasattr(torch, 'stft')
                lazy = torch.stft
                ok = 1
                """);
        assertEquals(1L, g.get("ok"));
        assertEquals(false, g.get("flash"), "hasattr still says what kc lacks");
        // the first use is the error, where it is, naming what is missing
        CompileError e = error("import numpy\nimport scipy.signal\n\nx = scipy.signal.convolve(1, 2)\n");
        assertTrue(e.getMessage().contains("scipy.signal.convolve is used here, and module 'scipy' is not available in kc"), e.getMessage());
        assertEquals(4, e.line());
        e = error("from base64 import b64decode\ny = 1\nz = b64decode('AA==')\n");
        assertTrue(e.getMessage().contains("base64.b64decode is used here, and module 'base64' is not available in kc"), e.getMessage());
        assertEquals(3, e.line());
        e = error("import argparse\nclass P(argparse.ArgumentParser):\n    pass\np = P()\n");
        assertTrue(e.getMessage().contains("class P subclasses argparse.ArgumentParser"), e.getMessage());
        assertEquals(4, e.line());
        e = error("import torch\nf = torch.stft\nz = f(1, 2)\n");
        assertTrue(e.getMessage().contains("torch.stft is used here, and kc does not model torch.stft"), e.getMessage());
        e = error("import json\nn = json.dumps + 1\n");
        assertTrue(e.getMessage().contains("json.dumps (module 'json' is not available in kc)"), e.getMessage());
    }

    @Test void errorsCarryUserPositions() {
        CompileError e = error("x = 1\ny = x + 'a'\n");
        assertEquals(2, e.line());
        assertEquals(5, e.column());
        assertTrue(e.getMessage().startsWith("TypeError: unsupported operand type(s) for +: 'int' and 'str'"), e.getMessage());
        e = error("def f(n):\n    assert n > 0, f'n must be positive, got {n}'\nf(-1)\n");
        assertEquals("AssertionError: n must be positive, got -1", e.getMessage());
        assertEquals(2, e.line());
        e = error("raise ValueError('bad value')\n");
        assertEquals("ValueError: bad value", e.getMessage());
        e = error("print(undefined_name)\n");
        assertTrue(e.getMessage().contains("name 'undefined_name' is not defined"));
        assertEquals(1, e.line());
        assertEquals(7, e.column());
        e = error("d = {}\nv = d['k']\n");
        assertEquals("KeyError: 'k'", e.getMessage());
        e = error("x = [1][3]\n");
        assertEquals("IndexError: list index out of range", e.getMessage());
        e = error("x = 1 / 0\n");
        assertEquals("ZeroDivisionError: division by zero", e.getMessage());
        e = error("def f(n):\n    return f(n + 1)\nf(0)\n");
        assertTrue(e.getMessage().contains("maximum recursion depth"), e.getMessage());
    }

    @Test void tryExceptFinallyAndRaise() {
        Map<String, Object> g = run("""
                log = []
                try:
                    {}['missing']
                except (IndexError, KeyError) as e:
                    log.append('caught ' + type(e).__name__)
                else:
                    log.append('else')
                finally:
                    log.append('finally')
                def f():
                    try:
                        return 'body'
                    finally:
                        log.append('f-finally')
                r = f()
                class MyError(Exception):
                    pass
                try:
                    raise MyError('custom')
                except Exception as e:
                    msg = str(e)
                with open_ctx() if False else nullcontext() as v:
                    pass
                """.replace("with open_ctx() if False else nullcontext() as v:\n    pass\n", ""));
        assertEquals("[caught KeyError, finally, f-finally]", g.get("log").toString());
        assertEquals("body", g.get("r"));
        assertEquals("custom", g.get("msg"));
    }

    @Test void withRunsEnterAndExit() {
        Map<String, Object> g = run("""
                log = []
                class Ctx:
                    def __enter__(self):
                        log.append('enter')
                        return 5
                    def __exit__(self, *a):
                        log.append('exit')
                with Ctx() as v:
                    log.append(v)
                """);
        assertEquals("[enter, 5, exit]", g.get("log").toString());
    }

    @Test void generatorsRunEagerly() {
        Map<String, Object> g = run("""
                def gen(n):
                    for i in range(n):
                        yield i * i
                r = list(gen(4))
                """);
        assertEquals("[0, 1, 4, 9]", g.get("r").toString());
    }

    @Test void deletion() {
        Map<String, Object> g = run("""
                a = 1
                del a
                l = [1, 2, 3]
                del l[0]
                d = {'x': 1, 'y': 2}
                del d['x']
                class O: pass
                o = O()
                o.v = 1
                del o.v
                h = hasattr(o, 'v')
                """);
        assertTrue(!g.containsKey("a"));
        assertEquals("[2, 3]", g.get("l").toString());
        assertEquals(1, ((Py.PyDict) g.get("d")).items.size());
        assertEquals(false, g.get("h"));
    }

    @Test void definesOverrideModuleLevelAssignments() {
        Map<String, Object> g = ModelEvaluator.runModule("t.py", """
                batch_size = 16
                dim = 4
                total = batch_size * dim
                shape = (1, 2)
                name = 'x'
                steps = 3
                steps *= 2
                width: int
                if True:
                    dim = 100
                """, Map.of("batch_size", "3", "shape", "(5, 6, 7)", "name", "'relu'", "dim", "-2.5",
                        "steps", "batch_size + 1", "width", "8"));
        assertEquals(3L, g.get("batch_size"));
        assertEquals(-7.5, g.get("total"));
        assertEquals(Py.Tuple.of(5L, 6L, 7L), g.get("shape"));
        assertEquals("relu", g.get("name"));
        assertEquals(4L, g.get("steps"), "augmented assignments bind the override too; it may name constants");
        assertEquals(8L, g.get("width"));
        assertEquals(100L, g.get("dim"), "only top-level statements are overridden, as in the PyTorch harness");
        CompileError e = assertThrows(CompileError.class,
                () -> ModelEvaluator.runModule("t.py", "a = 1\n", Map.of("batch_size", "3")));
        assertEquals("-D batch_size: no module-level assignment to batch_size", e.getMessage());
        assertEquals(1, e.line());
        e = assertThrows(CompileError.class, () -> ModelEvaluator.runModule("t.py", "a = 1\n", Map.of("a", "relu(")));
        assertTrue(e.getMessage().startsWith("-D a=relu(: the value is not a Python expression"), e.getMessage());
        e = assertThrows(CompileError.class, () -> ModelEvaluator.runModule("t.py", "x = 0\na = 1\n", Map.of("a", "relu")));
        assertEquals("-D a: NameError: name 'relu' is not defined (a string needs quotes: -D a=\"'relu'\")", e.getMessage());
        assertEquals(2, e.line());
    }

    @Test void torchDecoratorsAndGradModesAreNoOps() {
        Map<String, Object> g = run("""
                import torch
                @torch.no_grad()
                def a(x):
                    return x + 1
                @torch.no_grad
                def b(x):
                    return x + 2
                @torch.jit.ignore
                def c(x):
                    return x + 3
                @torch.some_future_decorator(flag=True)
                def d(x):
                    return x + 4
                with torch.no_grad():
                    r = a(0) + b(0) + c(0) + d(0)
                with torch.inference_mode(), torch.enable_grad():
                    r2 = 1
                """);
        assertEquals(10L, g.get("r"));
        assertEquals(1L, g.get("r2"));
        CompileError e = error("import math\n@math.nothing\ndef f(): pass\n");
        assertTrue(e.getMessage().contains("math.nothing is used here"), e.getMessage());
    }

    @Test void moduleIsImportedNotRunAsMain() {
        Map<String, Object> g = run("x = 1\nif __name__ == '__main__':\n    x = undefined_call()\nl = [1]\nalias = l\nl *= 2\n");
        assertEquals(1L, g.get("x"));
        assertEquals("t", g.get("__name__"));
        assertEquals("[1, 1]", g.get("alias").toString(), "list *= mutates in place");
    }

    @Test void sysAndOsAreInertForModels() {
        Map<String, Object> g = run("""
                import os
                import sys
                print('loading', file=sys.stderr)
                sys.stdout.write('x')
                threads = int(os.environ.get('OMP_NUM_THREADS', '4'))
                path = os.path.join('a', 'b.py')
                big = sys.maxsize > 2 ** 31
                """);
        assertEquals(4L, g.get("threads"));
        assertEquals("a/b.py", g.get("path"));
        assertEquals(true, g.get("big"));
        assertTrue(error("import random\nx = random.random()\n").getMessage().contains("'random'"));
    }
}
