package kc.ir.graph;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import kc.ir.testing.SampleGraphs;

class GraphPrinterTest {
    @Test
    void printsEveryNodeOnOneLine() {
        String want = """
                graph sample
                  input %0 x: f32[2, 3, 6, 6]
                  param %1 conv.weight: f32[4, 3, 3, 3]
                  param %2 conv.bias: f32[4]
                  %3 = generic.sum(%0, %1) f32[2, 4, 3, 3] dom[2, 4, 3, 3 | 3, 3, 3] maps(in0[d0, d4, d2*2+d5-1, d3*2+d6-1] pad 0.0, in1[d1, d4, d5, d6]) body(in0 * in1)  # conv2d#1 conv @ model.py:12:13
                  %4 = generic(%3, %2) f32[2, 4, 3, 3] dom[2, 4, 3, 3] maps(in0[d0, d1, d2, d3], in1[d1]) body(in0 + in1)  # conv2d#1 conv @ model.py:12:13
                  %5 = generic.max(%4) f32[2, 3, 3] dom[2, 3, 3 | 4] maps(in0[d0, d3, d1, d2]) body(in0)  # softmax#0 @ model.py:20:16
                  %6 = generic(%4, %5) f32[2, 4, 3, 3] dom[2, 4, 3, 3] maps(in0[d0, d1, d2, d3], in1[d0, d2, d3]) body(exp(in0 - in1))  # softmax#0 @ model.py:20:16
                  %7 = generic.max(%6) f32[2, 4, 3, 3] dom[2, 4, 3, 3 | 2, 2] maps(in0[d0, d1, d2+d4-1, d3+d5-1] pad -inf) body(in0)
                  %8 = scan.sum(%7) f32[2, 4, 3, 3] dim 1 reverse
                  %9 = generic(%8) f32[8, 9] dom[8, 9] maps(in0[(d0*9+d1)//36, (d0*9+d1)//9%4, (d0*9+d1)%9//3, (d0*9+d1)%3]) body(in0)
                  %10 = constant() f64[2, 2] [0.5, nan, inf, -0.0]
                  %11 = generic(%10) i64[2, 2] dom[2, 2] maps(in0[d0, d1]) body(d0 >= d1 && !(in0 == 0.0) ? i64((-in0) ** 2) : -1)
                  %12 = generic(%10) f64[3, 2] dom[3, 2] maps(in0[(d0+1)/2, d1] pad nan) body(in0)
                  output %9, %11, %12
                """;
        assertEquals(want, GraphPrinter.print(SampleGraphs.everything()));
    }

    @Test
    void summaryLeavesMapsAndBodiesOut() {
        String s = GraphPrinter.summary(SampleGraphs.everything());
        assertTrue(s.contains("  %3 = generic.sum(%0, %1) f32[2, 4, 3, 3]  # conv2d#1 conv @ model.py:12:13\n"), s);
        assertTrue(s.contains("  %8 = scan.sum(%7) f32[2, 4, 3, 3]\n"), s);
        assertFalse(s.contains("maps("));
        assertFalse(s.contains("body("));
    }

    @Test
    void infixFormsParenthesiseOnlyWhereNeeded() {
        var a = ScalarExpr.read(0);
        var b = ScalarExpr.read(1);
        assertEquals("in0 - in1 - (in0 - in1)", ExprText.scalar(ScalarExpr.binary(ScalarExpr.BinaryOp.SUB,
                ScalarExpr.binary(ScalarExpr.BinaryOp.SUB, a, b), ScalarExpr.binary(ScalarExpr.BinaryOp.SUB, a, b))));
        assertEquals("in0 - in1 - in0", ExprText.scalar(ScalarExpr.binary(ScalarExpr.BinaryOp.SUB,
                ScalarExpr.binary(ScalarExpr.BinaryOp.SUB, a, b), a)));
        assertEquals("in0 * (in1 + in0)", ExprText.scalar(ScalarExpr.binary(ScalarExpr.BinaryOp.MUL, a,
                ScalarExpr.binary(ScalarExpr.BinaryOp.ADD, b, a))));
        assertEquals("max(in0 + in1, 0.0)", ExprText.scalar(ScalarExpr.binary(ScalarExpr.BinaryOp.MAX,
                ScalarExpr.binary(ScalarExpr.BinaryOp.ADD, a, b), ScalarExpr.f32(0))));
        assertEquals("(d0+d1)*2", ExprText.index(IndexExpr.mul(IndexExpr.add(IndexExpr.dim(0), IndexExpr.dim(1)), 2)));
        assertEquals("d0-d1*3", ExprText.index(IndexExpr.add(IndexExpr.dim(0), IndexExpr.mul(IndexExpr.dim(1), -3))));
    }
}
