package kc.frontend;

import java.util.List;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.TensorType;

/**
 * A model file evaluated by kc.
 *
 * @param graph      the forward pass: inputs "input0".. (the tensors of get_inputs(), in order), parameters named
 *                   by state_dict key (only those the forward uses), outputs in the order forward returns them
 * @param stateDict  every state_dict entry in PyTorch's order (parameters and persistent buffers), used or not
 * @param inputTypes the types of the tensors get_inputs() returns, in order
 * @param randomDraws the random tensors forward itself draws (e.g. "torch.randn at m.py:36:18"), in order: they
 *                   are graph inputs after get_inputs()'s, named random0, random1...; a reference run supplies
 *                   the values it drew, a runtime draws them
 * @param constants  the module-level int/float/bool/tuple/list constants after evaluation (and -D overrides), in
 *                   order of first assignment
 * @param warnings   diagnostics that do not stop compilation ("file:line:col: warning: ...")
 */
public record LoadedModel(Graph graph, List<ParamSpec> stateDict, List<TensorType> inputTypes, List<String> randomDraws,
                          Map<String, Object> constants, List<String> warnings) {
    public LoadedModel {
        randomDraws = List.copyOf(randomDraws);
        stateDict = List.copyOf(stateDict);
        inputTypes = List.copyOf(inputTypes);
        constants = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(constants));
        warnings = List.copyOf(warnings);
    }

    /** The state_dict keys in PyTorch's order. */
    public List<String> stateDictKeys() { return stateDict.stream().map(ParamSpec::key).toList(); }
}
