package kc.codegen.ptx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import kc.frontend.Shrinker;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;

/**
 * Writes, for the KernelBench problems named by -Dkc.gpuBundle.only (comma-separated substrings), a bundle a GPU
 * machine with PyTorch can check end to end (scripts/ptx_plan_gpu.py): the problem file, its shrinking defines, the
 * PTX module (sm_90) and the launch plan as JSON. Skipped without -Dkc.gpuBundle=DIR.
 */
class GpuBundleTest {
    @Test void writeBundles() throws IOException {
        String dir = System.getProperty("kc.gpuBundle");
        Assumptions.assumeTrue(dir != null, "no -Dkc.gpuBundle=DIR: nothing written");
        List<Path> files = PtxSweepTest.files();
        String[] only = System.getProperty("kc.gpuBundle.only", "").split(",");
        for (Path f : files) {
            boolean wanted = false;
            for (String o : only) wanted |= !o.isBlank() && f.getFileName().toString().startsWith(o);
            if (!wanted) continue;
            Shrinker.Result shrunk = Shrinker.shrink(f, Map.of(), 2e5);
            Lowered low = Lowering.lower(shrunk.model().graph());
            Path out = Path.of(dir, f.getFileName().toString().replace(".py", ""));
            Files.createDirectories(out);
            Files.copy(f, out.resolve("model.py"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(out.resolve("module.ptx"), new PtxRenderer().render(low.kernels(), PtxTarget.SM_90));
            Files.writeString(out.resolve("defines.json"), "{" + shrunk.defines().entrySet().stream()
                    .map(e -> json(e.getKey()) + ": " + json(e.getValue())).collect(Collectors.joining(", ")) + "}");
            Files.writeString(out.resolve("plan.json"), planJson(low));
        }
    }

    private static String json(String s) { return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""; }

    private static String planJson(Lowered low) {
        Map<String, String> entries = new HashMap<>();
        for (Kernel k : low.kernels()) entries.put(k.name(), PtxRenderer.entryName(k));
        LaunchPlan p = low.plan();
        List<String> bufs = new ArrayList<>();
        for (LaunchPlan.Buffer b : p.buffers()) {
            String values = b.values() == null ? "null" : b.values().stream().map(v -> v.isNaN() || v.isInfinite() ? "\"" + v + "\"" : Double.toString(v)).collect(Collectors.joining(",", "[", "]"));
            bufs.add("{\"name\": " + json(b.name()) + ", \"role\": \"" + b.role() + "\", \"index\": " + b.index() + ", \"key\": "
                    + (b.key() == null ? "null" : json(b.key())) + ", \"dtype\": \"" + b.dtype() + "\", \"shape\": "
                    + java.util.Arrays.stream(b.shape().toArray()).mapToObj(String::valueOf).collect(Collectors.joining(",", "[", "]")) + ", \"values\": " + values + "}");
        }
        List<String> launches = new ArrayList<>();
        for (LaunchPlan.KernelLaunch l : p.launches()) {
            var g = l.launch();
            launches.add("{\"kernel\": " + json(entries.get(l.kernel())) + ", \"grid\": [" + g.gridX() + "," + g.gridY() + "," + g.gridZ()
                    + "], \"block\": [" + g.blockX() + "," + g.blockY() + "," + g.blockZ() + "], \"args\": "
                    + l.args().stream().map(GpuBundleTest::json).collect(Collectors.joining(",", "[", "]")) + "}");
        }
        return "{\"buffers\": [\n" + String.join(",\n", bufs) + "\n], \"launches\": [\n" + String.join(",\n", launches) + "\n]}\n";
    }
}
