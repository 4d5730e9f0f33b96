package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;
import kc.frontend.ast.PyModule;
import kc.frontend.ast.Stmt;
import org.junit.jupiter.api.Test;

/** Statements, blocks and layout: imports, assignments, definitions, control flow, indentation, line endings. */
class StatementParseTest {
    static List<Stmt> parse(String src) {
        return PythonSource.parse("t.py", src).body();
    }

    static <T extends Stmt> T only(Class<T> type, String src) {
        List<Stmt> body = parse(src);
        assertEquals(1, body.size(), "one statement in " + src);
        return assertInstanceOf(type, body.get(0));
    }

    static String s(Expr e) {
        return Sexp.of(e);
    }

    @Test
    void imports() {
        Stmt.Import i = only(Stmt.Import.class, "import torch.nn as nn");
        assertEquals(List.of(new Stmt.Alias("torch.nn", "nn")), i.names());
        i = only(Stmt.Import.class, "import torch, torch.nn.functional as F, math");
        assertEquals(List.of(new Stmt.Alias("torch", null), new Stmt.Alias("torch.nn.functional", "F"),
                new Stmt.Alias("math", null)), i.names());

        Stmt.ImportFrom f = only(Stmt.ImportFrom.class, "from x.y import a as b, c");
        assertEquals("x.y", f.module());
        assertEquals(0, f.level());
        assertEquals(List.of(new Stmt.Alias("a", "b"), new Stmt.Alias("c", null)), f.names());

        f = only(Stmt.ImportFrom.class, "from . import x");
        assertNull(f.module());
        assertEquals(1, f.level());
        f = only(Stmt.ImportFrom.class, "from ..pkg.mod import (a,\n    b as c,\n)");
        assertEquals("pkg.mod", f.module());
        assertEquals(2, f.level());
        assertEquals(List.of(new Stmt.Alias("a", null), new Stmt.Alias("b", "c")), f.names());
        f = only(Stmt.ImportFrom.class, "from ... import z");
        assertEquals(3, f.level());
        f = only(Stmt.ImportFrom.class, "from .... import z");
        assertEquals(4, f.level());
        f = only(Stmt.ImportFrom.class, "from typing import *");
        assertEquals(List.of(new Stmt.Alias("*", null)), f.names());
    }

    @Test
    void assignments() {
        Stmt.Assign a = only(Stmt.Assign.class, "a = b = 1");
        assertEquals(List.of("a", "b"), a.targets().stream().map(Sexp::of).toList());
        assertEquals("1", s(a.value()));

        a = only(Stmt.Assign.class, "a, b = b, a");
        assertEquals("(tuple a b)", s(a.targets().get(0)));
        assertEquals("(tuple b a)", s(a.value()));

        a = only(Stmt.Assign.class, "(a, b), [c, *d] = x");
        assertEquals("(tuple (tuple a b) (list c *d))", s(a.targets().get(0)));
        a = only(Stmt.Assign.class, "first, *rest = xs");
        assertEquals("(tuple first *rest)", s(a.targets().get(0)));
        a = only(Stmt.Assign.class, "self.w[0], x.y = 1, 2");
        assertEquals("(tuple (sub (. self w) 0) (. x y))", s(a.targets().get(0)));
        a = only(Stmt.Assign.class, "x = *a, b");
        assertEquals("(tuple *a b)", s(a.value()));
        a = only(Stmt.Assign.class, "a, = t");
        assertEquals("(tuple a)", s(a.targets().get(0)));

        String[][] aug = {
            {"+=", "ADD"}, {"-=", "SUB"}, {"*=", "MUL"}, {"/=", "DIV"}, {"//=", "FLOORDIV"}, {"%=", "MOD"},
            {"**=", "POW"}, {"@=", "MATMUL"}, {"<<=", "LSHIFT"}, {">>=", "RSHIFT"}, {"&=", "BITAND"},
            {"|=", "BITOR"}, {"^=", "BITXOR"}};
        for (String[] op : aug) {
            Stmt.AugAssign g = only(Stmt.AugAssign.class, "x.y " + op[0] + " 2");
            assertEquals(Expr.BinOpKind.valueOf(op[1]), g.op(), op[0]);
            assertEquals("(. x y)", s(g.target()));
        }

        Stmt.AnnAssign ann = only(Stmt.AnnAssign.class, "x: int = 3");
        assertEquals("x", s(ann.target()));
        assertEquals("int", s(ann.annotation()));
        assertEquals("3", s(ann.value()));
        ann = only(Stmt.AnnAssign.class, "self.cache: Optional[Tensor]");
        assertEquals("(sub Optional Tensor)", s(ann.annotation()));
        assertNull(ann.value());
    }

