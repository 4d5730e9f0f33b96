package kc.runtime.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import kc.codegen.cuda.CudaRenderer;
import kc.ir.graph.DType;
import kc.ir.interp.HostTensor;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.ScalarType;
import kc.runtime.Folders;

/**
 * Executes a compiled model on the CPU to check kernels without a GPU: the rendered kernels plus a generated driver
 * become one C++ translation unit, compiled with g++ -O1 (cached by content hash in the temp dir); the driver reads
 * every input, parameter and constant buffer from raw little-endian files, runs the launches in order and writes
 * the outputs, which are read back as HostTensors.
 */
public final class CpuRunner {
    private CpuRunner() {}

    /** Seconds a run may take before it is killed (a deadlocked barrier must not hang the caller). */
    public static final long RUN_TIMEOUT_S = 300;

    /** Thrown when compiling or running fails; the message holds the compiler's or program's output. */
    public static final class CpuRunException extends RuntimeException {
        public CpuRunException(String msg) { super(msg); }
    }

    /**
     * @param source rendered kernels for the target (e.g. CudaRenderer.render(kernels))
     * @param inputs the graph inputs in order; @param params the parameters by state_dict key
     * @return the outputs in order
     */
    public static List<HostTensor> run(CpuTarget target, List<Kernel> kernels, LaunchPlan plan, String source,
                                       List<HostTensor> inputs, Map<String, HostTensor> params) {
        Path exe = compile(target, kernels, plan, source);
        try {
            Path data = Files.createTempDirectory("kc-cpu-run");
            try {
                for (LaunchPlan.Buffer b : plan.buffers()) {
                    double[] values = switch (b.role()) {
                        case INPUT -> {
                            if (b.index() >= inputs.size()) throw new IllegalArgumentException("missing input " + b.index());
                            yield inputs.get(b.index()).data();
                        }
                        case PARAM -> {
                            HostTensor t = params.get(b.key());
                            if (t == null) throw new IllegalArgumentException("missing parameter " + b.key());
                            yield t.data();
                        }
                        case CONSTANT -> b.values().stream().mapToDouble(Double::doubleValue).toArray();
                        case OUTPUT, SCRATCH -> null;
                    };
                    if (values == null) continue;
                    if (values.length != b.shape().numel())
                        throw new IllegalArgumentException("buffer " + b.name() + " needs " + b.shape().numel() + " values, got " + values.length);
                    Files.write(data.resolve(b.name() + ".bin"), encode(values, b.dtype()));
                }
                execute(exe, data);
                List<HostTensor> outs = new ArrayList<>();
                plan.buffers().stream().filter(b -> b.role() == LaunchPlan.Role.OUTPUT)
                        .sorted(java.util.Comparator.comparingInt(LaunchPlan.Buffer::index))
                        .forEach(b -> outs.add(HostTensor.of(b.dtype(), b.shape(), decode(read(data.resolve(b.name() + ".out")), b.dtype()))));
                return outs;
            } finally {
                Folders.deleteTree(data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CUDA C convenience: renders nothing, runs the given CUDA source with the CUDA target. */
    public static List<HostTensor> runCuda(List<Kernel> kernels, LaunchPlan plan, String cudaSource,
                                           List<HostTensor> inputs, Map<String, HostTensor> params) {
        return run(new CudaCpuTarget(), kernels, plan, cudaSource, inputs, params);
    }

    /** The CPU backends by the names {@code kc check --backend} uses. */
    public static final List<String> BACKENDS = List.of("cuda-cpu", "metal-cpu");

    /**
     * Renders the kernels for a CPU backend ("cuda-cpu" or "metal-cpu") and runs them: the entry for
     * {@code kc check --backend}. Unknown names are an IllegalArgumentException listing the known ones.
     */
    public static List<HostTensor> run(List<Kernel> kernels, LaunchPlan plan, List<HostTensor> inputs,
                                       Map<String, HostTensor> params, String backend) {
        return switch (backend) {
            case "cuda-cpu" -> runCuda(kernels, plan, CudaRenderer.render(kernels), inputs, params);
            case "metal-cpu" -> runMetal(kernels, plan, inputs, params);
            default -> throw new IllegalArgumentException("unknown CPU backend '" + backend + "' (known: " + String.join(", ", BACKENDS) + ")");
        };
    }

    /** Metal convenience: renders the kernels to MSL and runs them through the Metal CPU shim. */
    public static List<HostTensor> runMetal(List<Kernel> kernels, LaunchPlan plan, List<HostTensor> inputs, Map<String, HostTensor> params) {
        return run(new MetalCpuTarget(), kernels, plan, MetalCpuTarget.source(kernels), inputs, params);
    }

    /** The C++ unit: prelude, kernels, driver. */
    public static String unit(CpuTarget target, List<Kernel> kernels, LaunchPlan plan, String source) {
        StringBuilder sb = new StringBuilder(target.prelude()).append(source).append("\n// ---- driver ----\n");
        sb.append("""
                #include <cstdio>
                #include <cstdlib>
                #include <cstring>
                // zeroed and 256-byte aligned, as cuMemAlloc's are: kernels may read and write 16-byte vectors
                static void* kc_buffer(const char* dir, const char* name, size_t bytes, bool load) {
                    size_t size = ((bytes > 0 ? bytes : 1) + 255) / 256 * 256;
                    void* p = std::aligned_alloc(256, size);
                    if (!p) { std::fprintf(stderr, "cannot allocate %zu bytes for %s\\n", size, name); std::exit(2); }
                    std::memset(p, 0, size);
                    if (!load) return p;
                    char path[4096]; std::snprintf(path, sizeof path, "%s/%s.bin", dir, name);
                    FILE* f = std::fopen(path, "rb");
                    if (!f || std::fread(p, 1, bytes, f) != bytes) { std::fprintf(stderr, "cannot read %s\\n", path); std::exit(2); }
                    std::fclose(f);
                    return p;
                }
                static void kc_save(const char* dir, const char* name, const void* p, size_t bytes) {
                    char path[4096]; std::snprintf(path, sizeof path, "%s/%s.out", dir, name);
                    FILE* f = std::fopen(path, "wb");
                    if (!f || std::fwrite(p, 1, bytes, f) != bytes) { std::fprintf(stderr, "cannot write %s\\n", path); std::exit(2); }
                    std::fclose(f);
                }
                int main(int argc, char** argv) {
                    if (argc < 2) { std::fprintf(stderr, "usage: model DATA_DIR\\n"); return 2; }
                    const char* dir = argv[1];
                """);
        for (LaunchPlan.Buffer b : plan.buffers()) {
            String t = target.pointerType(ScalarType.of(b.dtype()));
            boolean load = b.role() == LaunchPlan.Role.INPUT || b.role() == LaunchPlan.Role.PARAM || b.role() == LaunchPlan.Role.CONSTANT;
            sb.append("    ").append(t).append("* ").append(b.name()).append(" = (").append(t).append("*)kc_buffer(dir, \"").append(b.name())
              .append("\", ").append(b.bytes()).append("ull, ").append(load).append(");\n");
        }
        Map<String, Kernel> byName = new java.util.HashMap<>();
        for (Kernel k : kernels) byName.put(k.name(), k);
        for (LaunchPlan.KernelLaunch kl : plan.launches()) {
            Kernel k = byName.get(kl.kernel());
            if (k == null) throw new IllegalArgumentException("the plan launches unknown kernel " + kl.kernel());
            sb.append("    ").append(target.launch(k, kl)).append('\n');
        }
        for (LaunchPlan.Buffer b : plan.buffers())
            if (b.role() == LaunchPlan.Role.OUTPUT)
                sb.append("    kc_save(dir, \"").append(b.name()).append("\", ").append(b.name()).append(", ").append(b.bytes()).append("ull);\n");
        sb.append("    return 0;\n}\n");
        return sb.toString();
    }

    /** Compiles (or finds in the cache) the executable for this model. */
    public static Path compile(CpuTarget target, List<Kernel> kernels, LaunchPlan plan, String source) {
        String unit = unit(target, kernels, plan, source);
        StringBuilder key = new StringBuilder(unit);
        target.headers().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> key.append(e.getKey()).append(e.getValue()));
        key.append(target.compilerFlags());
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "kc-cpu-cache", target.name() + "-" + sha256(key.toString()));
        Path exe = dir.resolve("model");
        if (Files.isExecutable(exe)) return exe;
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, String> h : target.headers().entrySet()) Files.writeString(dir.resolve(h.getKey()), h.getValue());
            Path src = dir.resolve("model.cpp");
            Files.writeString(src, unit);
            Path tmp = dir.resolve("model.tmp" + ProcessHandle.current().pid());
            List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++20", "-O1", "-pthread", "-w", "-I", dir.toString()));
            cmd.addAll(target.compilerFlags());
            cmd.addAll(List.of("-o", tmp.toString(), src.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) throw new CpuRunException("g++ failed for " + src + ":\n" + tail(out, 4000));
            Files.move(tmp, exe, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return exe;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CpuRunException("interrupted while compiling");
        }
    }

    private static void execute(Path exe, Path data) throws IOException {
        Process p = new ProcessBuilder(exe.toString(), data.toString()).redirectErrorStream(true).start();
        try {
            byte[] outBytes = p.getInputStream().readNBytes(1 << 16);
            if (!p.waitFor(RUN_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new CpuRunException(exe + " ran longer than " + RUN_TIMEOUT_S + " s");
            }
            if (p.exitValue() != 0)
                throw new CpuRunException(exe + " exited with " + p.exitValue() + ":\n" + tail(new String(outBytes, StandardCharsets.UTF_8), 4000));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CpuRunException("interrupted while running " + exe);
        }
    }

    static byte[] encode(double[] v, DType t) {
        ByteBuffer b = ByteBuffer.allocate(v.length * t.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            switch (t) {
                case F32 -> b.putFloat((float) x);
                case F64 -> b.putDouble(x);
                case F16 -> b.putShort(Float.floatToFloat16((float) x));
                case BF16 -> b.putShort(toBf16((float) x));
                case I32 -> b.putInt((int) (long) x);
                case I64 -> b.putLong((long) x);
                case BOOL -> b.put((byte) (x != 0 ? 1 : 0));
            }
        }
        return b.array();
    }

    static double[] decode(byte[] bytes, DType t) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[bytes.length / t.bytes];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (t) {
                case F32 -> b.getFloat();
                case F64 -> b.getDouble();
                case F16 -> Float.float16ToFloat(b.getShort());
                case BF16 -> Float.intBitsToFloat((b.getShort() & 0xffff) << 16);
                case I32 -> b.getInt();
                case I64 -> b.getLong();
                case BOOL -> b.get() != 0 ? 1 : 0;
            };
        }
        return v;
    }

    private static short toBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((x >>> 16) | 0x40);
        return (short) ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
    }

    private static byte[] read(Path p) {
        try { return Files.readAllBytes(p); } catch (IOException e) { throw new UncheckedIOException(e); }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 24);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String tail(String s, int n) { return s.length() <= n ? s : "..." + s.substring(s.length() - n); }
}
