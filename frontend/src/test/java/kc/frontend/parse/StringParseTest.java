package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;
import org.junit.jupiter.api.Test;

/** String literals of every kind, implicit concatenation, escapes, and f-strings parsed into JoinedStr. */
class StringParseTest {
    static Object value(String src) {
        return assertInstanceOf(Expr.Constant.class, ExpressionParseTest.expr(src)).value();
    }

    static String sexp(String src) {
        return ExpressionParseTest.sexp(src);
    }

    @Test
    void quotesAndPrefixes() {
        assertEquals("abc", value("'abc'"));
        assertEquals("abc", value("\"abc\""));
        assertEquals("it's", value("\"it's\""));
        assertEquals("a\nb", value("'''a\nb'''"));
        assertEquals("say \"hi\"", value("\"\"\"say \"hi\\\"\"\"\""));
        assertEquals("", value("''"));
        assertEquals("", value("''''''"));
        assertEquals("x", value("u'x'"));
        assertEquals("\\n\\d", value("r'\\n\\d'"));
        assertEquals("\\'", value("r'\\''"));
        assertEquals("bytes", value("b'bytes'"));
        assertEquals("\u00ff\u0000", value("b'\\xff\\0'"));
        assertEquals("\\d+", value("Rb'\\d+'"));
        assertEquals("\\d+", value("bR'\\d+'"));
    }

    @Test
    void implicitConcatenation() {
        assertEquals("abcdef", value("'ab' \"cd\" '''ef'''"));
        assertEquals("a b", value("('a'\n  ' b')"));
        assertEquals("(f 'x=' {x} '!')", sexp("'x=' f'{x}' '!'"));
    }

    @Test
    void escapes() {
        assertEquals("\n\t\r\\'\"\u0007\b\f\u000b", value("'\\n\\t\\r\\\\\\'\\\"\\a\\b\\f\\v'"));
        assertEquals("A\u00e9\u20ac\uD83D\uDE00", value("'\\x41\\u00e9\\N{EURO SIGN}\\U0001F600'"));
        assertEquals("\u0000\u0007S", value("'\\0\\7\\123'"));
        assertEquals("\\d\\w", value("'\\d\\w'"));                // unknown escapes keep the backslash
        assertEquals("ab", value("'a\\\nb'"));                      // backslash-newline continues the literal
        assertEquals("\u00e9t\u00e9", value("'\u00e9t\u00e9'"));
    }

    @Test
    void fStrings() {
        assertEquals("(f 'x = ' {x})", sexp("f'x = {x}'"));
        assertEquals("(f {(add a b)} ' and ' {(. c d)})", sexp("f\"{a + b} and {c.d}\""));
        assertEquals("(f {x!r})", sexp("f'{x!r}'"));
        assertEquals("(f {x!s} {y!a})", sexp("f'{x!s}{y!a}'"));
        assertEquals("(f {x:(f '.3f')})", sexp("f'{x:.3f}'"));
        assertEquals("(f {x:(f '>' {width} '.' {prec} 'f')})", sexp("f'{x:>{width}.{prec}f}'"));
        assertEquals("(f {x!r:(f '^10')})", sexp("f'{x!r:^10}'"));
        assertEquals("(f '{literal}')", sexp("f'{{literal}}'"));
        assertEquals("(f '{' {x} '}')", sexp("f'{{{x}}}'"));
        assertEquals("(f)", sexp("f''"));
        assertEquals("(f 'x=' {x!r})", sexp("f'{x=}'"));
        assertEquals("(f 'x = ' {x!r})", sexp("f'{x = }'"));
        assertEquals("(f 'x=' {x:(f '.2f')})", sexp("f'{x=:.2f}'"));
        assertEquals("(f {(cmp a eq b)} {(cmp a ne b)} {(cmp a le b)})", sexp("f'{a == b}{a != b}{a <= b}'"));
        assertEquals("(f {(sub d 'key')})", sexp("f\"{d['key']}\""));
        assertEquals("(f {(dict 'a':1)})", sexp("f'{ {\"a\": 1} }'"));
        assertEquals("(f {(sub a (slice 1 2 _))})", sexp("f'{a[1:2]}'"));
        assertEquals("(f {(tuple a b)})", sexp("f'{a, b}'"));
        Expr.JoinedStr escaped = assertInstanceOf(Expr.JoinedStr.class, ExpressionParseTest.expr("f'a\\n{x}\\\\'"));
        assertEquals("a\n", ((Expr.Constant) escaped.parts().get(0)).value());
        assertEquals("\\", ((Expr.Constant) escaped.parts().get(2)).value());
        assertEquals("(f '\\d' {x})", sexp("rf'\\d{x}'"));
        assertEquals("(f 'line\n' {x})", sexp("f'''line\n{x}'''"));
        assertEquals("(f {(lambda (x) x)})", sexp("f'{(lambda x: x)}'"));
    }

    @Test
    void fStringExpressionPositionsPointIntoTheFile() {
        Expr.JoinedStr j = assertInstanceOf(Expr.JoinedStr.class, ExpressionParseTest.expr("f'ab {x + y}'"));
        Expr.FormattedValue fv = (Expr.FormattedValue) j.parts().get(1);
        assertEquals(new Pos(1, 1), j.pos());
        assertEquals(new Pos(1, 6), fv.pos());
        Expr.BinOp add = (Expr.BinOp) fv.value();
        assertEquals(new Pos(1, 7), add.pos());
        assertEquals(new Pos(1, 11), add.right().pos());

        Expr.JoinedStr multi = assertInstanceOf(Expr.JoinedStr.class,
                ExpressionParseTest.expr("f'''first\n  second {\nvalue}'''"));
        Expr.FormattedValue v = (Expr.FormattedValue) multi.parts().get(1);
        assertEquals(new Pos(3, 1), v.value().pos());

        Expr.JoinedStr nested = assertInstanceOf(Expr.JoinedStr.class, ExpressionParseTest.expr("f'{x:{w}}'"));
        Expr.FormattedValue outer = (Expr.FormattedValue) nested.parts().get(0);
        Expr.FormattedValue inner = (Expr.FormattedValue) ((Expr.JoinedStr) outer.formatSpec()).parts().get(0);
        assertEquals(new Pos(1, 7), inner.value().pos());
        assertNull(inner.formatSpec());
    }
}
