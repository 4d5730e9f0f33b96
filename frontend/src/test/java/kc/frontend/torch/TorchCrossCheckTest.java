package kc.frontend.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.ParamSpec;
import kc.frontend.Shrinker;
import kc.ir.graph.DType;
import kc.ir.graph.Json;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

/**
 * Cross-check against real PyTorch in two halves (see xcheck.py): {@code -Dkc.xcheck.prep=DIR} shrinks every
 * KernelBench problem and writes DIR/jobs.jsonl (plus a copy of the files for the machine with PyTorch);
 * {@code -Dkc.xcheck.results=FILE -Dkc.xcheck.jobs=JOBS} compares PyTorch's summaries with kc's interpreter,
 * both sides filling weights and inputs with the same formula.
 */
@Tag("sweep")
class TorchCrossCheckTest {
    static final int SAMPLES = 64;

    static HostTensor fill(TensorType t, int salt, String kind) {
        long n = t.shape().numel();
        long[] dims = t.shape().toArray();
        double scale = dims.length >= 2 ? 1.0 / Math.sqrt((double) n / dims[0]) : 0.5;
        return HostTensor.generate(t, i -> {
            long h = Math.floorMod(i * 2654435761L + salt * 97531L + 12345L, 1L << 32);
            if (!t.dtype().isFloat()) return h % 2;
            double u = h / 4294967296.0;
            double v = switch (kind) {
                case "param" -> (2 * u - 1) * scale;
                case "input0" -> u;
                default -> (2 * u - 1) * 2.0;
            };
            return (float) v;
        });
    }

