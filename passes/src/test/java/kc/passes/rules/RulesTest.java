package kc.passes.rules;

import static kc.ir.graph.IndexExpr.dim;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.GraphPrinter;
import kc.ir.graph.GraphVerifier;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.SourcePos;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.schedule.Accumulation;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;

/**
 * Golden before/after tests, one or more per rule, in the printed IR; every rewritten graph must also pass the
 * verifier and compute what the original computes (the reference interpreter on random inputs).
 */
class RulesTest {
    private static Origin o(String composite, int instance) { return new Origin(composite, instance, "", SourcePos.UNKNOWN); }
    private static TensorType f32(long... dims) { return TensorType.of(DType.F32, dims); }
    private static ScalarExpr in(int k) { return ScalarExpr.read(k); }
    private static ScalarExpr bin(BinaryOp op, ScalarExpr a, ScalarExpr b) { return ScalarExpr.binary(op, a, b); }
    private static IndexMap map(IndexExpr... es) { return IndexMap.of(es); }

    private static Value pointwise(GraphBuilder b, TensorType t, ScalarExpr body, List<Value> ops, Origin origin, IndexMap... maps) {
        return b.add(new Op.Generic(Shape.SCALAR, List.of(maps), body, Op.Reduction.NONE), ops, t, origin);
    }

    private static Value reduce(GraphBuilder b, TensorType t, Shape over, Op.Reduction r, ScalarExpr body, List<Value> ops, Origin origin, IndexMap... maps) {
        return b.add(new Op.Generic(over, List.of(maps), body, r), ops, t, origin);
    }

    /** Runs one rule to a fixed point, checks the result verifies and computes the same, and returns its text. */
    private static String after(Rule rule, Graph g) { return after(new RuleProgram("test", List.of(rule)), g, FusionPolicy.HEURISTIC); }

    private static String after(RuleProgram program, Graph g, FusionPolicy policy) {
        Graph out = program.run(g, policy);
        assertEquals(List.of(), GraphVerifier.verify(out), () -> GraphPrinter.print(out, true));
        assertSameResults(g, out);
        return body(out);
    }

    /** The node lines of a printed graph (declarations left out: they never change). */
    private static String body(Graph g) {
        StringBuilder sb = new StringBuilder();
        for (String line : GraphPrinter.print(g, true).split("\n"))
            if (line.startsWith("  %") || line.startsWith("  output")) sb.append(line.strip()).append('\n');
        return sb.toString();
    }

