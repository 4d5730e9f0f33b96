package kc.ir.graph;

import static kc.ir.testing.G.*;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class IndexBoundsTest {
    static String bounds(IndexExpr e, long... dims) { return IndexBounds.of(e, dims).toString(); }

    @Test
    void affineForms() {
        assertEquals("[-1, 29]", bounds(add(mul(d(0), 2), d(1), c(-1)), 15, 3));
        assertEquals("[-28, 0]", bounds(add(mul(d(0), -2), d(1)), 15, 1));
        assertEquals("[7, 7]", bounds(c(7), 4));
    }

    @Test
    void divisionAndModulo() {
        assertEquals("[0, 2]", bounds(floordiv(d(0), 4), 12));
        assertEquals("[-1, 2]", bounds(floordiv(add(d(0), c(-1)), 4), 12));
        assertEquals("[0, 3]", bounds(mod(d(0), 4), 12));
        assertEquals("[1, 2]", bounds(mod(add(d(0), c(5)), 4), 2), "inside one period the remainder is monotone");
        assertEquals("[0, 2]", bounds(mod(d(0), 8), 3), "a non-negative value bounds its remainder");
        assertEquals("[0, 3]", bounds(mod(add(d(0), c(-2)), 4), 3), "negative values wrap");
        // (e // 4) * 4 + e % 4 is e: [0, 10], not [0, 11]
        var e = add(mul(d(0), 5), d(1));
        assertEquals("[0, 10]", bounds(add(mul(floordiv(e, 4), 4), mod(e, 4)), 3, 1));
        assertEquals("[0, 10]", bounds(add(mod(e, 4), mul(floordiv(e, 4), 4)), 3, 1));
    }

    @Test
    void exactDivision() {
        IndexBounds.Interval q = IndexBounds.of(exactdiv(add(d(0), c(-1)), 2), new long[] {6});
        assertEquals("[0, 2]", q.toString(), "only exact quotients of [-1, 4] are read");
        assertFalse(q.exact());
        assertTrue(IndexBounds.of(exactdiv(add(mul(d(0), 4), c(2)), 2), new long[] {6}).exact());
        assertTrue(IndexBounds.of(exactdiv(add(d(0), d(1)), 3), new long[] {1, 1}).exact(), "a unit domain reads only 0");
        assertFalse(IndexBounds.of(exactdiv(mul(d(0), 4), 3), new long[] {6}).exact());
    }

    @Test
    void randomExpressionsStayInsideTheirBounds() {
        java.util.Random rng = new java.util.Random(5);
        long[] dims = {3, 4, 2};
        for (int trial = 0; trial < 2000; trial++) {
            IndexExpr e = kc.ir.testing.RandomIndex.expr(rng, dims.length, 3);
            IndexBounds.Interval iv = IndexBounds.of(e, dims);
            for (long a = 0; a < dims[0]; a++) for (long b = 0; b < dims[1]; b++) for (long c = 0; c < dims[2]; c++) {
                Long v = kc.ir.testing.RandomIndex.eval(e, new long[] {a, b, c});
                String what = ExprText.index(e) + " at " + a + "," + b + "," + c + " = " + v + " outside " + iv;
                if (v == null) { assertFalse(iv.exact(), "claimed exact: " + what); continue; }
                assertTrue(iv.lo() <= v && v <= iv.hi(), what);
            }
        }
    }

    @Test
    void reasonsNameTheDimAndRange() {
        assertNull(IndexBounds.outOfRangeReason(map(d(1), d(0)), Shape.of(3, 2), new long[] {2, 3}));
        String why = IndexBounds.outOfRangeReason(map(d(0), add(d(1), c(1))), Shape.of(2, 3), new long[] {2, 3});
        assertEquals("dim 1 index d1+1 ranges over [1, 3], outside [0, 3)", why);
    }
}
