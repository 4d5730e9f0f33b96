package kc.ir.graph;

import java.util.List;

/**
 * One operation: reads operand values, defines exactly one result value.
 *
 * @param origin   where the node came from (for a fused node: its anchor's origin)
 * @param absorbed the origins of the nodes fusion folded into this one (producers inlined, consumers made its
 *                 epilogue), in the order they were folded in; empty before fusion
 */
public record Node(Value result, Op op, List<Value> operands, Origin origin, List<Origin> absorbed) {
    public Node {
        operands = List.copyOf(operands);
        absorbed = List.copyOf(absorbed);
    }

    public Node(Value result, Op op, List<Value> operands, Origin origin) { this(result, op, operands, origin, List.of()); }
}
