package kc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import kc.ir.graph.Json;
import kc.passes.schedule.Precision;
import kc.runtime.ExitCode;
import kc.runtime.bench.BenchReport;
import kc.runtime.bench.ChildRun;
import kc.runtime.bench.GroupTime;
import kc.runtime.bench.ProblemResult;
import kc.runtime.bench.ProgressBar;
import kc.runtime.bench.Timing;
import kc.runtime.bench.Verdict;
import kc.runtime.gpu.CeilingsCache;
import kc.runtime.gpu.DeviceInfo;
import kc.runtime.gpu.GpuDevice;
import kc.runtime.gpu.NoGpuException;
import kc.runtime.verify.PythonTorch;
import kc.runtime.Folders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Verifies and times many problems on the GPU against PyTorch eager and torch.compile.",
                "Each problem runs as `kc run FILE --time` in its own JVM, so a kernel that faults or hangs fails",
                "that problem only. Then one PyTorch process times eager and torch.compile (inductor, default mode,",
                "after torch._dynamo.reset(), timed after its first call) by kc's method: CUDA events, 3 warm-ups,",
                "--timing-trials runs each after a 256 MB L2 flush; then torch.profiler counts the kernels one warm",
                "forward of each runs. The GPU's ceilings (copy bandwidth, fp32 and tensor-core matmul) are measured",
                "once and cached. Writes bench.txt, bench.json and bench.csv into -o DIR and prints the table: times,",
                "speedups (baseline / kc), time over the roofline floor, kernel launches per forward (kc, eager,",
                "torch.compile) and their totals, geometric means per level and fast_p (incorrect problems count as",
                "failures)."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Module files to bench.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--suite", paramLabel = "LIST", description = {"A file listing module files, one per line, relative to the list's folder (e.g. ../shared/kernelbench/core_set.txt).",
            "A line may add kc run options after the file: -D NAME=VALUE, --schedule S (relative to the list), or --kernels DIR (relative to the list) to bench hand-written kernels; # starts a comment."})
    Path suite;

    @Mixin ReferenceOptions reference;
    @Mixin TimingOptions timing;
    @Mixin CacheOptions cache;

    @Option(names = {"-o", "--output"}, defaultValue = "kc-bench", paramLabel = "DIR", description = "Where the report and each problem's log go. Default: ${DEFAULT-VALUE}.")
    Path output;

    @Option(names = "--timeout", defaultValue = "900", paramLabel = "SECONDS", description = "Limit per problem for kc's run, and for each problem's baselines. Default: ${DEFAULT-VALUE}.")
    long timeout;

    @Option(names = "--resume", description = "Keep the results already in -o DIR (kc runs and baselines) and measure only what is missing: a long sweep can be continued.")
    boolean resume;

    @Option(names = "--jobs", defaultValue = "1", paramLabel = "N", description = "Verify N problems at a time, then time them one at a time (the GPU to itself). Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = "--report-only", description = "Measure nothing: print and write the report of the results already in -o DIR (no GPU needed).")
    boolean reportOnly;

    @Option(names = "--no-baselines", description = "Skip PyTorch eager and torch.compile timings.")
    boolean noBaselines;

    @Option(names = "--precision", paramLabel = "P", description = "kc's precision for every problem (fp32, tf32x3, tf32 or bf16; see kc compile); a suite line may set its own.")
    String precision;

    @Spec CommandSpec spec;

    /**
     * One problem: its file, extra `kc run` options from its suite line (e.g. {@code -D batch_size=2} or
     * {@code --kernels DIR}), and its name in the report (the path below the suite folder without .py, plus the
     * options).
     */
    record Problem(Path file, String name, int level, List<String> runArgs) {
        static Problem of(Path file, Path base, List<String> runArgs) {
            String rel = (base != null ? base.relativize(file) : file.getFileName()).toString().replace('\\', '/');
            String name = rel.endsWith(".py") ? rel.substring(0, rel.length() - 3) : rel;
            if (!runArgs.isEmpty()) name += " " + String.join(" ", runArgs.stream().map(a -> a.contains("/") ? Path.of(a).getFileName().toString() : a).toList());
            Matcher m = Pattern.compile("level(\\d+)").matcher(file.toString());
            int level = 0;
            while (m.find()) level = Integer.parseInt(m.group(1));
            return new Problem(file, name, level, List.copyOf(runArgs));
        }

        String slug() { return name.replaceAll("[^A-Za-z0-9._-]", "_"); }

        /** The -D overrides among the options, for the PyTorch baselines. */
        Map<String, String> defines() {
            Map<String, String> d = new LinkedHashMap<>();
            for (int i = 0; i + 1 < runArgs.size(); i++)
                if (runArgs.get(i).equals("-D") && runArgs.get(i + 1).contains("=")) {
                    String[] kv = runArgs.get(i + 1).split("=", 2);
                    d.put(kv[0], kv[1]);
                }
            return d;
        }
    }

    @Override public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        List<Problem> problems = problems();
        if (reportOnly) return report(problems, kept(problems), keptBaselines(problems), "as measured (--report-only)", "see bench.json of the run");
        DeviceInfo device;
        try (GpuDevice d = GpuDevice.open(0)) {
            device = d.info();
        } catch (NoGpuException e) {
            throw new KcFailure(ExitCode.NO_TOOLCHAIN, "bench: " + e.getMessage());
        }
        Optional<Path> py = PythonTorch.find(reference.python);
        Path runs = Files.createDirectories(output.resolve("runs"));
        Path work = Files.createTempDirectory("kc-bench");
        String ceilings = "published figures (no PyTorch to measure)";
        if (py.isPresent()) ceilings = ceilings(py.get(), work, device);

        List<Map<String, Object>> kcResults = jobs > 1 ? verifyThenTime(problems, runs, py) : verifyAndTime(problems, runs, py);
        Map<String, Map<String, Object>> baselines = noBaselines || py.isEmpty() ? Map.of() : baselines(problems, py.get(), work, output.resolve("baselines"));

        Folders.deleteTree(work);
        return report(problems, kcResults, baselines, device.summary(), ceilings);
    }

    /** kc run --time per problem, one after another: each verified and timed in its own JVM. */
    private List<Map<String, Object>> verifyAndTime(List<Problem> problems, Path runs, Optional<Path> py) throws IOException {
        List<Map<String, Object>> results = new ArrayList<>();
        try (ProgressBar bar = ProgressBar.onStderr(problems.size())) {
            for (Problem p : problems) {
                bar.started(p.name() + " (kc)");
                Map<String, Object> r = kept(runs, p);
                if (r == null) r = runChild(p, runs, py, "", List.of("--time"));
                results.add(r);
                bar.finished(p.name(), outcome(r));
            }
        }
        return results;
    }

    /**
     * With --jobs N: verification of N problems at a time (PyTorch start-up and data movement overlap; the GPU is
     * shared, which correctness does not mind), then timing one problem at a time with the GPU to itself
     * ({@code kc run --time-only} of the same deterministic compile), merged into each problem's result.
     */
    private List<Map<String, Object>> verifyThenTime(List<Problem> problems, Path runs, Optional<Path> py) throws IOException {
        List<Map<String, Object>> results = new ArrayList<>(java.util.Collections.nCopies(problems.size(), null));
        try (ProgressBar bar = ProgressBar.onStderr(problems.size());
             var pool = java.util.concurrent.Executors.newFixedThreadPool(jobs)) {
            List<java.util.concurrent.Future<?>> pending = new ArrayList<>();
            for (int i = 0; i < problems.size(); i++) {
                int at = i;
                Problem p = problems.get(i);
                pending.add(pool.submit(() -> {
                    Map<String, Object> r = kept(runs, p);
                    if (r == null) r = runChild(p, runs, py, "", List.of());
                    results.set(at, r);
                    bar.finished(p.name(), "verified: " + r.get("verdict"));
                    return null;
                }));
            }
            for (var f : pending) f.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new KcFailure(ExitCode.INTERNAL, "bench: " + e);
        }
        // Two large problems side by side can exhaust the GPU's memory where either alone fits: again, alone.
        for (int i = 0; i < problems.size(); i++)
            if (outOfMemory(results.get(i))) results.set(i, runChild(problems.get(i), runs, py, "", List.of()));
        try (ProgressBar bar = ProgressBar.onStderr(problems.size())) {
            for (int i = 0; i < problems.size(); i++) {
                Problem p = problems.get(i);
                Map<String, Object> r = results.get(i);
                if ("PASS".equals(r.get("verdict")) && !(r.get("kc") instanceof Map)) {
                    bar.started(p.name() + " (timing)");
                    Map<String, Object> t = runChild(p, runs, py, ".time", List.of("--time-only"));
                    Map<String, Object> merged = new LinkedHashMap<>(r);
                    if (t.get("kc") instanceof Map<?, ?> timing) merged.put("kc", timing);
                    else merged.put("detail", "timing failed: " + t.get("verdict") + " " + t.get("detail"));
                    Folders.writeAtomically(runs.resolve(p.slug() + ".json"), Json.write(merged));
                    results.set(i, merged);
                }
                bar.finished(p.name(), outcome(results.get(i)));
            }
        }
        return results;
    }

    static boolean outOfMemory(Map<String, Object> result) {
        return "ERROR".equals(result.get("verdict")) && String.valueOf(result.get("detail")).contains("OUT_OF_MEMORY");
    }

    /** The result kept from an earlier sweep (with --resume), or null. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> kept(Path runs, Problem p) throws IOException {
        Path f = runs.resolve(p.slug() + ".json");
        return resume && Files.isRegularFile(f) ? (Map<String, Object>) Json.parse(Files.readString(f, StandardCharsets.UTF_8)) : null;
    }

    private static String outcome(Map<String, Object> r) {
        return r.get("verdict") + (r.get("kc") instanceof Map<?, ?> t && t.get("median_ms") instanceof Number n ? String.format(" %.3f ms", n.doubleValue()) : "");
    }

    /** Writes and prints the report of what is known about each problem. */
    private int report(List<Problem> problems, List<Map<String, Object>> kcResults, Map<String, Map<String, Object>> baselines,
                       String deviceSummary, String ceilings) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Optional<Path> py = reportOnly ? Optional.empty() : PythonTorch.find(reference.python);
        List<ProblemResult> results = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) results.add(result(problems.get(i), kcResults.get(i), baselines.get(problems.get(i).name())));
        Map<String, String> meta = new LinkedHashMap<>();
        if (reportOnly && !kcResults.isEmpty() && kcResults.get(0).get("device") != null) deviceSummary = String.valueOf(kcResults.get(0).get("device"));
        meta.put("device", deviceSummary);
        meta.put("date", Instant.now().toString());
        meta.put("reference", reportOnly ? "see each run's log" : py.isPresent() ? "PyTorch (" + py.get() + ") on the same GPU, TF32 off, " + reference.trials + " trials" : "kc's interpreter (no PyTorch)");
        meta.put("timing", "CUDA events, 3 warm-ups, " + timing.trials + " trials, 256 MB L2 flush before each; medians");
        Precision stated = precision == null || Precision.of(precision) == null ? Precision.DEFAULT : Precision.of(precision);
        meta.put("precision", "kc " + stated.word() + (stated.fp32Accurate() ? " (fp32-accurate" : " (REDUCED precision") + ", verified at " + stated.verifiedAt()
                + ") unless a problem's line sets --precision");
        meta.put("baselines", reportOnly ? "as measured" : noBaselines || py.isEmpty() ? "not measured" : "PyTorch eager and torch.compile (inductor, default mode), PyTorch's default numerics, dropout as identity");
        meta.put("ceilings", ceilings);
        BenchReport report = BenchReport.of(results, meta);
        report.writeTo(output);
        out.print(report.table());
        out.println("written: " + output.resolve("bench.txt") + ", bench.json, bench.csv; per-problem logs in " + output.resolve("runs"));
        return results.stream().allMatch(ProblemResult::correct) ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
    }

    /** The kc results already in -o DIR, "not measured" where there is none. */
    private List<Map<String, Object>> kept(List<Problem> problems) throws IOException {
        List<Map<String, Object>> r = new ArrayList<>();
        for (Problem p : problems) {
            Path f = output.resolve("runs").resolve(p.slug() + ".json");
            @SuppressWarnings("unchecked") Map<String, Object> m = Files.isRegularFile(f)
                    ? (Map<String, Object>) Json.parse(Files.readString(f, StandardCharsets.UTF_8)) : Map.of("verdict", "ERROR", "detail", "not measured");
            r.add(m);
        }
        return r;
    }

    private Map<String, Map<String, Object>> keptBaselines(List<Problem> problems) throws IOException {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        for (Problem p : problems) {
            Path dir = output.resolve("baselines").resolve(p.slug());
            if (Files.isRegularFile(dir.resolve("baseline.json"))) {
                @SuppressWarnings("unchecked") Map<String, Object> b = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("baseline.json")));
                found.put(p.name(), b);
            } else if (Files.isRegularFile(dir.resolve("error.txt"))) {
                found.put(p.name(), Map.of("error", Files.readString(dir.resolve("error.txt"))));
            }
        }
        return found;
    }

    private List<Problem> problems() throws IOException {
        List<Problem> problems = new ArrayList<>();
        if (suite != null) {
            if (!Files.isRegularFile(suite)) throw new KcFailure(ExitCode.BAD_INPUT, "bench: no suite file " + suite);
            Path base = suite.toAbsolutePath().getParent();
            int lineNo = 0;
            for (String line : Files.readAllLines(suite, StandardCharsets.UTF_8)) {
                lineNo++;
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) continue;
                List<String> words = List.of(entry.split("\\s+"));
                Path f = base.resolve(words.get(0)).normalize();
                if (!Files.isRegularFile(f)) throw new KcFailure(ExitCode.BAD_INPUT, suite + ":" + lineNo + ":1: error: no such file " + f);
                List<String> args = new ArrayList<>(words.subList(1, words.size()));
                for (int i = 0; i + 1 < args.size(); i++) // kernel folders and schedules are named relative to the list, like the file
                    if (args.get(i).equals("--kernels") || args.get(i).equals("--schedule")) args.set(i + 1, base.resolve(args.get(i + 1)).normalize().toString());
                problems.add(Problem.of(f, base, args));
            }
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw new KcFailure(ExitCode.BAD_INPUT, "bench: no such file " + f);
            Path abs = f.toAbsolutePath();
            problems.add(Problem.of(abs, abs.getParent().getParent(), List.of()));
        }
        if (problems.isEmpty()) throw new KcFailure(ExitCode.BAD_INPUT, "bench: give module files or --suite LIST");
        return problems;
    }

    /** `kc run FILE ... --json` in a child JVM: a fault or a hang is this problem's failure, not the sweep's. */
    private Map<String, Object> runChild(Problem p, Path runs, Optional<Path> py, String phase, List<String> options) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", p.file().toString()));
        args.addAll(p.runArgs());
        if (precision != null && !p.runArgs().contains("--precision")) args.addAll(List.of("--precision", precision));
        args.addAll(options);
        args.addAll(List.of("--trials", Integer.toString(reference.trials), "--timing-trials", Integer.toString(timing.trials),
                "--timing-budget", Double.toString(timing.budget), "--cache-dir", cache.dir().toString()));
        py.ifPresent(x -> { args.add("--python"); args.add(x.toString()); });
        return new ChildRun(Main.class.getName(), timeout).run(args, runs.resolve(p.slug() + phase + ".json"), runs.resolve(p.slug() + phase + ".log"));
    }

    /** The device's ceilings: from the cache, else measured now by PyTorch and cached. */
    private String ceilings(Path py, Path work, DeviceInfo device) throws IOException {
        CeilingsCache cached = cache.ceilings();
        if (cached.load(device.name()).isEmpty()) {
            Path file = cached.file(device.name());
            Files.createDirectories(file.getParent());
            Path script = writeScripts(work);
            runPython(List.of(py.toString(), script.toString(), "--ceilings", file.toString()), work.resolve("ceilings.log"), 600);
        }
        return cached.load(device.name()).map(c -> c.summary() + " (measured, cached in " + cached.file(device.name()) + ")")
                .orElse("published figures (measuring failed: see " + work.resolve("ceilings.log") + ")");
    }

    /**
     * Eager and torch.compile times, all problems in one PyTorch process (importing torch costs seconds); when
     * the process dies, the problem it was on is marked and the rest run in a new one.
     */
    private Map<String, Map<String, Object>> baselines(List<Problem> problems, Path py, Path work, Path dirs) throws IOException {
        Path script = writeScripts(work);
        Files.createDirectories(dirs);
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        List<Problem> pending = new ArrayList<>();
        for (Problem p : problems) {
            if (!resume) Folders.deleteTree(dirs.resolve(p.slug()));
            pending.add(p);
        }
        try (ProgressBar bar = ProgressBar.onStderr(problems.size())) {
            while (!pending.isEmpty()) {
                StringBuilder jobs = new StringBuilder();
                List<Problem> toRun = pending.stream().filter(p -> !Files.isRegularFile(dirs.resolve(p.slug()).resolve("baseline.json"))
                        && !Files.isRegularFile(dirs.resolve(p.slug()).resolve("error.txt"))).toList();
                for (Problem p : toRun)
                    jobs.append("{\"file\": ").append(Json.quote(p.file().toString())).append(", \"out\": ")
                        .append(Json.quote(dirs.resolve(p.slug()).toString())).append(", \"defines\": {")
                        .append(String.join(", ", p.defines().entrySet().stream().map(e -> Json.quote(e.getKey()) + ": " + Json.quote(e.getValue())).toList()))
                        .append("}}\n");
                Path jobsFile = work.resolve("jobs.jsonl");
                Files.writeString(jobsFile, jobs);
                bar.started("PyTorch baselines");
                if (!toRun.isEmpty())
                    runPython(List.of(py.toString(), script.toString(), "--jobs", jobsFile.toString(), "--trials", Integer.toString(timing.trials),
                            "--timing-budget", Double.toString(timing.budget)), dirs.resolve("baselines.log"), timeout * toRun.size());
                List<Problem> still = new ArrayList<>();
                boolean blamed = false;
                for (Problem p : pending) {
                    Path dir = dirs.resolve(p.slug());
                    if (Files.isRegularFile(dir.resolve("baseline.json"))) {
                        @SuppressWarnings("unchecked") Map<String, Object> b = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("baseline.json")));
                        found.put(p.name(), b);
                        bar.finished(p.name(), "eager " + ms(b.get("eager")) + launches(b.get("eager_launches"))
                                + ", compiled " + ms(b.get("compiled")) + launches(b.get("compiled_launches")));
                    } else if (Files.isRegularFile(dir.resolve("error.txt"))) {
                        found.put(p.name(), Map.of("error", Files.readString(dir.resolve("error.txt"))));
                        bar.finished(p.name(), "baseline failed");
                    } else if (!blamed) { // the process died on this one
                        blamed = true;
                        found.put(p.name(), Map.of("error", "the PyTorch process died or timed out on it"));
                        Files.createDirectories(dir);
                        Files.writeString(dir.resolve("error.txt"), "the PyTorch process died or timed out on it");
                        bar.finished(p.name(), "baseline process died");
                    } else {
                        still.add(p);
                    }
                }
                pending = still;
            }
        }
        return found;
    }

    private static String ms(Object timing) {
        return timing instanceof Map<?, ?> t ? String.format("%.3f ms", ((Number) t.get("median_ms")).doubleValue()) : "-";
    }

    private static String launches(Object count) {
        return count instanceof Number n ? " (" + n.intValue() + " kernels)" : "";
    }

    private static Path writeScripts(Path work) throws IOException {
        for (String name : List.of("torch_reference.py", "torch_bench.py"))
            try (InputStream in = BenchCommand.class.getResourceAsStream("/kc/runtime/" + name)) {
                Files.write(work.resolve(name), in.readAllBytes());
            }
        return work.resolve("torch_bench.py");
    }

    private static void runPython(List<String> cmd, Path log, long timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A problem's report line from its kc run's JSON and its baselines' (null when none were measured). Either may
     * come from an older kc that wrote fewer fields: what is missing is unknown.
     */
    static ProblemResult result(Problem p, Map<String, Object> kc, Map<String, Object> baseline) {
        Verdict verdict;
        try {
            verdict = Verdict.valueOf(String.valueOf(kc.getOrDefault("verdict", "CRASH")));
        } catch (IllegalArgumentException e) {
            verdict = Verdict.CRASH;
        }
        String detail = String.valueOf(kc.getOrDefault("detail", ""));
        Timing eager = null, compiled = null, eagerStrict = null;
        int eagerLaunches = -1, compiledLaunches = -1;
        if (baseline != null) {
            eager = timing(baseline.get("eager"));
            eagerStrict = timing(baseline.get("eager_strict"));
            compiled = timing(baseline.get("compiled"));
            eagerLaunches = count(baseline.get("eager_launches"));
            compiledLaunches = count(baseline.get("compiled_launches"));
            if (baseline.containsKey("error")) detail = (detail.isEmpty() ? "" : detail + "; ") + "baselines: " + baseline.get("error");
        }
        return new ProblemResult(p.name(), p.level(), verdict, detail, timing(kc.get("kc")), eager, compiled,
                number(kc.get("floor_ms")), number(kc.get("max_abs_error")), number(kc.get("rel_l2_error")),
                count(kc.get("kernels")), count(kc.get("launches")), eagerLaunches, compiledLaunches, eagerStrict,
                kc.get("precision") instanceof String s ? s : null, GroupTime.listFromJson(kc.get("groups")));
    }

    /** A count read back from a run's or a baseline's JSON; -1 (unknown) when absent, null or negative. */
    private static int count(Object o) { return o instanceof Number n && n.intValue() >= 0 ? n.intValue() : -1; }

    /** A timing read back from a run's JSON; null when absent or malformed (the report shows it as not measured). */
    private static Timing timing(Object o) {
        if (!(o instanceof Map<?, ?> m)) return null;
        try {
            return new Timing(number(m.get("median_ms")), number(m.get("mean_ms")), number(m.get("min_ms")), number(m.get("max_ms")),
                    (int) number(m.get("trials")));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static double number(Object o) { return o instanceof Number n ? n.doubleValue() : Double.NaN; }
}