    @Test
    void prepare() throws IOException {
        String dir = System.getProperty("kc.xcheck.prep");
        Assumptions.assumeTrue(dir != null, "set -Dkc.xcheck.prep=DIR to prepare a cross-check");
        Path out = Path.of(dir);
        List<Path> files = TorchSweepTest.files();
        Path root = files.get(0).getParent().getParent();
        StringBuilder jobs = new StringBuilder();
        double budget = Double.parseDouble(System.getProperty("kc.xcheck.budget", "4e6"));
        for (Path f : files) {
            String rel = root.relativize(f).toString();
            Path copy = out.resolve("kb").resolve(rel);
            Files.createDirectories(copy.getParent());
            Files.copy(f, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, String> defines;
            try {
                defines = Shrinker.shrink(f, Map.of(), budget).defines();
            } catch (CompileError e) {
                continue;
            }
            jobs.append("{\"file\": ").append(Json.quote(rel)).append(", \"defines\": {");
            String sep = "";
            for (var d : defines.entrySet()) { jobs.append(sep).append(Json.quote(d.getKey())).append(": ").append(Json.quote(d.getValue())); sep = ", "; }
            jobs.append("}}\n");
        }
        Files.writeString(out.resolve("jobs.jsonl"), jobs);
    }

    @Test
    @SuppressWarnings("unchecked")
    void compare() throws IOException {
        String results = System.getProperty("kc.xcheck.results"), jobsFile = System.getProperty("kc.xcheck.jobs");
        Assumptions.assumeTrue(results != null && jobsFile != null, "set -Dkc.xcheck.results and -Dkc.xcheck.jobs");
        Path root = TorchSweepTest.files().get(0).getParent().getParent();
        Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(jobsFile))) {
            if (line.isBlank()) continue;
            Map<String, Object> j = (Map<String, Object>) Json.parse(line);
            jobs.put((String) j.get("file"), j);
        }
        List<Object> all = (List<Object>) Json.parse(Files.readString(Path.of(results)));
        String only = System.getProperty("kc.only");
        int pass = 0;
        List<String> failures = new ArrayList<>();
        for (Object o : all) {
            Map<String, Object> r = (Map<String, Object>) o;
            String file = (String) r.get("file");
            if (only != null && !file.contains(only)) continue;
            if (r.containsKey("error")) { failures.add(file + ": PyTorch failed: " + r.get("error")); continue; }
            Map<String, String> defines = new LinkedHashMap<>();
            ((Map<String, Object>) jobs.get(file).get("defines")).forEach((k, v) -> defines.put(k, (String) v));
            try {
                String problem = check(root.resolve(file), defines, r);
                if (problem == null) pass++;
                else failures.add(file + " " + defines + ": " + problem);
            } catch (CompileError e) {
                failures.add(file + ": " + e.format());
            } catch (RuntimeException e) {
                failures.add(file + ": INTERNAL " + e);
            }
        }
        System.out.println("XCHECK: " + pass + " agree, " + failures.size() + " differ");
        failures.forEach(s -> System.out.println("XFAIL " + s));
    }

    @SuppressWarnings("unchecked")
    static String check(Path file, Map<String, String> defines, Map<String, Object> r) {
        LoadedModel m = Frontend.load(file, defines);
        List<String> keys = (List<String>) (List<?>) r.get("keys");
        if (!keys.equals(m.stateDictKeys())) return "state_dict keys differ: torch " + keys + " kc " + m.stateDictKeys();
        Map<String, Integer> salt = new LinkedHashMap<>();
        for (int k = 0; k < m.stateDict().size(); k++) salt.put(m.stateDict().get(k).key(), k);
        Map<String, HostTensor> params = new LinkedHashMap<>();
        for (Value p : m.graph().params()) {
            ParamSpec spec = m.stateDict().get(salt.get(p.name()));
            params.put(p.name(), spec.type().dtype().isFloat() ? fill(p.type(), 1000 + salt.get(p.name()), "param") : HostTensor.zeros(p.type()));
        }
        List<Object> trials = (List<Object>) r.get("trials");
        for (int trial = 0; trial < trials.size(); trial++) {
            List<HostTensor> inputs = new ArrayList<>();
            for (int i = 0; i < m.graph().inputs().size(); i++) inputs.add(fill(m.graph().inputs().get(i).type(), 10 + i, "input" + trial));
            List<HostTensor> outs = Interpreter.run(m.graph(), inputs, params);
            List<Object> expected = (List<Object>) trials.get(trial);
            if (expected.size() != outs.size()) return "trial " + trial + ": torch returns " + expected.size() + " outputs, kc " + outs.size();
            for (int k = 0; k < outs.size(); k++) {
                String p = compareOutput(outs.get(k), (Map<String, Object>) expected.get(k));
                if (p != null) return "trial " + trial + " output " + k + ": " + p;
            }
        }
        return null;
    }

    static double num(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        return switch ((String) o) { case "nan" -> Double.NaN; case "inf" -> Double.POSITIVE_INFINITY; default -> Double.NEGATIVE_INFINITY; };
    }

    @SuppressWarnings("unchecked")
    static String compareOutput(HostTensor kc, Map<String, Object> t) {
        List<Long> shape = ((List<Object>) t.get("shape")).stream().map(x -> ((Number) x).longValue()).toList();
        List<Long> kcShape = new ArrayList<>();
        for (long d : kc.shape().toArray()) kcShape.add(d);
        if (!shape.equals(kcShape)) return "shape torch " + shape + " kc " + kcShape;
        String dt = (String) t.get("dtype");
        if (!dt.equals(kc.dtype().torchName())) return "dtype torch " + dt + " kc " + kc.dtype().torchName();
        double sum = 0, abs = 0;
        long nonfinite = 0;
        double[] d = kc.data();
        for (double v : d) { if (Double.isFinite(v)) { sum += v; abs += Math.abs(v); } else nonfinite++; }
        if (nonfinite != ((Number) t.get("nonfinite")).longValue()) return "non-finite count torch " + t.get("nonfinite") + " kc " + nonfinite;
        double tsum = num(t.get("sum")), tabs = num(t.get("abssum"));
        if (Math.abs(sum - tsum) > 1e-4 * Math.max(1, tabs)) return "sum torch " + tsum + " kc " + sum + " (abs sum " + tabs + ")";
        List<Object> samples = (List<Object>) t.get("samples");
        int n = d.length;
        for (int k = 0; k < samples.size(); k++) {
            int pos = n <= SAMPLES ? k : (int) Math.floorMod(k * 2654435761L + 7, (long) n);
            double tv = num(samples.get(k)), kv = d[pos];
            boolean same = Double.isNaN(tv) ? Double.isNaN(kv) : Double.isInfinite(tv) ? tv == kv : Math.abs(tv - kv) <= 1e-4 + 1e-4 * Math.abs(tv);
            if (!same) return "element " + pos + " torch " + tv + " kc " + kv;
        }
        if (kc.dtype() == DType.BOOL || !kc.dtype().isFloat()) return null;
        return null;
    }
}
