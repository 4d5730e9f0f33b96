package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.DType;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

/**
 * A small model traced through the whole frontend and run with the reference interpreter on random inputs and
 * parameters, so tests can compare its outputs with values they compute independently.
 */
final class Traced {
    final LoadedModel model;
    final List<HostTensor> inputs = new ArrayList<>();
    final Map<String, HostTensor> params = new LinkedHashMap<>();
    final List<HostTensor> outputs;

    private Traced(LoadedModel model, long seed) {
        this.model = model;
        Random rnd = new Random(seed);
        for (Value v : model.graph().inputs()) inputs.add(random(v.type(), rnd));
        for (Value v : model.graph().params()) params.put(v.name(), random(v.type(), rnd));
        outputs = Interpreter.run(model.graph(), inputs, params);
    }

    /** Loads a model source (KernelBench convention) and runs it. */
    static Traced run(String source) {
        return new Traced(Frontend.load("test.py", source, Map.of()), 42);
    }

    /** A model whose forward is {@code body} (indented code using x, y... named in args), inputs from shapes. */
    static Traced forward(String args, String body, String inputs) {
        String src = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport math\n"
                + "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                + "    def forward(self, " + args + "):\n" + body.indent(8)
                + "def get_inputs():\n    return [" + inputs + "]\ndef get_init_inputs():\n    return []\n";
        return run(src);
    }

    static HostTensor random(TensorType t, Random rnd) {
        return HostTensor.generate(t, i -> switch (t.dtype()) {
            case BOOL -> rnd.nextBoolean() ? 1 : 0;
            case I64, I32 -> rnd.nextInt(5);
            default -> (float) (rnd.nextGaussian());
        });
    }

    HostTensor in(int i) { return inputs.get(i); }
    HostTensor out(int i) { return outputs.get(i); }
    HostTensor param(String key) { return params.get(key); }

    static boolean isF32(HostTensor t) { return t.dtype() == DType.F32; }
}
