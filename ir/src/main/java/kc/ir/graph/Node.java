package kc.ir.graph;

import java.util.List;

/** One operation: reads operand values, defines exactly one result value. */
public record Node(Value result, Op op, List<Value> operands, Origin origin) {
    public Node {
        operands = List.copyOf(operands);
    }
}
