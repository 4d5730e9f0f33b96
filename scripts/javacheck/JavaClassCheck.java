import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import kc.ir.interp.HostTensor;
import kc.ir.interp.Npy;

/**
 * Runs `kc compile --emit java` classes on the GPU against dump_reference.py's files (a development check; the
 * device has a Java runtime in kc's distribution, not a compiler: build this here against the distribution's jars):
 *     java -cp 'kc/lib/*:javacheck' JavaClassCheck DATA NAME=CLASS ...
 * Per problem: the class built from DATA/NAME/weights, forward on DATA/NAME/in*.npy, each output within
 * atol = rtol = 1e-4 of out<o>.npy or, where it misses, of the float64 out64_<o>.npy; then 20 forwards timed
 * (host transfers included). Prints one line per problem and a count.
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
                    long[] ns = new long[20];
                    for (int t = 0; t < 3; t++) forward.invoke(model, inputs.toArray());
                    for (int t = 0; t < ns.length; t++) {
                        long t0 = System.nanoTime();
                        forward.invoke(model, inputs.toArray());
                        ns[t] = System.nanoTime() - t0;
                    }
                    java.util.Arrays.sort(ns);
                    if (verdict.equals("PASS")) passed++;
                    System.out.printf("%-58s %s  %.3f ms a forward (host transfers included)%s%n", name, verdict, ns[ns.length / 2] / 1e6,
                            arbitrated > 0 ? "; float64 arbitrated " + arbitrated : "");
                }
            } catch (Throwable e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
                System.out.printf("%-58s ERROR %s%n", name, cause);
            }
        }
        System.out.printf("%d of %d run pass%n", passed, run);
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
