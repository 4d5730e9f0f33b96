package kc.ir.graph;

import static kc.ir.graph.ScalarExpr.BinaryOp.*;
import static kc.ir.testing.G.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;

class GraphVerifierTest {
    static final Origin CONV = new Origin("conv2d", 1, "conv", new SourcePos("m.py", 12, 13));

    /** The problems of a graph whose last node is built by `last` from input x f32[2, 8]. */
    static List<String> problems(Op op, List<Value> extraOperands, TensorType type) {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", f32(2, 8));
        List<Value> operands = new java.util.ArrayList<>(List.of(x));
        operands.addAll(extraOperands);
        Value out = b.add(op, operands, type, CONV);
        return GraphVerifier.verify(b.build(List.of(out)));
    }

    static Op.Generic elementwise(ScalarExpr body, IndexMap... maps) {
        return new Op.Generic(Shape.SCALAR, List.of(maps), body, Op.Reduction.NONE);
    }

    static void assertOneProblem(List<String> problems, String... fragments) {
        assertEquals(1, problems.size(), problems.toString());
        for (String f : fragments) assertTrue(problems.get(0).contains(f), "'" + f + "' missing from: " + problems.get(0));
    }

    @Test
    void compoundReductionsStackTheirStatisticsAlongTheLastDim() {
        Op.Generic stats = new Op.Generic(Shape.of(8), List.of(map(d(0), d(2))), in(0), Op.Reduction.MEAN_M2);
        assertEquals(List.of(), problems(stats, List.of(), f32(2, 2)));
        assertOneProblem(problems(stats, List.of(), f32(2, 3)), "stacks 2 statistics along the last result dim");
        Op.Generic readsTheStatistic = new Op.Generic(Shape.of(4), List.of(map(d(0), add(d(1), d(2)))), in(0), Op.Reduction.MAX_SUMEXP);
        assertOneProblem(problems(readsTheStatistic, List.of(), f32(2, 2)), "depends on the statistics dim d1");
    }

    @Test
    void acceptsWellFormedGraphsIncludingReshapeAndConvMaps() {
        GraphBuilder b = new GraphBuilder("ok");
        Value x = b.input("x", f32(2, 3, 4));
        Value w = b.param("w", f32(5, 3, 3));
        // reshape [2,3,4] -> [4,6] through div/mod
        var flat = add(mul(d(0), 6), d(1));
        Value r = map(b, f32(4, 6), in(0), List.of(x), map(floordiv(flat, 12), mod(floordiv(flat, 4), 3), mod(flat, 4)));
        // and back to [2,3,4]: reads r[(d0*12 + d1*4 + d2) // 6, (...) % 6]
        var flat2 = add(mul(d(0), 12), mul(d(1), 4), d(2));
        Value back = map(b, f32(2, 3, 4), in(0), List.of(r), map(floordiv(flat2, 6), mod(flat2, 6)));
        // conv1d with padding 1 through a padded map, then a valid conv without padding
        Value conv = reduce(b, f32(2, 5, 4), dims(3, 3), Op.Reduction.SUM, bin(MUL, in(0), in(1)), List.of(back, w),
                padded(0.0, d(0), d(3), add(d(2), d(4), c(-1))), map(d(1), d(3), d(4)));
        Value valid = reduce(b, f32(2, 5, 2), dims(3, 3), Op.Reduction.SUM, bin(MUL, in(0), in(1)), List.of(back, w),
                map(d(0), d(3), add(d(2), d(4))), map(d(1), d(3), d(4)));
        // stride-2 gather that is provably exact: x[..., (2*d2) / 2]
        Value strided = map(b, f32(2, 3, 4), in(0), List.of(x), map(d(0), d(1), exactdiv(mul(d(2), 2), 2)));
        Value arg = reduce(b, TensorType.of(DType.I64, 2, 5), dims(4), Op.Reduction.ARGMAX, in(0), List.of(conv), map(d(0), d(1), d(2)));
        Value mask = map(b, TensorType.of(DType.BOOL, 4, 4), bin(GE, idx(0), idx(1)), List.of());
        Value scan = b.add(new Op.Scan(2, Op.Reduction.SUM, true), List.of(conv), conv.type(), Origin.NONE);
        Value k = b.add(new Op.Constant(List.of(1.0, 2.0)), List.of(), TensorType.of(DType.I64, 2), Origin.NONE);
        Graph g = b.build(List.of(valid, strided, arg, mask, scan, k));
        assertEquals(List.of(), GraphVerifier.verify(g));
        GraphVerifier.verifyOrThrow(g);
    }