    @Test
    void semicolonsSeparateStatements() {
        List<Stmt> body = parse("a = 1; b = 2;\nc = 3");
        assertEquals(3, body.size());
        assertEquals(new Pos(1, 8), body.get(1).pos());
        assertEquals(new Pos(2, 1), body.get(2).pos());
        Stmt.If i = only(Stmt.If.class, "if x: a = 1; pass");
        assertEquals(2, i.body().size());
    }

    @Test
    void functions() {
        Stmt.FunctionDef f = only(Stmt.FunctionDef.class,
                "def f(a, b: int, c=1, d: float = 2.0, /, e=3, *args, k, m=4, **kwargs) -> Tensor:\n    return a\n");
        assertEquals("f", f.name());
        assertEquals("a b:int c=1 d:float=2.0d e=3 *args kw:k kw:m=4 **kwargs", Sexp.params(f.params()));
        assertEquals("Tensor", s(f.returns()));
        assertEquals("a", s(assertInstanceOf(Stmt.Return.class, f.body().get(0)).value()));

        f = only(Stmt.FunctionDef.class, "def g(*, key):\n    pass");
        assertEquals("kw:key", Sexp.params(f.params()));
        f = only(Stmt.FunctionDef.class, "def g(\n    self,\n    x,\n):\n    return");
        assertEquals("self x", Sexp.params(f.params()));
        assertNull(((Stmt.Return) f.body().get(0)).value());
        f = only(Stmt.FunctionDef.class, "def g(*args: int, **kw: str): pass");
        assertEquals("*args:int **kw:str", Sexp.params(f.params()));
        f = only(Stmt.FunctionDef.class, "def h(): return 1, *rest");
        assertEquals("(tuple 1 *rest)", s(((Stmt.Return) f.body().get(0)).value()));
    }

    @Test
    void generators() {
        Stmt.FunctionDef f = only(Stmt.FunctionDef.class, "def g():\n    yield\n    yield 1, 2\n    x = yield y\n    z = (yield)\n");
        assertEquals("(yield _)", s(((Stmt.ExprStmt) f.body().get(0)).value()));
        assertEquals("(yield (tuple 1 2))", s(((Stmt.ExprStmt) f.body().get(1)).value()));
        assertEquals("(yield y)", s(((Stmt.Assign) f.body().get(2)).value()));
        assertEquals("(yield _)", s(((Stmt.Assign) f.body().get(3)).value()));
        // The first iterable of a comprehension runs outside it, and a lambda is a function of its own.
        f = only(Stmt.FunctionDef.class, "def g():\n    a = [x for x in (yield)]\n    b = [lambda: (yield) for x in y]\n");
        assertEquals("(listcomp x for x in (yield _))", s(((Stmt.Assign) f.body().get(0)).value()));
    }

    @Test
    void classesAndDecorators() {
        Stmt.ClassDef c = only(Stmt.ClassDef.class, "class Model(nn.Module, Mixin, metaclass=Meta):\n    x = 1\n");
        assertEquals("Model", c.name());
        assertEquals(List.of("(. nn Module)", "Mixin"), c.bases().stream().map(Sexp::of).toList());
        assertEquals("metaclass", c.keywords().get(0).name());
        assertEquals(1, c.body().size());
        assertTrue(only(Stmt.ClassDef.class, "class A: pass").bases().isEmpty());
        assertTrue(only(Stmt.ClassDef.class, "class A(): pass").bases().isEmpty());

        String src = "@torch.no_grad()\n@staticmethod\ndef f(x):\n    return x\n";
        Stmt.FunctionDef f = only(Stmt.FunctionDef.class, src);
        assertEquals(List.of("(call (. torch no_grad))", "staticmethod"), f.decorators().stream().map(Sexp::of).toList());
        assertEquals(new Pos(3, 1), f.pos());    // as in CPython: the position of 'def'
        Stmt.ClassDef dc = only(Stmt.ClassDef.class, "@dataclass\nclass C:\n    a: int = 0\n");
        assertEquals(List.of("dataclass"), dc.decorators().stream().map(Sexp::of).toList());
        assertInstanceOf(Stmt.AnnAssign.class, dc.body().get(0));
    }

