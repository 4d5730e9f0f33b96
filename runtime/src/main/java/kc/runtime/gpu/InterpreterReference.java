package kc.runtime.gpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.ir.interp.Npy;

/**
 * The second opinion when no Python with torch is at hand: kc's own reference interpreter (float64 arithmetic,
 * values stored at each dtype's precision) on seeded synthetic data. Weights are uniform in [-0.5, 0.5) (PyTorch's
 * initialisation cannot be reproduced without PyTorch); inputs alternate uniform [0, 1) and normal(0, 2). It
 * judges kc's lowering and kernels, not kc's reading of the module, and runs on the host: small problems only.
 */
public final class InterpreterReference implements Reference {
    /** The largest tensor, in elements, the host interpreter takes on. */
    public static final long MAX_ELEMENTS = 1L << 26;

    private final Graph graph;
    private final long seed;
    private final Path dir;
    private final Map<String, HostTensor> params = new LinkedHashMap<>();
    private List<HostTensor> lastInputs;
    private Path lastDir;

    public InterpreterReference(Graph graph, long seed) throws IOException, ReferenceException {
        this.graph = graph;
        this.seed = seed;
        for (Value v : graph.inputs()) tooLarge(v);
        for (Value v : graph.params()) tooLarge(v);
        for (Value v : graph.outputs()) tooLarge(v);
        this.dir = Files.createTempDirectory(ReferenceServer.ramFolder(), "kc-interp-reference");
        Random random = new Random(seed);
        for (Value p : graph.params())
            params.put(p.name(), HostTensor.generate(p.type(), i -> p.type().dtype().isFloat() ? random.nextDouble() - 0.5 : 1));
    }

    private static void tooLarge(Value v) throws ReferenceException {
        if (v.type().shape().numel() > MAX_ELEMENTS)
            throw new ReferenceException("no Python with torch, and " + v.name() + " (" + v.type().shape().numel()
                    + " elements) is too large for kc's host interpreter (at most " + MAX_ELEMENTS + "); use --python");
    }

    @Override public String describe() { return "kc's float64 interpreter on synthetic data (no PyTorch found)"; }

    @Override public Map<String, TensorData> params() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("params"));
        Map<String, TensorData> files = new LinkedHashMap<>();
        int i = 0;
        for (var e : params.entrySet()) files.put(e.getKey(), write(sub.resolve(i++ + ".npy"), e.getValue()));
        return files;
    }

    @Override public Trial trial(int t) throws IOException { return run(inputs(t), "trial" + t, t); }

    @Override public Trial trialWithInputFrom(int t, int input, int from) throws IOException {
        List<HostTensor> inputs = inputs(t);
        inputs.set(input, inputs(from).get(input));
        return run(inputs, "trial" + t + "_swap" + input, t);
    }

    private List<HostTensor> inputs(int t) {
        Random random = new Random(seed + 1 + t);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : graph.inputs()) {
            TensorType type = v.type();
            inputs.add(HostTensor.generate(type, i -> !type.dtype().isFloat() ? random.nextInt(2)
                    : t % 2 == 0 ? random.nextDouble() : 2 * random.nextGaussian()));
        }
        return inputs;
    }

    private Trial run(List<HostTensor> inputs, String name, int t) throws IOException {
        Path sub = Files.createDirectories(dir.resolve(name));
        Map<String, HostTensor> byName = new HashMap<>(params);
        List<HostTensor> outputs = Interpreter.run(graph, inputs, byName);
        lastInputs = inputs;
        lastDir = sub;
        List<TensorData> in = new ArrayList<>(), out = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) in.add(write(sub.resolve(i + ".npy"), inputs.get(i)));
        for (int o = 0; o < outputs.size(); o++) out.add(write(sub.resolve((100 + o) + ".npy"), outputs.get(o)));
        return new Trial(t % 2 == 0 ? "uniform[0,1)" : "normal(0,2)", sub, in, out, 0);
    }

    private static TensorData write(Path file, HostTensor t) throws IOException {
        HostTensor stored = t.dtype() == DType.BF16 ? t.withType(new TensorType(DType.F32, t.shape())) : t;
        Npy.write(file, stored);
        return TensorData.file(file, Npy.header(file));
    }

    @Override public List<TensorData> float64Outputs() throws IOException {
        List<HostTensor> exact = Interpreter.runExact(graph, lastInputs, new HashMap<>(params));
        List<TensorData> files = new ArrayList<>();
        for (int o = 0; o < exact.size(); o++)
            files.add(write(lastDir.resolve((200 + o) + ".npy"), exact.get(o).withType(new TensorType(DType.F64, exact.get(o).shape()))));
        return files;
    }

    @Override public void discard(Trial trial) throws IOException { kc.runtime.Folders.deleteTree(trial.dir()); }

    @Override public void close() throws IOException { kc.runtime.Folders.deleteTree(dir); }
}
