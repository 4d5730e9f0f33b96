package kc.passes.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.SourcePos;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

class GroupNamesTest {
    private static Graph graph() {
        GraphBuilder b = new GraphBuilder("g");
        Value x = b.input("x", TensorType.of(DType.F32, 8));
        Op.Generic exp = new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(1)), ScalarExpr.unary(ScalarExpr.UnaryOp.EXP, ScalarExpr.read(0)), Op.Reduction.NONE);
        Value e = b.add(exp, List.of(x), TensorType.of(DType.F32, 8), new Origin("exp", 1, "", SourcePos.UNKNOWN));
        Value f = b.add(exp, List.of(e), TensorType.of(DType.F32, 8), new Origin("exp", 2, "", SourcePos.UNKNOWN));
        return b.build(List.of(f));
    }

    /** The scheduler, legality, lowering and the cost model all name the graph they are given: once per graph. */
    @Test void aGraphIsNamedOnceAndAnotherAgain() {
        Graph g = graph();
        GroupNames names = GroupNames.of(g);
        assertSame(names, GroupNames.of(g));
        Graph same = graph();
        GroupNames again = GroupNames.of(same);
        assertNotSame(names, again, "an equal graph is another graph: named afresh");
        assertEquals(List.of("exp#1", "exp#2"), again.groupNodes().stream().map(again::group).toList());
        assertThrows(UnsupportedOperationException.class, () -> again.groupNodes().clear(), "shared, so read-only");
    }
}