    @Test
    void loops() {
        Stmt.For f = only(Stmt.For.class, "for i, (a, b) in enumerate(xs):\n    continue\nelse:\n    pass\n");
        assertEquals("(tuple i (tuple a b))", s(f.target()));
        assertEquals("(call enumerate xs)", s(f.iter()));
        assertInstanceOf(Stmt.Continue.class, f.body().get(0));
        assertInstanceOf(Stmt.Pass.class, f.orElse().get(0));

        Stmt.While w = only(Stmt.While.class, "while (n := n - 1) > 0:\n    if n == 3:\n        break\nelse:\n    done = True\n");
        assertEquals("(cmp (:= n (sub n 1)) gt 0)", s(w.test()));
        Stmt.If inner = (Stmt.If) w.body().get(0);
        assertInstanceOf(Stmt.Break.class, inner.body().get(0));
        assertEquals(1, w.orElse().size());
        assertTrue(only(Stmt.For.class, "for x in a, b: pass").iter() instanceof Expr.Tuple);
    }

    @Test
    void ifElifElseNests() {
        Stmt.If i = only(Stmt.If.class, "if a:\n    x = 1\nelif b:\n    x = 2\nelif c:\n    x = 3\nelse:\n    x = 4\n");
        assertEquals("a", s(i.test()));
        Stmt.If elif = (Stmt.If) i.orElse().get(0);
        assertEquals("b", s(elif.test()));
        assertEquals(new Pos(3, 1), elif.pos());
        Stmt.If elif2 = (Stmt.If) elif.orElse().get(0);
        assertEquals("c", s(elif2.test()));
        assertEquals("4", s(((Stmt.Assign) elif2.orElse().get(0)).value()));
        assertTrue(only(Stmt.If.class, "if a:\n    pass\n").orElse().isEmpty());
    }

    @Test
    void simpleStatements() {
        Stmt.Assert a = only(Stmt.Assert.class, "assert x.dim() == 4, f'bad {x}'");
        assertEquals("(cmp (call (. x dim)) eq 4)", s(a.test()));
        assertInstanceOf(Expr.JoinedStr.class, a.message());
        assertNull(only(Stmt.Assert.class, "assert x").message());

        Stmt.Raise r = only(Stmt.Raise.class, "raise ValueError('bad') from err");
        assertEquals("(call ValueError 'bad')", s(r.exception()));
        assertEquals("err", s(r.cause()));
        r = only(Stmt.Raise.class, "raise");
        assertNull(r.exception());

        Stmt.Delete d = only(Stmt.Delete.class, "del a, b[0], c.d");
        assertEquals(List.of("a", "(sub b 0)", "(. c d)"), d.targets().stream().map(Sexp::of).toList());
        assertEquals(List.of("(tuple a b)"), only(Stmt.Delete.class, "del (a, b)").targets().stream().map(Sexp::of).toList());

        assertEquals(List.of("a", "b"), only(Stmt.Global.class, "global a, b").names());
        Stmt.FunctionDef f = only(Stmt.FunctionDef.class, "def f():\n    nonlocal x\n");
        assertEquals(List.of("x"), ((Stmt.Nonlocal) f.body().get(0)).names());
        Stmt.FunctionDef outer = only(Stmt.FunctionDef.class, "def f():\n    x = 1\n    class C:\n        nonlocal x\n");
        assertInstanceOf(Stmt.Nonlocal.class, ((Stmt.ClassDef) outer.body().get(1)).body().get(0));
        assertInstanceOf(Stmt.Pass.class, parse("pass").get(0));
    }

