package kc.runtime.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Predicate;

import kc.ir.graph.Json;

/**
 * The results of one {@code kc bench} run and the summary MEASURING.md defines, as a text table, JSON and CSV.
 * Speedup = baseline median / kc median. Geometric means are over the correct problems whose kc time and
 * baseline time were measured; fast_p is the fraction of ALL problems in scope that are correct and have a
 * speedup greater than p, so an incorrect or unmeasured problem counts as a failure. Speedups over
 * {@link #FLAG_SPEEDUP} are flagged for a human look. Kernel launches per forward (kc's launch plan, PyTorch eager's
 * and torch.compile's as torch.profiler counts them) are shown per problem and summed in {@link #launchTotals()}.
 */
public final class BenchReport {

    /** A speedup above this is suspicious until someone has looked at it. */
    public static final double FLAG_SPEEDUP = 10;
    /** The thresholds fast_p is reported for. */
    public static final List<Double> FAST_P = List.of(0.0, 1.0, 1.5, 2.0);

    /** What kc is compared with. */
    public enum Baseline {
        EAGER("eager"), COMPILED("compile"), BEST("best");

        /** the short name used in table headings and JSON/CSV keys ("vs_" + key) */
        public final String label;

        Baseline(String label) { this.label = label; }

        public double speedupOf(ProblemResult r) {
            return switch (this) {
                case EAGER -> r.speedupVsEager();
                case COMPILED -> r.speedupVsCompiled();
                case BEST -> r.speedupVsBest();
            };
        }

        String key() { return this == COMPILED ? "compiled" : label; }
    }

    /** A geometric mean of speedups and how many problems it is over (NaN when none). */
    public record Geomean(double speedup, int count) {}

    /**
     * Kernel launches per forward summed over {@code problems} problems, and on how many of them kc launches no more
     * kernels than torch.compile does.
     */
    public record LaunchTotals(int problems, long kc, long eager, long compiled, int kcAtMostCompiled) {}

    private final List<ProblemResult> results;
    private final Map<String, String> meta;

    private BenchReport(List<ProblemResult> results, Map<String, String> meta) {
        this.results = List.copyOf(results);
        this.meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }

    /**
     * A report of results, in the order given, and run metadata (device, torch version, date, trials…: printed
     * in the order given).
     */
    public static BenchReport of(List<ProblemResult> results, Map<String, String> meta) {
        Objects.requireNonNull(results, "results");
        Objects.requireNonNull(meta, "meta");
        return new BenchReport(results, meta);
    }

    public List<ProblemResult> results() { return results; }

    public Map<String, String> meta() { return meta; }

    /** The levels present, ascending. */
    public List<Integer> levels() {
        return results.stream().map(ProblemResult::level).distinct().sorted().toList();
    }

    /** True when a speedup of r over eager or torch.compile exceeds {@link #FLAG_SPEEDUP}. */
    public static boolean flagged(ProblemResult r) {
        return r.speedupVsEager() > FLAG_SPEEDUP || r.speedupVsCompiled() > FLAG_SPEEDUP;
    }

    /** The geometric mean speedup over baseline b of the correct, timed problems of a level (or all when empty). */
    public Geomean geomean(Baseline b, OptionalInt level) {
        double logSum = 0;
        int n = 0;
        for (ProblemResult r : inScope(level)) {
            double s = b.speedupOf(r);
            if (r.correct() && s > 0 && Double.isFinite(s)) { logSum += Math.log(s); n++; }
        }
        return new Geomean(n == 0 ? Double.NaN : Math.exp(logSum / n), n);
    }

    /**
     * fast_p over baseline b: the fraction of the problems of a level (all when empty) that are correct and
     * have a speedup greater than p; NaN when the scope holds no problem.
     */
    public double fastP(Baseline b, double p, OptionalInt level) {
        List<ProblemResult> scope = inScope(level);
        if (scope.isEmpty()) return Double.NaN;
        long fast = scope.stream().filter(r -> r.correct() && b.speedupOf(r) > p).count();
        return (double) fast / scope.size();
    }

