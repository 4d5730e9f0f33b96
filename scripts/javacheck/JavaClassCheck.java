import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import kc.ir.interp.HostTensor;
import kc.ir.interp.Npy;
import kc.runtime.gpu.DeviceBuffer;
import jcuda.Pointer;

/**
 * Runs `kc compile --emit java` classes on the GPU against dump_reference.py's files (a development check; the
 * device has a Java runtime in kc's distribution, not a compiler: build this here against the distribution's jars):
 *     java -cp 'kc/lib/*:javacheck' JavaClassCheck DATA NAME=CLASS ...
 * Per problem: the class built from DATA/NAME/weights, forward on DATA/NAME/in*.npy, each output within
 * atol = rtol = 1e-4 of out<o>.npy or, where it misses, of the float64 out64_<o>.npy; then 20 forwards timed.
 * Where every tensor fits a Java array (2 GB) the host forward runs (host transfers timed with it); otherwise the
 * device forward, on buffers from the class's {@code allocate} filled from the files, its outputs compared a chunk
 * at a time. Prints one line per problem and a count.
 */
public final class JavaClassCheck {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int passed = 0, run = 0;
        for (int a = 1; a < args.length; a++) {
            String name = args[a].substring(0, args[a].indexOf('=')), cls = args[a].substring(args[a].indexOf('=') + 1);
            Path dir = data.resolve(name);
            if (Files.exists(dir.resolve("SKIPPED"))) {
                System.out.printf("%-58s SKIPPED %s%n", name, Files.readString(dir.resolve("SKIPPED")).strip());
                continue;
            }
            run++;
            try {
                Map<String, float[]> weights = new LinkedHashMap<>();
                try (Stream<Path> s = Files.list(dir.resolve("weights"))) {
                    for (Path p : s.toList()) weights.put(p.getFileName().toString().replaceFirst("\\.npy$", ""), floats(Npy.read(p)));
                }
                if (!fitsHost(dir)) {
                    if (onDevice(Class.forName(cls), weights, dir, name)) passed++;
                    continue;
                }
                List<HostTensor> inputs = new ArrayList<>();
                for (int i = 0; Files.exists(dir.resolve("in" + i + ".npy")); i++) inputs.add(Npy.read(dir.resolve("in" + i + ".npy")));
                Class<?> c = Class.forName(cls);
                Method forward = null;
                for (Method m : c.getMethods())
                    if (m.getName().equals("forward") && m.getParameterCount() == inputs.size()
                            && (m.getParameterCount() == 0 || m.getParameterTypes()[0] == HostTensor.class)) forward = m;
                try (AutoCloseable model = (AutoCloseable) c.getConstructor(Map.class).newInstance(weights)) {
                    Object result = forward.invoke(model, inputs.toArray());
                    List<?> outs = result instanceof List<?> l ? l : List.of(result);
                    String verdict = "PASS";
                    double worst = 0;
                    int arbitrated = 0;
                    for (int o = 0; o < outs.size(); o++) {
                        HostTensor got = (HostTensor) outs.get(o);
                        double err = miss(got, Npy.read(dir.resolve("out" + o + ".npy")));
                        if (!(err <= 0)) { // NaN fails too
                            err = miss(got, Npy.read(dir.resolve("out64_" + o + ".npy")));
                            if (!(err <= 0)) { verdict = "FAIL output " + o + " misses by " + err; break; }
                            arbitrated++;
                        }
                        worst = Math.max(worst, err);
                    }
                    double ms = medianMs(forward, model, inputs.toArray());
                    if (verdict.equals("PASS")) passed++;
                    System.out.printf("%-58s %s  %.3f ms a forward (host transfers included)%s%n", name, verdict, ms,
                            arbitrated > 0 ? "; float64 arbitrated " + arbitrated : "");
                }
            } catch (Throwable e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
                System.out.printf("%-58s ERROR %s%n", name, cause);
            }
        }
        System.out.printf("%d of %d run pass%n", passed, run);
    }

    /** The median of 20 timed forwards after 3 untimed ones, in ms (wall clock: the forward synchronises). */
    private static double medianMs(Method forward, Object model, Object[] args) throws Exception {
        long[] ns = new long[20];
        for (int t = 0; t < 3; t++) forward.invoke(model, args);
        for (int t = 0; t < ns.length; t++) {
            long t0 = System.nanoTime();
            forward.invoke(model, args);
            ns[t] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(ns);
        return ns[ns.length / 2] / 1e6;
    }

    /** Bytes a Java array (the host forward's path, and Npy.read) holds at most. */
    private static final long HOST_LIMIT = Integer.MAX_VALUE - 64;
    /** Bytes moved between a file and the device at a time. */
    private static final long CHUNK = 256L << 20;

    private static boolean fitsHost(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".npy")).toList())
                if (Npy.header(p).dataBytes() > HOST_LIMIT) return false;
        }
        return true;
    }

    /** The device forward on the problem's files; prints its line and says whether it passed. */
    private static boolean onDevice(Class<?> c, Map<String, float[]> weights, Path dir, String name) throws Exception {
        List<Path> inputs = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve("in" + i + ".npy")); i++) inputs.add(dir.resolve("in" + i + ".npy"));
        Method forward = null;
        for (Method m : c.getMethods())
            if (m.getName().equals("forward") && m.getParameterCount() == inputs.size()
                    && (m.getParameterCount() == 0 || m.getParameterTypes()[0] == DeviceBuffer.class)) forward = m;
        Method allocate = c.getMethod("allocate", long.class);
        List<DeviceBuffer> buffers = new ArrayList<>();
        try (AutoCloseable model = (AutoCloseable) c.getConstructor(Map.class).newInstance(weights)) {
            for (Path p : inputs) {
                Npy.Header h = Npy.header(p);
                DeviceBuffer b = (DeviceBuffer) allocate.invoke(model, h.dataBytes());
                buffers.add(b);
                try (FileChannel ch = FileChannel.open(p)) {
                    for (long off = 0; off < h.dataBytes(); off += CHUNK) {
                        long len = Math.min(CHUNK, h.dataBytes() - off);
                        b.upload(Pointer.to(ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + off, len)), off, len);
                    }
                }
            }
            Object result = forward.invoke(model, buffers.toArray());
            List<?> outs = result instanceof List<?> l ? l : List.of(result);
            String verdict = "PASS";
            int arbitrated = 0;
            for (int o = 0; o < outs.size(); o++) {
                DeviceBuffer got = (DeviceBuffer) outs.get(o);
                double err = missOnDevice(got, dir.resolve("out" + o + ".npy"));
                if (!(err <= 0) && Files.exists(dir.resolve("out64_" + o + ".npy"))) {
                    err = missOnDevice(got, dir.resolve("out64_" + o + ".npy"));
                    if (err <= 0) arbitrated++;
                }
                if (!(err <= 0)) { verdict = "FAIL output " + o + " misses by " + err; break; }
            }
            System.out.printf("%-58s %s  %.3f ms a forward (device buffers: a tensor over 2 GB)%s%n", name, verdict, medianMs(forward, model, buffers.toArray()),
                    arbitrated > 0 ? "; float64 arbitrated " + arbitrated : "");
            return verdict.equals("PASS");
        } finally {
            buffers.forEach(DeviceBuffer::close);
        }
    }

    /** As {@link #miss}, for a float32 output on the device against a float32 or float64 .npy, a chunk at a time. */
    private static double missOnDevice(DeviceBuffer got, Path reference) throws Exception {
        Npy.Header h = Npy.header(reference);
        long n = h.shape().numel();
        int refBytes = h.dtype().bytes;
        if (got.bytes() != n * 4 || (refBytes != 4 && refBytes != 8)) return Double.POSITIVE_INFINITY;
        ByteBuffer host = ByteBuffer.allocateDirect((int) CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        double worst = 0;
        try (FileChannel ch = FileChannel.open(reference)) {
            for (long first = 0; first < n; first += CHUNK / 4) {
                long count = Math.min(CHUNK / 4, n - first);
                host.clear();
                got.download(Pointer.to(host), first * 4, count * 4);
                MappedByteBuffer want = ch.map(FileChannel.MapMode.READ_ONLY, h.dataOffset() + first * refBytes, count * refBytes);
                want.order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < count; i++) {
                    double g = host.getFloat(4 * i), w = refBytes == 4 ? want.getFloat(4 * i) : want.getDouble(8 * i);
                    if (Double.isNaN(g) || Double.isNaN(w)) return Double.NaN;
                    worst = Math.max(worst, Math.abs(g - w) - (1e-4 + 1e-4 * Math.abs(w)));
                }
            }
        }
        return worst;
    }

    private static float[] floats(HostTensor t) {
        float[] f = new float[t.numel()];
        for (int i = 0; i < f.length; i++) f[i] = (float) t.getFlat(i);
        return f;
    }

    /** 0 when got is within atol = rtol = 1e-4 of want everywhere (no NaN), else the worst excess. */
    private static double miss(HostTensor got, HostTensor want) {
        if (got.numel() != want.numel()) return Double.POSITIVE_INFINITY;
        double worst = 0;
        for (int i = 0; i < got.numel(); i++) {
            double g = got.getFlat(i), w = want.getFlat(i), excess = Math.abs(g - w) - (1e-4 + 1e-4 * Math.abs(w));
            if (Double.isNaN(g) || Double.isNaN(w)) return Double.NaN;
            worst = Math.max(worst, excess);
        }
        return worst;
    }
}
