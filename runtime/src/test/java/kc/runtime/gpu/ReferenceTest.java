package kc.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.codegen.Toolchain;
import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.Shape;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.ir.interp.Npy;
import kc.runtime.verify.PythonTorch;

/**
 * The references the GPU verifier reads: PyTorch's server protocol (run here on the CPU build of PyTorch) and kc's
 * interpreter fallback. The GPU itself is not needed for either.
 */
class ReferenceTest {
    static final String MODULE = """
            import torch
            import torch.nn as nn

            class Model(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(8, 4)

                def forward(self, x, y):
                    print("a print in forward must not disturb the protocol")
                    return self.fc(x) * y + torch.randn(3, 4)

            def get_inputs():
                return [torch.rand(3, 8), torch.rand(3, 4)]

            def get_init_inputs():
                return []
            """;

    @Test void pytorchServerAnswersParamsTrialsProbesAndFloat64(@TempDir Path dir) throws Exception {
        Optional<Path> py = PythonTorch.find(null);
        Toolchain.require(py.isPresent(), "no Python with torch and numpy: the reference server is not exercised");
        Path module = dir.resolve("m.py");
        Files.writeString(module, MODULE);
        try (ReferenceServer server = ReferenceServer.start(py.get(), module, Map.of(), 42, "cpu", 120)) {
            assertTrue(server.describe().startsWith("PyTorch"), server.describe());
            Map<String, Reference.TensorData> params = server.params();
            assertEquals(List.of("fc.weight", "fc.bias"), List.copyOf(params.keySet()));
            assertEquals(Shape.of(4, 8), params.get("fc.weight").header().shape());

            Reference.Trial t0 = server.trial(0), t1 = server.trial(1);
            assertEquals(3, t0.inputs().size(), "two inputs and the randn forward drew");
            assertEquals(1, t0.drawnInForward());
            assertEquals(2, t0.givenInputs());
            assertEquals("normal(0,2)", t1.distribution());
            HostTensor x0 = Npy.read(t0.inputs().get(0).file()), x1 = Npy.read(t1.inputs().get(0).file());
            assertTrue(min(x0) >= 0, "get_inputs draws uniform [0, 1)");
            assertTrue(min(x1) < 0, "the normal trial has negatives");

            Reference.Trial probe = server.trialWithInputFrom(0, 1, 1);
            assertEquals(List.of(Npy.read(t0.inputs().get(0).file()).data().length), List.of(Npy.read(probe.inputs().get(0).file()).data().length));
            assertEquals(java.util.Arrays.toString(x0.data()), java.util.Arrays.toString(Npy.read(probe.inputs().get(0).file()).data()), "input 0 kept");
            assertEquals(java.util.Arrays.toString(Npy.read(t1.inputs().get(1).file()).data()),
                    java.util.Arrays.toString(Npy.read(probe.inputs().get(1).file()).data()), "input 1 from trial 1");

            List<Reference.TensorData> exact = server.float64Outputs();
            assertEquals(DType.F64, exact.get(0).header().dtype());
            HostTensor f32 = Npy.read(probe.outputs().get(0).file()), f64 = Npy.read(exact.get(0).file());
            for (int i = 0; i < f32.data().length; i++) assertEquals(f64.data()[i], f32.data()[i], 1e-5, "same trial, same random draws");

            server.discard(t1);
            assertFalse(Files.exists(t1.dir()));
        }
    }

    @Test void pytorchFailuresComeBackAsOneLine(@TempDir Path dir) throws Exception {
        Optional<Path> py = PythonTorch.find(null);
        Toolchain.require(py.isPresent(), "no Python with torch and numpy: PyTorch's errors are not exercised");
        Path module = dir.resolve("bad.py");
        Files.writeString(module, MODULE.replace("nn.Linear(8, 4)", "nn.Linear(8, 5)"));
        try (ReferenceServer server = ReferenceServer.start(py.get(), module, Map.of(), 42, "cpu", 120)) {
            server.params();
            Reference.ReferenceException e = assertThrows(Reference.ReferenceException.class, () -> server.trial(0));
            assertTrue(e.getMessage().contains("RuntimeError"), e.getMessage());
        }
    }

    @Test void interpreterReferenceIsTheInterpretersResultOnSeededData() throws Exception {
        Graph graph = kc.frontend.Frontend.load("m.py", MODULE.replace("print(", "len(").replace(" + torch.randn(3, 4)", ""), Map.of()).graph();
        try (InterpreterReference ref = new InterpreterReference(graph, 7)) {
            Map<String, Reference.TensorData> files = ref.params();
            Map<String, HostTensor> params = new java.util.HashMap<>();
            for (var e : files.entrySet()) params.put(e.getKey(), Npy.read(e.getValue().file()));
            Reference.Trial t = ref.trial(1);
            List<HostTensor> inputs = new java.util.ArrayList<>();
            for (Reference.TensorData f : t.inputs()) inputs.add(Npy.read(f.file()));
            List<HostTensor> expected = Interpreter.run(graph, inputs, params);
            assertEquals(java.util.Arrays.toString(expected.get(0).data()), java.util.Arrays.toString(Npy.read(t.outputs().get(0).file()).data()));
            assertNotEquals(java.util.Arrays.toString(Npy.read(ref.trial(0).inputs().get(0).file()).data()),
                    java.util.Arrays.toString(inputs.get(0).data()), "trials differ");
            assertEquals(DType.F64, ref.float64Outputs().get(0).header().dtype());
        }
    }

    @Test void slowForwardsGetFewerTrialsButNeverUnderTen() {
        assertEquals(100, GpuTimer.trialsWithin(100, 10, 0.001));
        assertEquals(50, GpuTimer.trialsWithin(100, 10, 0.2));
        assertEquals(10, GpuTimer.trialsWithin(100, 10, 5));
        assertEquals(5, GpuTimer.trialsWithin(5, 10, 5), "a quick look asks for fewer itself");
    }

    static double min(HostTensor t) {
        double m = Double.POSITIVE_INFINITY;
        for (double v : t.data()) m = Math.min(m, v);
        return m;
    }
}