    /**
     * Launches summed over the correct problems whose three counts are all known: like the geometric means, a
     * problem kc gets wrong is no comparison, and a sum over different sets of problems would compare nothing.
     */
    public LaunchTotals launchTotals() {
        int n = 0, atMost = 0;
        long kc = 0, eager = 0, compiled = 0;
        for (ProblemResult r : results) {
            if (!r.correct() || !r.launchesCounted()) continue;
            n++;
            kc += r.launches();
            eager += r.eagerLaunches();
            compiled += r.compiledLaunches();
            if (r.launches() <= r.compiledLaunches()) atMost++;
        }
        return new LaunchTotals(n, kc, eager, compiled, atMost);
    }

    private List<ProblemResult> inScope(OptionalInt level) {
        Predicate<ProblemResult> in = r -> level.isEmpty() || r.level() == level.getAsInt();
        return results.stream().filter(in).toList();
    }

    /** Each level present, then all problems together (the empty scope). */
    private List<OptionalInt> scopes() {
        List<OptionalInt> scopes = new ArrayList<>();
        for (int level : levels()) scopes.add(OptionalInt.of(level));
        scopes.add(OptionalInt.empty());
        return scopes;
    }

    private static String scopeName(OptionalInt level) {
        return level.isPresent() ? "level " + level.getAsInt() : "all";
    }

    // ---------------------------------------------------------------- text

