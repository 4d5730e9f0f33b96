package kc.ir.graph;

import java.util.List;

/**
 * A whole model's forward pass with static shapes: inputs (from get_inputs()), parameters (the
 * state_dict entries: weights and buffers, by key), nodes in topological order, and outputs.
 */
public record Graph(String name, List<Value> inputs, List<Value> params, List<Node> nodes, List<Value> outputs) {
    public Graph {
        inputs = List.copyOf(inputs);
        params = List.copyOf(params);
        nodes = List.copyOf(nodes);
        outputs = List.copyOf(outputs);
    }
}
