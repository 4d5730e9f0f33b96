package kc.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import kc.ir.graph.Graph;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.cost.MachineModel;
import kc.runtime.pipeline.Compilation;
import kc.runtime.pipeline.Emit;
import kc.runtime.pipeline.Pipeline;

/** The Java drop-ins' runtime on a GPU: conv_block through CompiledModel against kc's float64 interpreter. */
class CompiledModelTest {
    @Test void forwardOnHostTensorsMatchesTheInterpreter() throws NoGpuException {
        assumeTrue(GpuDevice.available(), "no GPU here: CompiledModel runs only on a GPU host");
        Compilation c = Pipeline.run(Pipeline.Input.of(Path.of("..", "examples", "conv_block.py"), Map.of("batch_size", "2"), MachineModel.SM_90)
                .withEmit(Emit.PTX));
        Graph g = c.evaluated();
        Random rnd = new Random(4);
        Map<String, HostTensor> params = new HashMap<>();
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (Value p : g.params()) {
            HostTensor t = HostTensor.generate(p.type(), i -> rnd.nextGaussian());
            params.put(p.name(), t);
            float[] w = new float[t.numel()];
            for (int i = 0; i < w.length; i++) w[i] = (float) t.getFlat(i);
            weights.put(p.name(), w);
        }
        List<HostTensor> inputs = new ArrayList<>();
        for (Value x : g.inputs()) inputs.add(HostTensor.generate(x.type(), i -> rnd.nextDouble()));
        List<HostTensor> ref = Interpreter.run(g, inputs, params);
        try (CompiledModel m = CompiledModel.load(c.rendered().source(), c.rendered().planJson(), weights)) {
            for (int run = 0; run < 2; run++) { // buffers are reused from one forward to the next
                List<HostTensor> got = m.forward(inputs);
                assertEquals(ref.size(), got.size());
                for (int o = 0; o < got.size(); o++)
                    for (int i = 0; i < got.get(o).numel(); i++) {
                        double w = ref.get(o).getFlat(i), v = got.get(o).getFlat(i);
                        assertTrue(Math.abs(v - w) <= 1e-4 + 1e-4 * Math.abs(w), "output " + o + "[" + i + "]: " + v + " vs " + w);
                    }
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(List.of(HostTensor.zeros(kc.ir.graph.TensorType.of(kc.ir.graph.DType.F32, 3, 3)))));
            assertTrue(e.getMessage().contains("compiled for"), e.getMessage());
        }
    }
}