    /** The aligned text table, then problems not passing with why, flags, launch totals, geometric means and fast_p. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        if (!meta.isEmpty()) {
            List<String> parts = new ArrayList<>();
            meta.forEach((k, v) -> parts.add(k + ": " + v));
            sb.append("kc bench  ").append(String.join(", ", parts)).append("\n\n");
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"problem", "level", "verdict", "kc precision", "kc ms", "eager ms", "eager fp32 ms", "compile ms", "vs eager",
                "vs compile", "over floor", "kc launches", "eager launches", "compile launches", "max abs err", "rel l2 err"});
        for (ProblemResult r : results) {
            rows.add(new String[] {r.problem(), Integer.toString(r.level()), r.verdict().name(), precisionCell(r.precision()), ms(r.kc()),
                    ms(r.eager()), ms(r.eagerStrict()), ms(r.compiled()), speedupCell(r.speedupVsEager()),
                    speedupCell(r.speedupVsCompiled()), fixed(r.overFloor(), 1), count(r.launches()),
                    count(r.eagerLaunches()), count(r.compiledLaunches()), sci(r.maxAbsError()), sci(r.relL2Error())});
        }
        align(sb, rows, 3);

        List<ProblemResult> notPassing = results.stream().filter(r -> !r.correct()).toList();
        if (!notPassing.isEmpty()) {
            sb.append("\nnot passing (").append(notPassing.size()).append(" of ").append(results.size()).append("):\n");
            List<String[]> why = new ArrayList<>();
            for (ProblemResult r : notPassing) why.add(new String[] {"  " + r.problem(), r.verdict().name(), firstLine(r.detail())});
            align(sb, why, Integer.MAX_VALUE);
        }
        if (results.stream().anyMatch(r -> reduced(r.precision())))
            sb.append("\n* reduced precision: verified at 1e-2 with atol relative to the output's rms, not fp32's 1e-4; its speedups are")
              .append(" against PyTorch's fp32 numbers beside it\n");
        contractionsOverFloor(sb);
        long flags = results.stream().filter(BenchReport::flagged).count();
        if (flags > 0)
            sb.append("\n! ").append(flags).append(flags == 1 ? " problem has" : " problems have")
              .append(" a speedup over ").append(fixed(FLAG_SPEEDUP, 0)).append("x: look at it before believing it\n");

        LaunchTotals launches = launchTotals();
        sb.append("\nkernel launches per forward");
        if (launches.problems() == 0) sb.append(": no correct problem has all three counted\n");
        else sb.append(", summed over the ").append(launches.problems()).append(" correct problems with all three counted\n  kc ")
               .append(launches.kc()).append(", eager ").append(launches.eager()).append(", torch.compile ")
               .append(launches.compiled()).append("; kc <= torch.compile on ").append(launches.kcAtMostCompiled())
               .append(" of ").append(launches.problems()).append('\n');

        sb.append("\ngeomean speedup over the correct problems with both times measured (n = how many)\n");
        List<String[]> g = new ArrayList<>();
        g.add(header("scope"));
        for (OptionalInt scope : scopes()) {
            String[] row = new String[1 + Baseline.values().length];
            row[0] = scopeName(scope);
            for (Baseline b : Baseline.values()) {
                Geomean m = geomean(b, scope);
                row[1 + b.ordinal()] = (m.count() == 0 ? "-" : fixed(m.speedup(), 2) + "x") + " (n=" + m.count() + ")";
            }
            g.add(row);
        }
        align(sb, g, 1);

        sb.append("\nfast_p: correct and speedup > p, as a fraction of all problems (incorrect ones count as failures)\n");
        List<String[]> f = new ArrayList<>();
        String[] fh = header("p");
        f.add(prepend("scope", fh));
        for (OptionalInt scope : scopes()) {
            int n = inScope(scope).size();
            for (double p : FAST_P) {
                String[] row = new String[2 + Baseline.values().length];
                row[0] = scopeName(scope) + " (" + n + ")";
                row[1] = fixed(p, 1);
                for (Baseline b : Baseline.values()) row[2 + b.ordinal()] = fixed(100 * fastP(b, p, scope), 1) + "%";
                f.add(row);
            }
        }
        align(sb, f, 1);
        return sb.toString();
    }

    private static String[] header(String first) {
        String[] h = new String[1 + Baseline.values().length];
        h[0] = first;
        for (Baseline b : Baseline.values()) h[1 + b.ordinal()] = "vs " + b.label;
        return h;
    }

    private static String[] prepend(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Appends rows as columns padded to their widest cell: the first leftColumns left-aligned, the rest right. */
    private static void align(StringBuilder sb, List<String[]> rows, int leftColumns) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[cols];
        for (String[] r : rows) for (int c = 0; c < r.length; c++) width[c] = Math.max(width[c], r[c].length());
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < r.length; c++) {
                if (c > 0) line.append("  ");
                String pad = " ".repeat(width[c] - r[c].length());
                line.append(c < leftColumns ? r[c] + pad : pad + r[c]);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    private static String ms(Timing t) { return t == null ? "-" : fixed(t.medianMs(), 4); }

    private static String count(int n) { return n < 0 ? "-" : Integer.toString(n); }

    private static String speedupCell(double s) {
        if (Double.isNaN(s)) return "-";
        return fixed(s, 2) + "x" + (s > FLAG_SPEEDUP ? "!" : "");
    }

    private static String fixed(double v, int decimals) {
        if (Double.isNaN(v)) return "-";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String sci(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1e", v) : fixed(v, 0);
    }

    /** Contraction groups listed, the furthest over their floor first. */
    static final int WORST_CONTRACTIONS = 5;
    /** MEASURING.md's bound for a contraction kernel: within this many times its floor. */
    static final double CONTRACTION_FLOOR_BOUND = 2.5;

    /**
     * The contraction groups of the correct problems furthest over their floor (their precision's matrix-unit rate, or
     * the bandwidth): how many are within {@link #CONTRACTION_FLOOR_BOUND}x, then the worst few.
     */
    private void contractionsOverFloor(StringBuilder sb) {
        record Contraction(String problem, GroupTime group) {}
        List<String[]> rows = new ArrayList<>();
        List<Contraction> all = new ArrayList<>();
        for (ProblemResult r : results)
            if (r.correct() && r.groups() != null)
                for (GroupTime g : r.groups()) if (g.contraction() && Double.isFinite(g.overFloor())) all.add(new Contraction(r.problem(), g));
        if (all.isEmpty()) return;
        all.sort(java.util.Comparator.comparingDouble((Contraction a) -> a.group().overFloor()).reversed());
        long within = all.stream().filter(a -> a.group().overFloor() <= CONTRACTION_FLOOR_BOUND).count();
        sb.append("\ncontraction groups within ").append(fixed(CONTRACTION_FLOOR_BOUND, 1)).append("x of their floor: ").append(within)
          .append(" of ").append(all.size()).append("; the furthest over it:\n");
        rows.add(new String[] {"  problem", "group", "launches", "ms", "floor ms", "x floor"});
        for (Contraction a : all.subList(0, Math.min(WORST_CONTRACTIONS, all.size()))) {
            GroupTime g = a.group();
            rows.add(new String[] {"  " + a.problem(), g.group(), Integer.toString(g.launches()), fixed(g.ms(), 4), fixed(g.floorMs(), 4), fixed(g.overFloor(), 1)});
        }
        align(sb, rows, 2);
    }

    /** The precision word, starred where the class is reduced (see the table's footnote). */
    private static String precisionCell(String precision) {
        return precision == null ? "-" : precision + (reduced(precision) ? " *" : "");
    }

    private static boolean reduced(String precision) {
        kc.passes.schedule.Precision p = precision == null ? null : kc.passes.schedule.Precision.of(precision);
        return p != null && !p.fp32Accurate();
    }

    private static String firstLine(String s) {
        String line = s.lines().findFirst().orElse("");
        return line.length() > 120 ? line.substring(0, 117) + "..." : line;
    }

    // ---------------------------------------------------------------- JSON

    /**
     * The report as JSON: {@code meta}, {@code problems} (every field of {@link ProblemResult} plus the derived
     * speedups, time over floor and flag) and {@code summary} (launch totals, geometric means and fast_p per scope).
     * Unknown figures are null; an infinite error is written as 1e999 (which JSON readers, this project's and
     * Python's, read back as infinity).
     */
    public String json() {
        StringBuilder sb = new StringBuilder("{\n  \"meta\": {");
        int i = 0;
        for (Map.Entry<String, String> e : meta.entrySet())
            sb.append(i++ == 0 ? "" : ", ").append(Json.quote(e.getKey())).append(": ").append(Json.quote(e.getValue()));
        sb.append("},\n  \"problems\": [");
        for (int k = 0; k < results.size(); k++) {
            ProblemResult r = results.get(k);
            sb.append(k == 0 ? "\n    " : ",\n    ").append('{')
              .append("\"problem\": ").append(Json.quote(r.problem()))
              .append(", \"level\": ").append(r.level())
              .append(", \"verdict\": ").append(Json.quote(r.verdict().name()))
              .append(", \"detail\": ").append(Json.quote(r.detail()))
              .append(", \"kc\": ").append(timingJson(r.kc()))
              .append(", \"eager\": ").append(timingJson(r.eager()))
              .append(", \"compiled\": ").append(timingJson(r.compiled()))
              .append(", \"floor_ms\": ").append(num(r.floorMs()))
              .append(", \"max_abs_error\": ").append(num(r.maxAbsError()))
              .append(", \"rel_l2_error\": ").append(num(r.relL2Error()))
              .append(", \"kernels\": ").append(countJson(r.kernels()))
              .append(", \"launches\": ").append(countJson(r.launches()))
              .append(", \"eager_launches\": ").append(countJson(r.eagerLaunches()))
              .append(", \"compiled_launches\": ").append(countJson(r.compiledLaunches()))
              .append(", \"eager_strict\": ").append(timingJson(r.eagerStrict()))
              .append(", \"precision\": ").append(r.precision() == null ? "null" : Json.quote(r.precision()))
              .append(", \"groups\": ").append(r.groups() == null ? "null" : Json.write(r.groups().stream().map(GroupTime::toJson).toList()));
            for (Baseline b : Baseline.values()) sb.append(", \"speedup_vs_").append(b.key()).append("\": ").append(num(b.speedupOf(r)));
            sb.append(", \"over_floor\": ").append(num(r.overFloor()))
              .append(", \"flagged\": ").append(flagged(r))
              .append('}');
        }
        sb.append(results.isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"summary\": {\"problems\": ").append(results.size())
          .append(", \"correct\": ").append(results.stream().filter(ProblemResult::correct).count())
          .append(", \"flagged\": ").append(results.stream().filter(BenchReport::flagged).count());
        LaunchTotals launches = launchTotals();
        sb.append(",\n    \"launches\": {\"problems\": ").append(launches.problems())
          .append(", \"kc\": ").append(launches.kc())
          .append(", \"eager\": ").append(launches.eager())
          .append(", \"compiled\": ").append(launches.compiled())
          .append(", \"kc_at_most_compiled\": ").append(launches.kcAtMostCompiled()).append('}')
          .append(",\n    \"geomean\": [");
        List<OptionalInt> scopes = scopes();
        for (int s = 0; s < scopes.size(); s++) {
            OptionalInt scope = scopes.get(s);
            sb.append(s == 0 ? "\n      " : ",\n      ").append("{\"level\": ").append(levelJson(scope));
            for (Baseline b : Baseline.values()) {
                Geomean g = geomean(b, scope);
                sb.append(", \"vs_").append(b.key()).append("\": ").append(num(g.speedup()))
                  .append(", \"n_").append(b.key()).append("\": ").append(g.count());
            }
            sb.append('}');
        }
        sb.append("\n    ],\n    \"fast_p\": [");
        int row = 0;
        for (OptionalInt scope : scopes) {
            for (double p : FAST_P) {
                sb.append(row++ == 0 ? "\n      " : ",\n      ").append("{\"level\": ").append(levelJson(scope))
                  .append(", \"p\": ").append(num(p));
                for (Baseline b : Baseline.values()) sb.append(", \"vs_").append(b.key()).append("\": ").append(num(fastP(b, p, scope)));
                sb.append('}');
            }
        }
        return sb.append("\n    ]\n  }\n}\n").toString();
    }

    private static String levelJson(OptionalInt scope) {
        return scope.isPresent() ? Integer.toString(scope.getAsInt()) : "null";
    }

    private static String timingJson(Timing t) {
        if (t == null) return "null";
        return "{\"median_ms\": " + num(t.medianMs()) + ", \"mean_ms\": " + num(t.meanMs()) + ", \"min_ms\": "
                + num(t.minMs()) + ", \"max_ms\": " + num(t.maxMs()) + ", \"trials\": " + t.trials() + "}";
    }

    private static String countJson(int n) { return n < 0 ? "null" : Integer.toString(n); }

    private static String num(double v) {
        if (Double.isNaN(v)) return "null";
        if (Double.isInfinite(v)) return v > 0 ? "1e999" : "-1e999";
        return Double.toString(v);
    }

    /**
     * Reads back a report written by {@link #json()} (the derived fields and the summary are recomputed). A count
     * that is null or absent (reports written before eager's and torch.compile's launches were counted) is unknown.
     */
    public static BenchReport parseJson(String text) {
        Map<?, ?> root = (Map<?, ?>) Json.parse(text);
        Map<String, String> meta = new LinkedHashMap<>();
        ((Map<?, ?>) root.get("meta")).forEach((k, v) -> meta.put((String) k, (String) v));
        List<ProblemResult> results = new ArrayList<>();
        for (Object o : (List<?>) root.get("problems")) {
            Map<?, ?> p = (Map<?, ?>) o;
            results.add(new ProblemResult((String) p.get("problem"), intOf(p.get("level")),
                    Verdict.valueOf((String) p.get("verdict")), (String) p.get("detail"),
                    timingOf(p.get("kc")), timingOf(p.get("eager")), timingOf(p.get("compiled")),
                    doubleOf(p.get("floor_ms")), doubleOf(p.get("max_abs_error")), doubleOf(p.get("rel_l2_error")),
                    countOf(p.get("kernels")), countOf(p.get("launches")),
                    countOf(p.get("eager_launches")), countOf(p.get("compiled_launches")),
                    timingOf(p.get("eager_strict")), p.get("precision") instanceof String s ? s : null, GroupTime.listFromJson(p.get("groups"))));
        }
        return new BenchReport(results, meta);
    }

    private static Timing timingOf(Object o) {
        if (o == null) return null;
        Map<?, ?> t = (Map<?, ?>) o;
        return new Timing(doubleOf(t.get("median_ms")), doubleOf(t.get("mean_ms")), doubleOf(t.get("min_ms")),
                doubleOf(t.get("max_ms")), intOf(t.get("trials")));
    }

    private static double doubleOf(Object o) { return o == null ? Double.NaN : ((Number) o).doubleValue(); }

    private static int intOf(Object o) { return ((Number) o).intValue(); }

    /** A count read back: -1 (unknown) for null or absent, as for -1 itself, which older reports wrote. */
    private static int countOf(Object o) { return o instanceof Number n && n.intValue() >= 0 ? n.intValue() : -1; }

    // ---------------------------------------------------------------- CSV

    /** The CSV column names, in order. */
    public static final List<String> CSV_COLUMNS = List.of("problem", "level", "verdict",
            "kc_median_ms", "kc_mean_ms", "kc_min_ms", "kc_max_ms", "kc_trials",
            "eager_median_ms", "eager_mean_ms", "compiled_median_ms", "compiled_mean_ms",
            "speedup_vs_eager", "speedup_vs_compiled", "speedup_vs_best", "floor_ms", "over_floor",
            "max_abs_error", "rel_l2_error", "kernels", "launches", "eager_launches", "compiled_launches", "flagged", "detail",
            "eager_strict_median_ms", "precision");

    /**
     * One row per problem (RFC 4180: fields with a comma, quote or line break are quoted). Unknown figures are
     * empty; numbers are written exactly ({@link Double#toString}).
     */
    public String csv() {
        StringBuilder sb = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        for (ProblemResult r : results) {
            List<String> f = new ArrayList<>();
            f.add(csvField(r.problem()));
            f.add(Integer.toString(r.level()));
            f.add(r.verdict().name());
            Timing kc = r.kc();
            f.add(kc == null ? "" : csvNum(kc.medianMs()));
            f.add(kc == null ? "" : csvNum(kc.meanMs()));
            f.add(kc == null ? "" : csvNum(kc.minMs()));
            f.add(kc == null ? "" : csvNum(kc.maxMs()));
            f.add(kc == null ? "" : Integer.toString(kc.trials()));
            for (Timing t : new Timing[] {r.eager(), r.compiled()}) {
                f.add(t == null ? "" : csvNum(t.medianMs()));
                f.add(t == null ? "" : csvNum(t.meanMs()));
            }
            for (Baseline b : Baseline.values()) f.add(csvNum(b.speedupOf(r)));
            f.add(csvNum(r.floorMs()));
            f.add(csvNum(r.overFloor()));
            f.add(csvNum(r.maxAbsError()));
            f.add(csvNum(r.relL2Error()));
            for (int n : new int[] {r.kernels(), r.launches(), r.eagerLaunches(), r.compiledLaunches()})
                f.add(n < 0 ? "" : Integer.toString(n));
            f.add(Boolean.toString(flagged(r)));
            f.add(csvField(r.detail()));
            f.add(r.eagerStrict() == null ? "" : csvNum(r.eagerStrict().medianMs()));
            f.add(r.precision() == null ? "" : csvField(r.precision()));
            sb.append(String.join(",", f)).append('\n');
        }
        return sb.toString();
    }

    private static String csvNum(double v) {
        if (Double.isNaN(v)) return "";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return Double.toString(v);
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    // ---------------------------------------------------------------- files

    /**
     * Writes bench.json, bench.csv and bench.txt (the table) into dir, creating it. Each file is written to a
     * temporary file beside it and moved into place, so a reader never sees half a report.
     */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        writeAtomically(dir.resolve("bench.json"), json());
        writeAtomically(dir.resolve("bench.csv"), csv());
        writeAtomically(dir.resolve("bench.txt"), table());
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
