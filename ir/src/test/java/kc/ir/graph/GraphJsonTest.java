package kc.ir.graph;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.ir.testing.SampleGraphs;

class GraphJsonTest {
    @Test
    void roundTripsEveryOpMapBodyAndOrigin() {
        Graph g = SampleGraphs.everything();
        String json = GraphJson.write(g);
        Graph back = GraphJson.read(json);
        assertEquals(g, back);
        assertEquals(json, GraphJson.write(back), "writing is deterministic");
        assertEquals(GraphPrinter.print(g), GraphPrinter.print(back));
    }

    @Test
    void nonFiniteDoublesAreStrings() {
        Graph g = SampleGraphs.everything();
        String json = GraphJson.write(g);
        assertTrue(json.contains("\"pad\": \"-inf\""), "max pool pad");
        assertTrue(json.contains("\"pad\": \"nan\""));
        assertTrue(json.contains("[0.5, \"nan\", \"inf\", -0.0]"), "constant values");
        Graph back = GraphJson.read(json);
        Op.Constant k = (Op.Constant) back.nodes().stream().filter(n -> n.op() instanceof Op.Constant).findFirst().orElseThrow().op();
        assertTrue(Double.isNaN(k.values().get(1)));
        assertEquals(Double.POSITIVE_INFINITY, k.values().get(2));
        assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(k.values().get(3)), "-0.0 keeps its sign");
    }

    @Test
    void theReadGraphComputesTheSameNumbers() {
        Graph g = SampleGraphs.everything();
        Graph back = GraphJson.read(GraphJson.write(g));
        java.util.Random rng = new java.util.Random(1);
        List<HostTensor> in = List.of(HostTensor.generate(g.inputs().get(0).type(), i -> rng.nextGaussian()));
        Map<String, HostTensor> params = Map.of(
                "conv.weight", HostTensor.generate(g.params().get(0).type(), i -> rng.nextGaussian()),
                "conv.bias", HostTensor.generate(g.params().get(1).type(), i -> rng.nextGaussian()));
        assertEquals(Interpreter.run(g, in, params), Interpreter.run(back, in, params));
        assertEquals(List.of(), GraphVerifier.verify(back));
    }

    @Test
    void keepsValuesThatDisagreeWithTheirDeclaration() {
        // a malformed graph (operand never defined) must survive the round trip unchanged, so the verifier sees it
        Value x = new Value(0, TensorType.of(DType.F32, 2), "x");
        Value ghost = new Value(7, TensorType.of(DType.F32, 2), "ghost \"quoted\"\n");
        Node n = new Node(new Value(1, TensorType.of(DType.F32, 2), null),
                new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1), IndexMap.identity(1)),
                        ScalarExpr.binary(ScalarExpr.BinaryOp.ADD, ScalarExpr.read(0), ScalarExpr.read(1)), Op.Reduction.NONE),
                List.of(x, ghost), null);
        Graph g = new Graph("weird \\ name", List.of(x), List.of(), List.of(n), List.of(n.result()));
        assertEquals(g, GraphJson.read(GraphJson.write(g)));
    }

    @Test
    void jsonReaderHandlesTheGrammarAndRejectsGarbage() {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\u0041\\n\"], \"b\": {}} ");
        assertEquals("{a=[1, -2.5e3, true, false, null, xA\n], b={}}", v.toString());
        assertEquals(-2500.0, ((Number) ((List<?>) ((Map<?, ?>) v).get("a")).get(1)).doubleValue());
        assertEquals(Long.MAX_VALUE, ((Number) Json.parse("9223372036854775807")).longValue());
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":1,\"a\":2}", "-"})
            assertThrows(Json.JsonException.class, () -> Json.parse(bad), bad);
        assertThrows(IllegalArgumentException.class, () -> GraphJson.read("{\"name\": \"g\"}"));
    }
}
