package kc.ir.interp;

import static kc.ir.testing.G.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.Op;
import kc.ir.graph.Shape;
import kc.ir.graph.Value;
import kc.ir.testing.RandomIndex;

/**
 * Random index maps (affine, divisions of affine forms, nested divisions) read through the interpreter agree
 * with a direct evaluation written here: the interpreter's incremental offsets, slots and general fallback must
 * all compute the same reads, including pads for out-of-range and inexact reads, under reductions too.
 */
class IndexMapFuzzTest {
    static final long[] SRC = {5, 7};      // the operand's shape
    static final long[] DOM = {3, 4, 2};   // result dims 3, 4; reduction dim 2

    @Test
    void randomMapsAgreeWithDirectEvaluation() {
        Random rng = new Random(11);
        double[] src = new double[(int) (SRC[0] * SRC[1])];
        for (int i = 0; i < src.length; i++) src[i] = i + 1;
        for (int trial = 0; trial < 300; trial++) {
            IndexExpr e0 = RandomIndex.expr(rng, DOM.length, 3), e1 = RandomIndex.expr(rng, DOM.length, 3);
            GraphBuilder b = new GraphBuilder("fuzz");
            Value x = b.input("x", f32(SRC));
            Value out = b.add(new Op.Generic(Shape.of(DOM[2]), List.of(padded(-100.0, e0, e1)),
                    bin(kc.ir.graph.ScalarExpr.BinaryOp.ADD, in(0), bin(kc.ir.graph.ScalarExpr.BinaryOp.MUL, idx(2), f(1000))),
                    Op.Reduction.SUM), List.of(x), f32(DOM[0], DOM[1]), kc.ir.graph.Origin.NONE);
            HostTensor got = Interpreter.run(b.build(List.of(out)), List.of(HostTensor.ofDoubles(Shape.of(SRC), src).withType(x.type())), Map.of()).get(0);
            for (int i = 0; i < DOM[0]; i++) for (int j = 0; j < DOM[1]; j++) {
                double want = 0;
                for (int r = 0; r < DOM[2]; r++) {
                    long[] c = {i, j, r};
                    Long a = RandomIndex.eval(e0, c), bb = RandomIndex.eval(e1, c);
                    boolean inside = a != null && bb != null && a >= 0 && a < SRC[0] && bb >= 0 && bb < SRC[1];
                    want += (inside ? src[(int) (a * SRC[1] + bb)] : -100) + 1000 * r;
                }
                assertEquals(want, got.get(i, j), "trial " + trial + " map [" + kc.ir.graph.ExprText.index(e0) + ", "
                        + kc.ir.graph.ExprText.index(e1) + "] at " + i + ", " + j);
            }
        }
    }
}
