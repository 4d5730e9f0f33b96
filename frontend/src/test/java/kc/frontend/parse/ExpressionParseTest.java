package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.math.BigInteger;
import java.util.List;
import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;
import kc.frontend.ast.Stmt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expressions: precedence, calls, subscripts and slices, displays, comprehensions, numbers, positions. */
class ExpressionParseTest {
    static Expr expr(String src) {
        List<Stmt> body = PythonSource.parse("t.py", src).body();
        assertEquals(1, body.size(), "one statement in " + src);
        return assertInstanceOf(Stmt.ExprStmt.class, body.get(0)).value();
    }

    static String sexp(String src) {
        return Sexp.of(expr(src));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
        "a + b * c              => (add a (mul b c))",
        "a - b - c              => (sub (sub a b) c)",
        "a * b / c // d % e @ f => (matmul (mod (floordiv (div (mul a b) c) d) e) f)",
        "a @ b + c              => (add (matmul a b) c)",
        "-x ** 2                => (neg (pow x 2))",
        "a ** b ** c            => (pow a (pow b c))",
        "2 ** -1                => (pow 2 (neg 1))",
        "-a * b                 => (mul (neg a) b)",
        "~a + +b                => (add (invert a) (pos b))",
        "- - a                  => (neg (neg a))",
        "a << b + c             => (lshift a (add b c))",
        "a & b | c ^ d          => (bitor (bitand a b) (bitxor c d))",
        "a | b < c              => (cmp (bitor a b) lt c)",
        "a < b <= c == d        => (cmp a lt b le c eq d)",
        "a != b > c >= d        => (cmp a ne b gt c ge d)",
        "a in b not in c        => (cmp a in b not_in c)",
        "a is b is not c        => (cmp a is b is_not c)",
        "not a == b             => (not (cmp a eq b))",
        "not not a              => (not (not a))",
        "a and b or c and d     => (or (and a b) (and c d))",
        "a or b or c            => (or a b c)",
        "a and not b            => (and a (not b))",
        "a if b else c          => (if b a c)",
        "a if b else c if d else e => (if b a (if d c e))",
        "a or b if c or d else e => (if (or c d) (or a b) e)",
        "lambda: 0              => (lambda () 0)",
        "lambda x, y=1, *a, k, **kw: x + y => (lambda (x y=1 *a kw:k **kw) (add x y))",
        "lambda x: lambda y: x * y => (lambda (x) (lambda (y) (mul x y)))",
        "lambda *, k=1: k       => (lambda (kw:k=1) k)",
        "lambda a, /, b: a      => (lambda (a b) a)",
        "(a := 1 + 2)           => (:= a (add 1 2))",
        "f(x := 3)              => (call f (:= x 3))",
        "x.y.z                  => (. (. x y) z)",
        "f(a)(b)                => (call (call f a) b)",
        "a.b(c).d[e]            => (sub (. (call (. a b) c) d) e)",
        "f()                    => (call f)",
        "f(a, *b, c=1, **d)     => (call f a *b c=1 **d)",
        "f(*a, *b, **c, **d)    => (call f *a *b **c **d)",
        "f(a,)                  => (call f a)",
        "f(x for x in y)        => (call f (generatorcomp x for x in y))",
        "torch.cat([a, b], dim=1) => (call (. torch cat) (list a b) dim=1)",
        "x[0]                   => (sub x 0)",
        "x[-1]                  => (sub x (neg 1))",
        "x[1:2]                 => (sub x (slice 1 2 _))",
        "x[:]                   => (sub x (slice _ _ _))",
        "x[::2]                 => (sub x (slice _ _ 2))",
        "x[::]                  => (sub x (slice _ _ _))",
        "x[1:]                  => (sub x (slice 1 _ _))",
        "x[:-1]                 => (sub x (slice _ (neg 1) _))",
        "x[a:b:c]               => (sub x (slice a b c))",
        "x[::-1]                => (sub x (slice _ _ (neg 1)))",
        "x[:, None, ::2, ...]   => (sub x (tuple (slice _ _ _) None (slice _ _ 2) ...))",
        "x[..., 0]              => (sub x (tuple ... 0))",
        "x[i, j]                => (sub x (tuple i j))",
        "x[i,]                  => (sub x (tuple i))",
        "x[()]                  => (sub x (tuple))",
        "x[(i, j)]              => (sub x (tuple i j))",
        "x[*idx]                => (sub x (tuple *idx))",
        "x[:, :, 1:-1]          => (sub x (tuple (slice _ _ _) (slice _ _ _) (slice 1 (neg 1) _)))",
        "()                     => (tuple)",
        "(1,)                   => (tuple 1)",
        "(1, 2,)                => (tuple 1 2)",
        "1, 2                   => (tuple 1 2)",
        "(a)                    => a",
        "((a + b))              => (add a b)",
        "[]                     => (list)",
        "[1, 2, 3,]             => (list 1 2 3)",
        "[*a, b]                => (list *a b)",
        "{}                     => (dict)",
        "{1: 2, 'a': b,}        => (dict 1:2 'a':b)",
        "{**a, 'k': 1}          => (dict **a 'k':1)",
        "{1, 2}                 => (set 1 2)",
        "{*a, 1}                => (set *a 1)",
        "[x for x in y]         => (listcomp x for x in y)",
        "[x * y for x in a if x if x > 1 for y in b] => (listcomp (mul x y) for x in a if x if (cmp x gt 1) for y in b)",
        "{x for x in y}         => (setcomp x for x in y)",
        "{k: v for k, v in d}   => (dictcomp k:v for (tuple k v) in d)",
        "(x for x in y)         => (generatorcomp x for x in y)",
        "[a if c else b for a, b in z] => (listcomp (if c a b) for (tuple a b) in z)",
        "...                    => ...",
        "None                   => None",
        "True                   => true",
        "False                  => false",
    })
    void shape(String src, String expected) {
        assertEquals(expected, sexp(src));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = "=>", value = {
        "0          => 0",
        "7          => 7",
        "1_000_000  => 1000000",
        "0x1F       => 31",
        "0o17       => 15",
        "0b1010     => 10",
        "0xdead_beef => 3735928559",
        "00         => 0",
        "9223372036854775807 => 9223372036854775807",
        "9223372036854775808 => 9223372036854775808n",
        "0xFFFFFFFFFFFFFFFFFF => 4722366482869645213695n",
        "1.5        => 1.5d",
        "1e-5       => 1.0E-5d",
        "1E5        => 100000.0d",
        ".5         => 0.5d",
        "5.         => 5.0d",
        "1_0.2_5    => 10.25d",
        "2.5e+3     => 2500.0d",
        "1.e2       => 100.0d",
    })
    void numbers(String src, String expected) {
        assertEquals(expected, sexp(src));
    }

    @Test
    void numberValuesHaveJavaTypes() {
        assertEquals(3L, ((Expr.Constant) expr("3")).value());
        assertEquals(new BigInteger("123456789012345678901234567890"), ((Expr.Constant) expr("123456789012345678901234567890")).value());
        assertEquals(1e-5, ((Expr.Constant) expr("1e-5")).value());
    }

    @Test
    void parenthesisedExpressionsSpanLines() {
        assertEquals("(add (add a b) c)", sexp("(a +\n   b\n       + c)"));
        assertEquals("(call f 1 2 k=3)", sexp("f(\n    1,\n  2,\n        k=3,\n)"));
        assertEquals("(list 1 2)", sexp("[1,  # one\n 2]  # two"));
        assertEquals("(add a b)", sexp("a + \\\n    b"));
    }

    @Test
    void positionsAreThoseOfTheFirstTokenIncludingParentheses() {
        Expr.BinOp mul = (Expr.BinOp) expr("(a + b) * c");
        assertEquals(new Pos(1, 1), mul.pos());
        assertEquals(new Pos(1, 2), mul.left().pos());            // the inner BinOp starts at 'a'
        assertEquals(new Pos(1, 11), mul.right().pos());

        Expr.Call call = (Expr.Call) expr("  torch.relu(x, dim=1)".strip());
        assertEquals(new Pos(1, 1), call.pos());
        assertEquals(new Pos(1, 12), call.args().get(0).pos());
        assertEquals(new Pos(1, 15), call.keywords().get(0).pos());

        Expr.Subscript sub = (Expr.Subscript) expr("x[:, 1:]");
        Expr.Tuple index = (Expr.Tuple) sub.index();
        assertEquals(new Pos(1, 3), index.elements().get(0).pos());
        assertEquals(new Pos(1, 6), index.elements().get(1).pos());

        Expr.Tuple paren = (Expr.Tuple) expr("(1, 2)");
        assertEquals(new Pos(1, 1), paren.pos());
        assertEquals(new Pos(1, 2), paren.elements().get(0).pos());

        Expr.UnaryOp neg = (Expr.UnaryOp) expr("-x ** 2");
        assertEquals(new Pos(1, 1), neg.pos());
        assertEquals(new Pos(1, 2), neg.operand().pos());

        Expr.BinOp twoLines = (Expr.BinOp) expr("(a +\n\tb)");
        assertEquals(new Pos(2, 2), twoLines.right().pos());    // a tab is one column, as in CPython
    }

    @Test
    void keywordArgumentsAndStarredArgumentsKeepTheirOrder() {
        Expr.Call call = (Expr.Call) expr("f(1, *xs, a=2, **kw)");
        assertEquals(2, call.args().size());
        assertInstanceOf(Expr.Starred.class, call.args().get(1));
        assertEquals("a", call.keywords().get(0).name());
        assertEquals(null, call.keywords().get(1).name());
    }

    @Test
    void standaloneExpressions() {
        assertEquals("(add x 1)", Sexp.of(PythonSource.parseExpression("-D", "x + 1")));
        assertEquals("(tuple 1 2)", Sexp.of(PythonSource.parseExpression("-D", "  (1,\n 2)  # comment\n")));
        assertEquals(new Pos(1, 3), PythonSource.parseExpression("-D", "  [a]").pos());
        assertEquals(new Pos(2, 2), ((Expr.BinOp) PythonSource.parseExpression("-D", "(a +\n b)")).right().pos());
        kc.frontend.CompileError e = org.junit.jupiter.api.Assertions.assertThrows(kc.frontend.CompileError.class,
                () -> PythonSource.parseExpression("-D", "a +"));
        assertEquals("-D:1:4: error: invalid syntax", e.format());
        e = org.junit.jupiter.api.Assertions.assertThrows(kc.frontend.CompileError.class,
                () -> PythonSource.parseExpression("-D", "x = 1"));
        assertEquals("-D:1:3: error: invalid syntax", e.format());
        e = org.junit.jupiter.api.Assertions.assertThrows(kc.frontend.CompileError.class,
                () -> PythonSource.parseExpression("-D", "f(x))"));
        assertEquals("-D:1:5: error: unmatched ')'", e.format());
    }
}
