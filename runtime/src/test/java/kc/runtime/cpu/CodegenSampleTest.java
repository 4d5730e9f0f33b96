package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.codegen.cuda.CudaRenderer;
import kc.codegen.metal.MetalRenderer;
import kc.codegen.ptx.PtxRenderer;
import kc.codegen.ptx.PtxTarget;
import kc.codegen.ptx.PtxasCheck;
import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.Shrinker;
import kc.ir.graph.Graph;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.KernelSchedule;
import kc.runtime.verify.Comparison;
import kc.runtime.verify.Tolerance;

/**
 * The codegen sweep CI can afford on every run: a sample of the shared problems chosen so that together they use
 * every Graph op kind and reduction, every scalar operation, every schedule strategy and every kind of index map
 * the 220 problems use
 * (greedy cover, in file order). Each sampled problem is shrunk, lowered, and rendered by all three renderers: PTX
 * through ptxas for sm_90 and sm_80, CUDA C through nvcc for both, and CUDA C and Metal run on the CPU shims and
 * compared with the reference interpreter. The full sweeps are in `mvn -Pcodegen-sweep verify`.
 */
@Tag("sweep")
class CodegenSampleTest {
    static final Path ROOT = Path.of("..", "..", "shared", "kernelbench");

    @Test void sampleCoversEveryOpKindOnEveryRenderer() throws Exception {
        assumeTrue(Files.isDirectory(ROOT.resolve("level1")), "../shared/kernelbench is absent: codegen sample skipped");
        List<Path> files;
        try (Stream<Path> s = Files.walk(ROOT, 2)) {
            files = s.filter(p -> p.toString().endsWith(".py") && p.getParent().getFileName().toString().startsWith("level")).sorted().toList();
        }
        Map<Path, Set<String>> features = new LinkedHashMap<>();
        Set<String> all = new TreeSet<>();
        for (Path p : files) {
            try {
                Set<String> f = features(Frontend.load(p, Map.of()).graph());
                features.put(p, f);
                all.addAll(f);
            } catch (CompileError e) {
                // the frontend sweep reports these; the sample only needs graphs
            }
        }
        Set<String> covered = new TreeSet<>();
        List<Path> sample = new ArrayList<>();
        for (var e : features.entrySet()) {
            if (covered.containsAll(e.getValue())) continue;
            sample.add(e.getKey());
            covered.addAll(e.getValue());
        }
        List<String> failures = new ArrayList<>();
        StringBuilder report = new StringBuilder("features " + all + "\n");
        for (Path p : sample) {
            String name = p.getParent().getFileName() + "/" + p.getFileName();
            try {
                LoadedModel m = Shrinker.shrink(p, Map.of(), 2e5).model();
                String result = checkAllRenderers(m.graph());
                report.append("ok   ").append(name).append("  ").append(result).append('\n');
            } catch (Throwable t) {
                failures.add(name + ": " + t.getMessage());
                report.append("FAIL ").append(name).append("  ").append(t.getMessage()).append('\n');
            }
        }
        report.append(sample.size()).append(" sampled problems cover ").append(covered.size()).append(" features; ")
              .append(failures.size()).append(" failed\n");
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "codegen-sample.txt"), report);
        System.out.print(report);
        assertTrue(covered.containsAll(all));
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** Op kinds with their reductions, schedule strategies, and index-map forms a graph uses. */
    static Set<String> features(Graph g) {
        Set<String> f = new TreeSet<>();
        for (Node n : g.nodes()) {
            f.add("op:" + n.op().name());
            if (n.op() instanceof Op.Generic gen) {
                bodyOps(gen.body(), f);
                for (IndexMap m : gen.maps()) {
                    if (m.pad() != null) f.add("map:pad");
                    for (IndexExpr e : m.exprs()) indexForms(e, f);
                }
            }
        }
        for (KernelSchedule k : DefaultScheduler.schedule(g).kernels()) f.add("strategy:" + k.strategy());
        return f;
    }

    /** The scalar operations of a body: each renderer spells every math function its own way. */
    private static void bodyOps(ScalarExpr e, Set<String> f) {
        switch (e) {
            case ScalarExpr.Read r -> { }
            case ScalarExpr.Index i -> f.add("body:index");
            case ScalarExpr.Const c -> { }
            case ScalarExpr.Cast c -> { f.add("body:cast_" + c.to()); bodyOps(c.a(), f); }
            case ScalarExpr.Unary u -> { f.add("body:" + u.op()); bodyOps(u.a(), f); }
            case ScalarExpr.Binary b -> { f.add("body:" + b.op()); bodyOps(b.a(), f); bodyOps(b.b(), f); }
            case ScalarExpr.Select s -> { f.add("body:select"); bodyOps(s.cond(), f); bodyOps(s.a(), f); bodyOps(s.b(), f); }
        }
    }

    private static void indexForms(IndexExpr e, Set<String> f) {
        switch (e) {
            case IndexExpr.Dim d -> { }
            case IndexExpr.Const c -> { }
            case IndexExpr.Add a -> { indexForms(a.a(), f); indexForms(a.b(), f); }
            case IndexExpr.Mul m -> indexForms(m.a(), f);
            case IndexExpr.FloorDiv d -> { f.add("map:floordiv"); indexForms(d.a(), f); }
            case IndexExpr.Mod m -> { f.add("map:mod"); indexForms(m.a(), f); }
            case IndexExpr.ExactDiv d -> { f.add("map:exactdiv"); indexForms(d.a(), f); }
        }
    }

    private static String checkAllRenderers(Graph g) throws Exception {
        Lowered lowered = Lowering.lower(g);
        StringBuilder sb = new StringBuilder(lowered.kernels().size() + " kernels");
        if (Toolchain.present(PtxasCheck.available(), "ptxas is not installed: the sample's PTX is not assembled"))
            for (PtxTarget t : PtxTarget.values()) {
                PtxasCheck.Result r = PtxasCheck.run(new PtxRenderer().render(lowered.kernels(), t), t.arch);
                if (!r.ok()) throw new AssertionError("ptxas " + t.arch + ": " + r.error());
                sb.append(", ptxas ").append(t.arch);
            }
        if (Toolchain.present(Nvcc.available(), "nvcc is not installed: the sample's CUDA C is not compiled"))
            for (String arch : List.of("sm_90", "sm_80")) {
                String err = Nvcc.compile(CudaRenderer.render(lowered.kernels()), arch);
                if (err != null) throw new AssertionError("nvcc " + arch + ": " + err);
                sb.append(", nvcc ").append(arch);
            }
        new MetalRenderer().render(lowered.kernels());
        Random random = new Random(7);
        List<HostTensor> inputs = new ArrayList<>();
        for (Value v : g.inputs())
            inputs.add(HostTensor.generate(v.type(), i -> v.type().dtype().isFloat() ? (float) random.nextDouble() : random.nextInt(2)));
        Map<String, HostTensor> params = new LinkedHashMap<>();
        for (Value p : g.params()) {
            long fanIn = p.type().rank() >= 2 ? p.type().shape().numel() / p.type().shape().dim(0) : 1;
            double scale = 1 / Math.sqrt(Math.max(1, fanIn));
            params.put(p.name(), HostTensor.generate(p.type(), i -> p.type().dtype().isFloat() ? (float) ((random.nextDouble() * 2 - 1) * scale) : 1));
        }
        List<HostTensor> expected = Interpreter.run(g, inputs, params);
        for (String backend : CpuRunner.BACKENDS) {
            List<HostTensor> got = CpuRunner.run(lowered.kernels(), lowered.plan(), inputs, params, backend);
            for (int o = 0; o < expected.size(); o++) {
                Comparison c = Comparison.of(got.get(o), expected.get(o), Tolerance.forDType(g.outputs().get(o).type().dtype()));
                if (!c.passed()) throw new AssertionError(backend + " output " + o + ": " + c.summary());
            }
            sb.append(", ").append(backend).append(" agrees");
        }
        return sb.toString();
    }
}