    @Test
    void withAndTry() {
        Stmt.With w = only(Stmt.With.class, "with torch.no_grad(), open(p) as (a, b), lock:\n    pass\n");
        assertEquals(3, w.items().size());
        assertNull(w.items().get(0).target());
        assertEquals("(tuple a b)", s(w.items().get(1).target()));

        Stmt.Try t = only(Stmt.Try.class, "try:\n    x()\nexcept (A, B) as e:\n    pass\nexcept C:\n    pass\n"
                + "except:\n    raise\nelse:\n    y = 1\nfinally:\n    z = 2\n");
        assertEquals(3, t.handlers().size());
        assertEquals("(tuple A B)", s(t.handlers().get(0).type()));
        assertEquals("e", t.handlers().get(0).name());
        assertNull(t.handlers().get(1).name());
        assertNull(t.handlers().get(2).type());
        assertEquals(new Pos(7, 1), t.handlers().get(2).pos());
        assertEquals(1, t.orElse().size());
        assertEquals(1, t.finalBody().size());
        Stmt.Try tf = only(Stmt.Try.class, "try:\n    pass\nfinally:\n    pass\n");
        assertTrue(tf.handlers().isEmpty());
    }

    @Test
    void docstringsAndCommentsAndBlankLines() {
        String src = "\"\"\"Module doc.\"\"\"\n"
                + "# a comment\n"
                + "\n"
                + "class A:\n"
                + "    '''Class doc\n"
                + "spanning lines.'''\n"
                + "       \n"                 // blank line with odd indentation
                + "  # comment at an odd indentation\n"
                + "    def f(self):  # trailing comment\n"
                + "\n"
                + "        return 1\n"
                + "\t\n"
                + "x = 2  # end";              // no final newline
        List<Stmt> body = parse(src);
        assertEquals(3, body.size());
        assertEquals("'Module doc.'", s(((Stmt.ExprStmt) body.get(0)).value()));
        Stmt.ClassDef a = (Stmt.ClassDef) body.get(1);
        assertEquals("'Class doc\nspanning lines.'", s(((Stmt.ExprStmt) a.body().get(0)).value()));
        assertInstanceOf(Stmt.FunctionDef.class, a.body().get(1));
        assertEquals(new Pos(13, 1), body.get(2).pos());
    }

    @Test
    void lineEndingsAndMissingFinalNewline() {
        String unix = "def f(x):\n    y = (x +\n         1)\n    return y\n";
        PyModule expected = PythonSource.parse("t.py", unix);
        for (String variant : List.of(unix.replace("\n", "\r\n"), unix.replace("\n", "\r"), unix.strip(),
                unix.replace("\n", "\r\n").strip(), "\uFEFF" + unix)) {
            assertEquals(expected, PythonSource.parse("t.py", variant), variant);
        }
        assertTrue(parse("").isEmpty());
        assertTrue(parse("\n\n   \n# only a comment").isEmpty());
    }

    @Test
    void tabsIndentAndMustBeConsistent() {
        Stmt.If i = only(Stmt.If.class, "if a:\n\tif b:\n\t\tx = 1\n\ty = 2\n");
        assertEquals(2, i.body().size());
        // 8 spaces and one tab are the same width, and the tab-as-1 widths agree as well for the next level.
        Stmt.If j = only(Stmt.If.class, "if a:\n        x = 1\n        y = 2\n");
        assertEquals(2, j.body().size());
    }

    @Test
    void deepIndentationAndNestingWithinLimits() {
        StringBuilder src = new StringBuilder();
        for (int d = 0; d < 50; d++) src.append("    ".repeat(d)).append("if x:\n");
        src.append("    ".repeat(50)).append("pass\n");
        assertEquals(1, parse(src.toString()).size());
        String nested = "(".repeat(150) + "1" + ")".repeat(150);
        assertEquals("1", Sexp.of(((Stmt.ExprStmt) parse(nested).get(0)).value()));
        String lists = "x = " + "[".repeat(150) + "]".repeat(150);
        assertEquals(1, parse(lists).size());
    }
}