    private static void assertSameResults(Graph before, Graph after) {
        Random rnd = new Random(7);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : before.inputs()) {
            double[] data = new double[(int) v.type().shape().numel()];
            for (int i = 0; i < data.length; i++) data[i] = rnd.nextGaussian();
            inputs.add(HostTensor.of(v.type(), data));
        }
        List<HostTensor> want = Interpreter.run(before, inputs, Map.of()), got = Interpreter.run(after, inputs, Map.of());
        for (int i = 0; i < want.size(); i++)
            for (int j = 0; j < want.get(i).numel(); j++) {
                double w = want.get(i).getFlat(j), v = got.get(i).getFlat(j);
                if (Double.isNaN(w)) assertTrue(Double.isNaN(v), "output " + i + " element " + j + ": " + v + ", not NaN");
                else assertEquals(w, v, 1e-5 * (1 + Math.abs(w)), "output " + i + " element " + j);
            }
    }

    @Test void dropNeutralOperations() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(4));
        Value y = pointwise(b, f32(4), bin(BinaryOp.ADD, bin(BinaryOp.MUL, in(0), ScalarExpr.f32(1)), ScalarExpr.f32(0)), List.of(x), o("mul", 1), map(dim(0)));
        Value z = pointwise(b, f32(4), ScalarExpr.unary(UnaryOp.EXP, bin(BinaryOp.DIV, in(0), ScalarExpr.f32(1))), List.of(y), o("exp", 1), map(dim(0)));
        assertEquals("""
                %1 = generic(%0) f32[4] dom[4] maps(in0[d0]) body(in0)  # mul#1
                %2 = generic(%1) f32[4] dom[4] maps(in0[d0]) body(exp(in0))  # exp#1
                output %2
                """, after(Rules.byName("drop-neutral-operations"), b.build(List.of(z))));
    }

    @Test void integerTimesFloatOneStaysAMultiplication() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", TensorType.of(DType.I64, 3));
        Value y = pointwise(b, f32(3), bin(BinaryOp.MUL, in(0), ScalarExpr.f32(1)), List.of(x), o("mul", 1), map(dim(0)));
        String text = after(Rules.byName("drop-neutral-operations"), b.build(List.of(y)));
        assertTrue(text.contains("body(in0 * 1.0)"), text);
    }

    @Test void forwardCopy() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(2, 3));
        Value copy = pointwise(b, f32(2, 3), in(0), List.of(x), o("contiguous", 1), map(dim(0), dim(1)));
        Value e = pointwise(b, f32(2, 3), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(copy), o("exp", 1), map(dim(0), dim(1)));
        assertEquals("""
                %2 = generic(%0) f32[2, 3] dom[2, 3] maps(in0[d0, d1]) body(exp(in0))  # exp#1
                output %2
                """, after(Rules.byName("forward-copy"), b.build(List.of(e))));
    }

    @Test void foldConstants() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(4));
        Value ar = pointwise(b, f32(4), ScalarExpr.binary(BinaryOp.MUL, new ScalarExpr.Cast(DType.F32, new ScalarExpr.Index(0)), ScalarExpr.f32(2)),
                List.of(), o("arange", 1));
        Value y = pointwise(b, f32(4), bin(BinaryOp.ADD, in(0), in(1)), List.of(x, ar), o("add", 1), map(dim(0)), map(dim(0)));
        assertEquals("""
                %1 = constant() f32[4] [0.0, 2.0, 4.0, 6.0]  # arange#1
                %2 = generic(%0, %1) f32[4] dom[4] maps(in0[d0], in1[d0]) body(in0 + in1)  # add#1
                output %2
                """, after(Rules.byName("fold-constants"), b.build(List.of(y))));
    }

    @Test void shareCommonSubexpression() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(4));
        Value e1 = pointwise(b, f32(4), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(x), o("exp", 1), map(dim(0)));
        Value e2 = pointwise(b, f32(4), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(x), o("exp", 2), map(dim(0)));
        Value y = pointwise(b, f32(4), bin(BinaryOp.SUB, in(0), in(1)), List.of(e1, e2), o("sub", 1), map(dim(0)), map(dim(0)));
        assertEquals("""
                %1 = generic(%0) f32[4] dom[4] maps(in0[d0]) body(exp(in0))  # exp#1
                %3 = generic(%1, %1) f32[4] dom[4] maps(in0[d0], in1[d0]) body(in0 - in1)  # sub#1
                output %3
                """, after(Rules.byName("share-common-subexpression"), b.build(List.of(y))));
    }

    @Test void inlineViewComposesIndexMaps() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(3, 4));
        Value t = pointwise(b, f32(4, 3), in(0), List.of(x), o("transpose", 1), map(dim(1), dim(0)));
        Value s = reduce(b, f32(4), Shape.of(3), Op.Reduction.SUM, in(0), List.of(t), o("sum", 1), map(dim(0), dim(1)));
        assertEquals("""
                %2 = generic.sum(%0) f32[4] dom[4 | 3] maps(in0[d1, d0]) body(in0)  # sum#1; fused transpose#1
                output %2
                """, after(Rules.byName("inline-view"), b.build(List.of(s))));
    }

    @Test void inlineViewKeepsThePaddingOfTheView() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(4));
        Value padded = pointwise(b, f32(6), in(0), List.of(x), o("pad", 1), new IndexMap(List.of(IndexExpr.add(dim(0), IndexExpr.constant(-1))), 0.0));
        Value e = pointwise(b, f32(6), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(padded), o("exp", 1), map(dim(0)));
        assertEquals("""
                %2 = generic(%0) f32[6] dom[6] maps(in0[d0-1] pad 0.0) body(exp(in0))  # exp#1; fused pad#1
                output %2
                """, after(Rules.byName("inline-view"), b.build(List.of(e))));
    }

    @Test void inlineProducerIntoAReduction() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(2, 5));
        Value m = b.input("m", f32(2, 1));
        Value e = pointwise(b, f32(2, 5), ScalarExpr.unary(UnaryOp.EXP, bin(BinaryOp.SUB, in(0), in(1))), List.of(x, m), o("softmax", 1),
                map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        Value s = reduce(b, f32(2), Shape.of(5), Op.Reduction.SUM, in(0), List.of(e), o("softmax", 1), map(dim(0), dim(1)));
        assertEquals("""
                %3 = generic.sum(%0, %1) f32[2] dom[2 | 5] maps(in0[d0, d1], in1[d0, 0]) body(exp(in0 - in1))  # softmax#1; fused softmax#1
                output %3
                """, after(Rules.byName("inline-producer"), b.build(List.of(s))));
    }

    @Test void aProducerAContractionWouldRecomputeStays() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(8, 16));
        Value w = b.input("w", f32(4, 16));
        Value act = pointwise(b, f32(8, 16), ScalarExpr.unary(UnaryOp.TANH, in(0)), List.of(x), o("tanh", 1), map(dim(0), dim(1)));
        Value mm = reduce(b, f32(8, 4), Shape.of(16), Op.Reduction.SUM, bin(BinaryOp.MUL, in(0), in(1)), List.of(act, w), o("matmul", 1),
                map(dim(0), dim(2)), map(dim(1), dim(2)));
        Graph g = b.build(List.of(mm));
        assertEquals(body(g), after(Rules.byName("inline-producer"), g), "tanh would run 4 times per element");
    }

    @Test void fuseEpilogueBiasAndActivation() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(8, 16));
        Value w = b.input("w", f32(4, 16));
        Value bias = b.input("bias", f32(4));
        Value mm = reduce(b, f32(8, 4), Shape.of(16), Op.Reduction.SUM, bin(BinaryOp.MUL, in(0), in(1)), List.of(x, w), o("Linear", 1),
                map(dim(0), dim(2)), map(dim(1), dim(2)));
        Value add = pointwise(b, f32(8, 4), bin(BinaryOp.ADD, in(0), in(1)), List.of(mm, bias), o("Linear", 1), map(dim(0), dim(1)), map(dim(1)));
        Value relu = pointwise(b, f32(8, 4), bin(BinaryOp.MAX, in(0), ScalarExpr.f32(0)), List.of(add), o("relu", 1), map(dim(0), dim(1)));
        assertEquals("""
                %5 = generic.sum(%0, %1, %2) f32[8, 4] dom[8, 4 | 16] maps(in0[d0, d2], in1[d1, d2], in2[d1]) body(in0 * in1) epilogue(max(acc + in2, 0.0))  # Linear#1; fused Linear#1, relu#1
                output %5
                """, after(Rules.byName("fuse-epilogue"), b.build(List.of(relu))));
    }

    @Test void aReductionReadElsewhereKeepsItsStore() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(3, 5));
        Value s = reduce(b, f32(3), Shape.of(5), Op.Reduction.SUM, in(0), List.of(x), o("sum", 1), map(dim(0), dim(1)));
        Value l = pointwise(b, f32(3), ScalarExpr.unary(UnaryOp.LOG, in(0)), List.of(s), o("log", 1), map(dim(0)));
        Graph g = b.build(List.of(l, s));
        assertEquals(body(g), after(Rules.byName("fuse-epilogue"), g));
    }

    /** logsumexp as the frontend writes it: max, a guard, exp-sum, log + max: two kernels after fusion. */
    @Test void logsumexpFusesToTwoGroups() {
        GraphBuilder b = new GraphBuilder("g");
        Origin lse = o("logsumexp", 1);
        Value x = b.input("x", f32(4, 6));
        Value max = reduce(b, f32(4, 1), Shape.of(6), Op.Reduction.MAX, in(0), List.of(x), lse, map(dim(0), dim(2)));
        Value guard = pointwise(b, f32(4, 1), new ScalarExpr.Select(bin(BinaryOp.EQ, ScalarExpr.unary(UnaryOp.ABS, in(0)), ScalarExpr.f32(Double.POSITIVE_INFINITY)),
                ScalarExpr.f32(0), in(0)), List.of(max), lse, map(dim(0), IndexExpr.constant(0)));
        Value e = pointwise(b, f32(4, 6), ScalarExpr.unary(UnaryOp.EXP, bin(BinaryOp.SUB, in(0), in(1))), List.of(x, guard), lse,
                map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        Value sum = reduce(b, f32(4), Shape.of(6), Op.Reduction.SUM, in(0), List.of(e), lse, map(dim(0), dim(1)));
        Value m = pointwise(b, f32(4), in(0), List.of(guard), lse, map(dim(0), IndexExpr.constant(0)));
        Value out = pointwise(b, f32(4), bin(BinaryOp.ADD, ScalarExpr.unary(UnaryOp.LOG, in(0)), in(1)), List.of(sum, m), lse, map(dim(0)), map(dim(0)));
        Graph g = b.build(List.of(out));
        String fused = after(Rules.CANONICALISE, g, FusionPolicy.HEURISTIC);
        Graph canon = Rules.canonicalise(g);
        assertEquals("""
                %7 = generic.max(%0) f32[4, 1] dom[4, 1 | 6] maps(in0[d0, d2]) body(in0) epilogue(abs(acc) == inf ? 0.0 : acc)  # logsumexp#1; fused logsumexp#1
                %11 = generic.sum(%0, %7) f32[4] dom[4 | 6] maps(in0[d0, d1], in1[d0, 0]) body(exp(in0 - in1)) epilogue(log(acc) + in1)  # logsumexp#1; fused logsumexp#1, logsumexp#1, logsumexp#1
                output %11
                """.replace("%7", "%" + (g.nodes().get(1).result().id())).replace("%11", "%" + out.id()),
                after(Rules.FUSE, canon, FusionPolicy.HEURISTIC), fused);
    }

    @Test void scheduleMembersRestrictFusion() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(3, 5));
        Value s = reduce(b, f32(3), Shape.of(5), Op.Reduction.SUM, in(0), List.of(x), o("sum", 1), map(dim(0), dim(1)));
        Value l = pointwise(b, f32(3), ScalarExpr.unary(UnaryOp.LOG, in(0)), List.of(s), o("log", 1), map(dim(0)));
        Graph g = b.build(List.of(l));
        GroupSchedule apart = new GroupSchedule("sum#1", List.of("sum#1"), Strategy.POINTWISE, 256, 1, 1, Accumulation.DOUBLE, 1);
        Graph kept = Rules.fuse(g, new Schedule(List.of(apart)));
        assertEquals(2, kept.nodes().size(), "the schedule lists sum#1 alone: log#1 is not fused into it");
        Graph fused = Rules.fuse(g, new Schedule(List.of(apart.withMembers(List.of("sum#1", "log#1")))));
        assertEquals(1, fused.nodes().size());
        assertEquals(1, Rules.fuse(g, Schedule.EMPTY).nodes().size(), "without directives the heuristics fuse");
    }

    /** softmax as the frontend writes it: max, exp(x - max), sum, divide. */
    private static Graph softmax(DType dtype) {
        GraphBuilder b = new GraphBuilder("g");
        Origin sm = o("softmax", 1);
        TensorType rows = TensorType.of(dtype, 4, 1), full = TensorType.of(dtype, 4, 6);
        Value x = b.input("x", full);
        Value max = reduce(b, rows, Shape.of(6), Op.Reduction.MAX, in(0), List.of(x), sm, map(dim(0), dim(2)));
        Value e = pointwise(b, full, ScalarExpr.unary(UnaryOp.EXP, bin(BinaryOp.SUB, in(0), in(1))), List.of(x, max), sm,
                map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        Value sum = reduce(b, rows, Shape.of(6), Op.Reduction.SUM, in(0), List.of(e), sm, map(dim(0), dim(2)));
        Value y = pointwise(b, full, bin(BinaryOp.DIV, in(0), in(1)), List.of(e, sum), sm, map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        return b.build(List.of(y));
    }

    @Test void softmaxStatisticsInOnePass() {
        Graph g = softmax(DType.F32);
        assertEquals("""
                %5 = generic.max_sumexp(%0) f32[4, 1, 2] dom[4, 1, 2 | 6] maps(in0[d0, d3]) body(in0)  # softmax#1; fused softmax#1, softmax#1
                %4 = generic(%0, %5, %5) f32[4, 6] dom[4, 6] maps(in0[d0, d1], in1[d0, 0, 1], in2[d0, 0, 0]) body(exp(in0 - in2) / in1)  # softmax#1; fused softmax#1, softmax#1, softmax#1
                output %4
                """, after(Rules.FUSE, g, FusionPolicy.HEURISTIC));
    }

    @Test void narrowStatisticsStayTwoPasses() {
        String fused = after(Rules.FUSE, softmax(DType.F16), FusionPolicy.HEURISTIC);
        assertTrue(!fused.contains("max_sumexp") && fused.contains("generic.max"), fused);
    }

    /** layer norm over rows of 6: mean, (x - mean)^2 summed, rsqrt(var + eps), normalise. */
    @Test void normStatisticsByWelford() {
        GraphBuilder b = new GraphBuilder("g");
        Origin ln = o("LayerNorm", 1);
        Value x = b.input("x", f32(4, 6));
        Value sum = reduce(b, f32(4, 1), Shape.of(6), Op.Reduction.SUM, in(0), List.of(x), ln, map(dim(0), dim(2)));
        Value mean = pointwise(b, f32(4, 1), bin(BinaryOp.DIV, in(0), ScalarExpr.f32(6)), List.of(sum), ln, map(dim(0), dim(1)));
        Value d = pointwise(b, f32(4, 6), bin(BinaryOp.SUB, in(0), in(1)), List.of(x, mean), ln, map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        Value sq = reduce(b, f32(4, 1), Shape.of(6), Op.Reduction.SUM, bin(BinaryOp.POW, in(0), ScalarExpr.f32(2)), List.of(d), ln, map(dim(0), dim(2)));
        Value rstd = pointwise(b, f32(4, 1), ScalarExpr.unary(UnaryOp.RSQRT, bin(BinaryOp.ADD, bin(BinaryOp.DIV, in(0), ScalarExpr.f32(6)), ScalarExpr.f32(1e-5))),
                List.of(sq), ln, map(dim(0), dim(1)));
        Value y = pointwise(b, f32(4, 6), bin(BinaryOp.MUL, in(0), in(1)), List.of(d, rstd), ln, map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        assertEquals("""
                %7 = generic.mean_m2(%0) f32[4, 1, 2] dom[4, 1, 2 | 6] maps(in0[d0, d3]) body(in0) epilogue(d2 == 0 ? acc : rsqrt(acc / 6.0 + 1.0E-5))  # LayerNorm#1; fused LayerNorm#1, LayerNorm#1, LayerNorm#1, LayerNorm#1
                %6 = generic(%0, %7, %7) f32[4, 6] dom[4, 6] maps(in0[d0, d1], in1[d0, 0, 1], in2[d0, 0, 0]) body((in0 - in2) * in1)  # LayerNorm#1; fused LayerNorm#1, LayerNorm#1, LayerNorm#1
                output %6
                """, after(Rules.FUSE, b.build(List.of(y)), FusionPolicy.HEURISTIC));
    }

    /** log(sum) + max reads the max: that epilogue stays behind, pointwise over the two statistics. */
    @Test void anEpilogueReadingTheMaxStaysOutside() {
        GraphBuilder b = new GraphBuilder("g");
        Origin lse = o("logsumexp", 1);
        Value x = b.input("x", f32(4, 6));
        Value max = reduce(b, f32(4, 1), Shape.of(6), Op.Reduction.MAX, in(0), List.of(x), lse, map(dim(0), dim(2)));
        Value out = b.add(new Op.Generic(Shape.of(6), List.of(map(dim(0), dim(2)), map(dim(0), dim(1))),
                ScalarExpr.unary(UnaryOp.EXP, bin(BinaryOp.SUB, in(0), in(1))), Op.Reduction.SUM,
                bin(BinaryOp.ADD, ScalarExpr.unary(UnaryOp.LOG, new ScalarExpr.Reduced(DType.F32)), in(1))), List.of(x, max), f32(4, 1), lse);
        assertEquals("""
                %3 = generic.max_sumexp(%0) f32[4, 1, 2] dom[4, 1, 2 | 6] maps(in0[d0, d3]) body(in0)  # logsumexp#1; fused logsumexp#1
                %1 = generic(%3) f32[4, 1] dom[4, 1] maps(in0[d0, d1, 0]) body(in0)  # logsumexp#1
                %2 = generic(%3, %1) f32[4, 1] dom[4, 1] maps(in0[d0, d1, 1], in1[d0, d1]) body(log(in0) + in1)  # logsumexp#1
                output %2
                """, after(Rules.byName("fuse-statistics"), b.build(List.of(out))));
    }

    /** A sum of squares around something other than the mean over the same terms is two passes still. */
    @Test void squaresAroundAnotherCentreStay() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(4, 6));
        Value z = b.input("z", f32(4, 6));
        Value mean = b.add(new Op.Generic(Shape.of(6), List.of(map(dim(0), dim(2))), in(0), Op.Reduction.SUM,
                bin(BinaryOp.DIV, new ScalarExpr.Reduced(DType.F32), ScalarExpr.f32(6))), List.of(z), f32(4, 1), o("mean", 1));
        ScalarExpr dev = bin(BinaryOp.SUB, in(0), in(1));
        Value sq = reduce(b, f32(4, 1), Shape.of(6), Op.Reduction.SUM, bin(BinaryOp.MUL, dev, dev), List.of(x, mean), o("var", 1),
                map(dim(0), dim(2)), map(dim(0), dim(1)));
        Graph g = b.build(List.of(sq));
        assertEquals(body(g), after(Rules.byName("fuse-statistics"), g), "the mean is z's, the squares x's");
    }

    /** After fusion, softmax's statistics and the division reading them are one row kernel: rows of 6 fit. */
    @Test void softmaxRowsFuseIntoARowKernel() {
        Graph fused = Rules.FUSE.run(softmax(DType.F32));
        assertEquals("""
                %4 = row.generic.max_sumexp.generic(%0, %0) f32[4, 6] stats{dom[4, 1, 2 | 6] maps(in0[d0, d3]) body(in0) f32[4, 1, 2]} then{dom[4, 6] maps(in0[d0, d1], in1[d0, 0, 1], in2[d0, 0, 0]) body(exp(in0 - in2) / in1)}  # softmax#1; fused softmax#1, softmax#1, softmax#1, softmax#1, softmax#1, softmax#1
                output %4
                """, after(Rules.ROWS, fused, FusionPolicy.HEURISTIC));
    }

    /** Rows longer than fit in cache between the two passes, or statistics read elsewhere too, stay two kernels. */
    @Test void longRowsAndSharedStatisticsStayApart() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(2, FuseRowLimit.LONG));
        Value max = reduce(b, f32(2, 1), Shape.of(FuseRowLimit.LONG), Op.Reduction.MAX, in(0), List.of(x), o("amax", 1), map(dim(0), dim(2)));
        Value y = pointwise(b, f32(2, FuseRowLimit.LONG), bin(BinaryOp.SUB, in(0), in(1)), List.of(x, max), o("sub", 1),
                map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        Graph g = b.build(List.of(y));
        assertEquals(body(g), after(Rules.ROWS, g, FusionPolicy.HEURISTIC), "a row of " + FuseRowLimit.LONG);

        GraphBuilder c = new GraphBuilder("g");
        Value xs = c.input("x", f32(2, 8));
        Value m = reduce(c, f32(2, 1), Shape.of(8), Op.Reduction.MAX, in(0), List.of(xs), o("amax", 1), map(dim(0), dim(2)));
        Value z = pointwise(c, f32(2, 8), bin(BinaryOp.SUB, in(0), in(1)), List.of(xs, m), o("sub", 1), map(dim(0), dim(1)), map(dim(0), IndexExpr.constant(0)));
        Graph shared = c.build(List.of(z, m));
        assertEquals(body(shared), after(Rules.ROWS, shared, FusionPolicy.HEURISTIC), "the max is an output too");
    }

    private static final class FuseRowLimit { static final long LONG = kc.passes.rules.fusion.FuseRow.MAX_ROW * 2; }

    /*
     * A program tries a node where nothing matched again only once something its rules asked about has changed: these
     * two change it behind the node (a reader forwarded away, an earlier node rewritten), one sweep after it was tried.
     */

    @Test void aReaderForwardedAwayLetsTheOtherFuse() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(3, 5));
        Value s = reduce(b, f32(3), Shape.of(5), Op.Reduction.SUM, in(0), List.of(x), o("sum", 1), map(dim(0), dim(1)));
        Value e1 = pointwise(b, f32(3), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(s), o("exp", 1), map(dim(0)));
        Value e2 = pointwise(b, f32(3), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(s), o("exp", 2), map(dim(0)));
        Value y = pointwise(b, f32(3), bin(BinaryOp.SUB, in(0), in(1)), List.of(e1, e2), o("sub", 1), map(dim(0)), map(dim(0)));
        RuleProgram program = new RuleProgram("test", List.of(Rules.byName("share-common-subexpression"), Rules.byName("fuse-epilogue")));
        assertEquals("""
                %4 = generic.sum(%0) f32[3] dom[3 | 5] maps(in0[d0, d1]) body(in0) epilogue(exp(acc) - exp(acc))  # sum#1; fused exp#1, sub#1
                output %4
                """, after(program, b.build(List.of(y)), FusionPolicy.HEURISTIC), "exp#2 forwarded to exp#1 leaves sum#1 one reader");
    }

    @Test void aNodeRewrittenToBeAlikeIsShared() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(4));
        Value e1 = pointwise(b, f32(4), ScalarExpr.unary(UnaryOp.EXP, bin(BinaryOp.MUL, in(0), ScalarExpr.f32(1))), List.of(x), o("exp", 1), map(dim(0)));
        Value e2 = pointwise(b, f32(4), ScalarExpr.unary(UnaryOp.EXP, in(0)), List.of(x), o("exp", 2), map(dim(0)));
        Value y = pointwise(b, f32(4), bin(BinaryOp.SUB, in(0), in(1)), List.of(e1, e2), o("sub", 1), map(dim(0)), map(dim(0)));
        RuleProgram program = new RuleProgram("test", List.of(Rules.byName("drop-neutral-operations"), Rules.byName("share-common-subexpression")));
        assertEquals("""
                %1 = generic(%0) f32[4] dom[4] maps(in0[d0]) body(exp(in0))  # exp#1
                %3 = generic(%1, %1) f32[4] dom[4] maps(in0[d0], in1[d0]) body(in0 - in1)  # sub#1
                output %3
                """, after(program, b.build(List.of(y)), FusionPolicy.HEURISTIC), "exp#1 is exp#2 once its * 1 is dropped");
    }
}