    @Test
    void operandUsedBeforeItsDefinition() {
        Value ghost = new Value(99, f32(2, 8), null);
        assertOneProblem(problems(elementwise(bin(ADD, in(0), in(1)), map(d(0), d(1)), map(d(0), d(1))), List.of(ghost), f32(2, 8)),
                "%99", "not defined before use", "generic", "conv2d#1 conv @ m.py:12:13");
    }

    @Test
    void duplicateIdsAndUndefinedOutputs() {
        Value x = new Value(0, f32(2), "x");
        Node n = new Node(new Value(0, f32(2), null), elementwise(in(0), map(d(0))), List.of(x), Origin.NONE);
        List<String> p = GraphVerifier.verify(new Graph("g", List.of(x), List.of(), List.of(n), List.of(new Value(5, f32(2), null))));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).contains("reuses an id"), p.get(0));
        assertTrue(p.get(1).contains("output %5 is never defined"), p.get(1));
    }

    @Test
    void operandTypeDisagreesWithItsDefinition() {
        Value x = new Value(0, f32(2), "x");
        Value wrong = new Value(0, f32(3), "x");
        Node n = new Node(new Value(1, f32(3), null), elementwise(in(0), map(d(0))), List.of(wrong), Origin.NONE);
        assertOneProblem(GraphVerifier.verify(new Graph("g", List.of(x), List.of(), List.of(n), List.of(n.result()))),
                "does not match its definition");
    }

    @Test
    void mapCountAndRank() {
        assertOneProblem(problems(elementwise(in(0)), List.of(), f32(2, 8)), "1 operands but 0 index maps");
        assertOneProblem(problems(elementwise(in(0), map(d(0))), List.of(), f32(2, 8)), "1 indices for rank-2 operand");
    }

    @Test
    void coordinatesOutsideTheDomain() {
        assertOneProblem(problems(elementwise(in(0), map(d(0), d(2))), List.of(), f32(2, 8)), "d2 outside the rank-2 domain");
        assertOneProblem(problems(elementwise(bin(ADD, in(0), idx(3)), map(d(0), d(1))), List.of(), f32(2, 8)), "body uses d3");
    }

    @Test
    void readOfAMissingOperand() {
        assertOneProblem(problems(elementwise(bin(ADD, in(0), in(1)), map(d(0), d(1))), List.of(), f32(2, 8)),
                "body reads in1 but the node has 1 operands");
    }

    @Test
    void unpaddedReadsMustStayInRange() {
        // x[d0, d1 + 1] over [2, 8] reads column 8
        assertOneProblem(problems(elementwise(in(0), map(d(0), add(d(1), c(1)))), List.of(), f32(2, 8)),
                "map 0", "no padding", "d1+1", "[1, 8]", "outside [0, 8)", "%" /* node id */);
        // the same map with a pad is fine
        assertEquals(List.of(), problems(elementwise(in(0), padded(0.0, d(0), add(d(1), c(1)))), List.of(), f32(2, 8)));
        // a reshape that reads past the end: [2,8] viewed as [3,6] (18 > 16 elements)
        var flat = add(mul(d(0), 6), d(1));
        assertOneProblem(problems(elementwise(in(0), map(floordiv(flat, 8), mod(flat, 8))), List.of(), f32(3, 6)), "d0*6+d1");
        // an exact division that may not divide, without a pad
        assertOneProblem(problems(elementwise(in(0), map(d(0), exactdiv(d(1), 2))), List.of(), f32(2, 8)), "may not divide exactly");
        // a divisor that is not positive
        assertOneProblem(problems(elementwise(in(0), map(d(0), mod(d(1), 0))), List.of(), f32(2, 8)), "divides by 0");
    }

    @Test
    void scanChecks() {
        assertOneProblem(problems(new Op.Scan(2, Op.Reduction.SUM, false), List.of(), f32(2, 8)), "scan dim 2 outside rank 2");
        assertOneProblem(problems(new Op.Scan(1, Op.Reduction.SUM, false), List.of(), f32(2, 9)), "differs from operand shape");
        assertOneProblem(problems(new Op.Scan(1, Op.Reduction.ARGMAX, false), List.of(), f32(2, 8)), "cannot combine with ARGMAX");
    }

    @Test
    void constantChecks() {
        GraphBuilder b = new GraphBuilder("g");
        Value k = b.add(new Op.Constant(List.of(1.0, 2.0, 3.0)), List.of(), f32(2, 2), CONV);
        Value i = b.add(new Op.Constant(List.of(1.5)), List.of(), TensorType.of(DType.I64, 1), CONV);
        List<String> p = GraphVerifier.verify(b.build(List.of(k, i)));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).contains("3 values for f32[2, 2] (4 elements)"), p.get(0));
        assertTrue(p.get(1).contains("is not a I64"), p.get(1));
    }

    @Test
    void dtypeRules() {
        Op.Generic argmax = new Op.Generic(Shape.of(8), List.of(map(d(0), d(1))), in(0), Op.Reduction.ARGMAX);
        assertOneProblem(problems(argmax, List.of(), f32(2)), "ARGMAX gives I64 indices, not F32");
        Op.Generic sumBool = new Op.Generic(Shape.of(8), List.of(map(d(0), d(1))), bin(GT, in(0), f(0)), Op.Reduction.SUM);
        assertOneProblem(problems(sumBool, List.of(), TensorType.of(DType.BOOL, 2)), "SUM cannot produce BOOL");
        assertEquals(List.of(), problems(sumBool, List.of(), TensorType.of(DType.I64, 2)));
        // a float body stored into an int result without a cast
        assertOneProblem(problems(elementwise(un(ScalarExpr.UnaryOp.EXP, in(0)), map(d(0), d(1))), List.of(), TensorType.of(DType.I64, 2, 8)),
                "body computes F32 but the result is I64");
        // a comparison stored as bool is fine; as a float too (it widens); float into bool is not
        assertEquals(List.of(), problems(elementwise(bin(GT, in(0), f(0)), map(d(0), d(1))), List.of(), TensorType.of(DType.BOOL, 2, 8)));
        assertEquals(List.of(), problems(elementwise(bin(GT, in(0), f(0)), map(d(0), d(1))), List.of(), f32(2, 8)));
        assertOneProblem(problems(elementwise(in(0), map(d(0), d(1))), List.of(), TensorType.of(DType.BOOL, 2, 8)), "a Cast is missing");
        // a select needs a bool condition
        assertOneProblem(problems(elementwise(new ScalarExpr.Select(in(0), in(0), f(0)), map(d(0), d(1))), List.of(), f32(2, 8)),
                "select condition in0 is F32");
        // an int literal mixed into a float body does not make it int, and a float literal does not force a float result
        assertEquals(List.of(), problems(elementwise(new ScalarExpr.Cast(DType.I64, bin(MUL, in(0), f(2))), map(d(0), d(1))), List.of(), TensorType.of(DType.I64, 2, 8)));
    }

    @Test
    void verifyOrThrowListsEveryProblem() {
        Value x = new Value(0, f32(2), "x");
        Graph g = new Graph("broken", List.of(x), List.of(), List.of(), List.of(new Value(1, f32(2), null), new Value(2, f32(2), null)));
        var e = assertThrows(GraphVerifier.VerificationException.class, () -> GraphVerifier.verifyOrThrow(g));
        assertEquals(2, e.problems().size());
        assertTrue(e.getMessage().contains("graph broken is malformed"), e.getMessage());
    }

    @Test
    void parametersNeedUniqueNames() {
        Value a = new Value(0, f32(2), "w"), b = new Value(1, f32(2), "w"), c = new Value(2, f32(2), null);
        List<String> p = GraphVerifier.verify(new Graph("g", List.of(), List.of(a, b, c), List.of(), List.of(a)));
        assertEquals(2, p.size(), p.toString());
        assertTrue(p.get(0).contains("used twice"));
        assertTrue(p.get(1).contains("no state_dict name"));
    }
}
