package kc.runtime.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import kc.ir.graph.TensorType;
import kc.ir.interp.HostTensor;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;

/**
 * Executes a lowered model on the CPU: renders the kernels for a target, writes every input, parameter and
 * constant buffer as a raw little-endian file, generates a C++ driver that runs the launches in order, compiles it
 * with g++ and the target's CPU shim, and reads the outputs back.
 */
public final class CpuRunner {
    private CpuRunner() {}

    /** The kernel languages the CPU can run. */
    public enum Target { METAL }

    /** Raised when g++ rejects the generated code or the program fails; the message carries the log. */
    public static final class CpuRunException extends RuntimeException {
        public CpuRunException(String message) { super(message); }
    }

    /**
     * @param inputs the graph inputs in get_inputs() order
     * @param params parameters by state_dict key
     * @return the outputs in forward's return order
     */
    public static List<HostTensor> run(List<Kernel> kernels, LaunchPlan plan, List<HostTensor> inputs,
                                       Map<String, HostTensor> params, Target target) {
        CpuTarget t = switch (target) { case METAL -> new MetalCpuTarget(); };
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kc-cpu-" + target.name().toLowerCase());
            return run(kernels, plan, inputs, params, t, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null && System.getenv("KC_KEEP_CPU_DIR") == null) deleteTree(dir);
        }
    }

    static List<HostTensor> run(List<Kernel> kernels, LaunchPlan plan, List<HostTensor> inputs,
                                Map<String, HostTensor> params, CpuTarget target, Path dir) throws IOException {
        Map<String, Kernel> byName = new HashMap<>();
        for (Kernel k : kernels) byName.put(k.name(), k);
        target.writeSources(kernels, dir);
        // buffers: files in, zero-filled otherwise
        List<LaunchPlan.Buffer> outputs = new ArrayList<>();
        StringBuilder main = new StringBuilder();
        Map<String, String> cName = new HashMap<>();
        int n = 0;
        for (LaunchPlan.Buffer b : plan.buffers()) {
            String v = "kc_b" + n++;
            cName.put(b.name(), v);
            byte[] contents = switch (b.role()) {
                case INPUT -> HostBuffers.encode(b.dtype(), checked(inputs.get(b.index()), b).data());
                case PARAM -> {
                    HostTensor p = params.get(b.key());
                    if (p == null) throw new IllegalArgumentException("no value for parameter " + b.key());
                    yield HostBuffers.encode(b.dtype(), checked(p, b).data());
                }
                case CONSTANT -> HostBuffers.encode(b.dtype(), b.values());
                case OUTPUT, SCRATCH -> null;
            };
            if (contents != null) Files.write(dir.resolve(v + ".bin"), contents);
            main.append("    std::vector<char> ").append(v).append(" = kc_buffer(")
                .append(contents != null ? "\"" + v + ".bin\"" : "nullptr").append(", ").append(b.bytes()).append(");\n");
            if (b.role() == LaunchPlan.Role.OUTPUT) outputs.add(b);
        }
        for (LaunchPlan.KernelLaunch kl : plan.launches()) {
            Kernel k = byName.get(kl.kernel());
            if (k == null) throw new IllegalArgumentException("launch of unknown kernel " + kl.kernel());
            List<String> args = new ArrayList<>();
            for (String a : kl.args()) {
                String v = cName.get(a);
                if (v == null) throw new IllegalArgumentException("kernel " + k.name() + " launched with unknown buffer " + a);
                args.add(v);
            }
            main.append(target.launch(k, kl.launch(), args));
        }
        outputs.sort(Comparator.comparingInt(LaunchPlan.Buffer::index));
        for (LaunchPlan.Buffer b : outputs)
            main.append("    kc_write(\"out").append(b.index()).append(".bin\", ").append(cName.get(b.name())).append(");\n");
        String driver = """
                #include <cstdio>
                #include <cstdlib>
                #include <fstream>
                #include <vector>
                """ + target.includes() + """

                static std::vector<char> kc_buffer(const char* path, long bytes) {
                    std::vector<char> b(bytes > 0 ? bytes : 1, 0);
                    if (path) {
                        std::ifstream f(path, std::ios::binary);
                        if (!f.read(b.data(), bytes)) { std::fprintf(stderr, "cannot read %s\\n", path); std::exit(2); }
                    }
                    return b;
                }
                static void kc_write(const char* path, const std::vector<char>& b) {
                    std::ofstream f(path, std::ios::binary);
                    f.write(b.data(), b.size());
                }
                int main() {
                """ + main + "    return 0;\n}\n";
        Files.writeString(dir.resolve("driver.cpp"), driver);
        exec(dir, 600, "g++", "-std=c++20", "-O1", "-I.", "-o", "driver", "driver.cpp");
        exec(dir, 600, "./driver");
        List<HostTensor> result = new ArrayList<>();
        for (LaunchPlan.Buffer b : outputs) {
            byte[] bytes = Files.readAllBytes(dir.resolve("out" + b.index() + ".bin"));
            result.add(HostBuffers.decode(new TensorType(b.dtype(), b.shape()), java.util.Arrays.copyOf(bytes, (int) b.bytes())));
        }
        return result;
    }

    private static HostTensor checked(HostTensor t, LaunchPlan.Buffer b) {
        if (t.numel() != b.shape().numel())
            throw new IllegalArgumentException("buffer " + b.name() + " needs " + b.shape().numel() + " elements, got " + t.numel());
        return t;
    }

    private static void exec(Path dir, int seconds, String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] log = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CpuRunException(String.join(" ", cmd) + " timed out after " + seconds + " s");
            }
            if (p.exitValue() != 0) {
                String text = new String(log, StandardCharsets.UTF_8);
                if (text.length() > 4000) text = text.substring(0, 4000) + "\n...";
                throw new CpuRunException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + text);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CpuRunException("interrupted");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp directory is harmless
        }
    }
}
