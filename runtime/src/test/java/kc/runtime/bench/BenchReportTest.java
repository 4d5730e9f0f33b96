package kc.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import kc.ir.graph.Json;
import kc.runtime.bench.BenchReport.Baseline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {
    private static final OptionalInt ALL = OptionalInt.empty();
    private static final double EPS = 1e-12;

    private static Timing ms(double median) { return new Timing(median, median, median, median, 100); }

    private static ProblemResult timed(String name, int level, Verdict v, double kc, double eager, double compiled) {
        return timed(name, level, v, kc, eager, compiled, 3, 5, 4);
    }

    /** With kc's, eager's and torch.compile's launches per forward (-1: not counted). */
    private static ProblemResult timed(String name, int level, Verdict v, double kc, double eager, double compiled,
                                       int kcLaunches, int eagerLaunches, int compiledLaunches) {
        return new ProblemResult(name, level, v, v == Verdict.PASS ? "" : "outputs differ", ms(kc), ms(eager),
                ms(compiled), kc / 4, 1e-6, 1e-7, 2, kcLaunches, eagerLaunches, compiledLaunches);
    }

    private static ProblemResult untimed(String name, int level, Verdict v, String detail) {
        return new ProblemResult(name, level, v, detail, null, null, null, Double.NaN, Double.NaN, Double.NaN, -1, -1, -1, -1);
    }

    /**
     * Level 1: a (eager 2.5x, compile 1.25x), b (1.2x, 3x), c incorrect though fast (5x, 5x), d no timings.
     * Level 2: e (0.5x, 0.8x). Launches kc/eager/compile: a 3/7/4, b 6/5/4, c 1/9/9, d none, e 5/8/not counted.
     */
    private static final List<ProblemResult> FIVE = List.of(
            timed("level1/a", 1, Verdict.PASS, 2.0, 5.0, 2.5, 3, 7, 4),
            timed("level1/b", 1, Verdict.PASS, 1.0, 1.2, 3.0, 6, 5, 4),
            timed("level1/c", 1, Verdict.FAIL, 1.0, 5.0, 5.0, 1, 9, 9),
            untimed("level1/d", 1, Verdict.ERROR, "lowering: unsupported op"),
            timed("level2/e", 2, Verdict.PASS, 2.0, 1.0, 1.6, 5, 8, -1));

    private static final Map<String, String> META = new LinkedHashMap<>(Map.of("device", "NVIDIA H200"));

    @Test void contractionGroupsAreJudgedAgainstTheirFloorsAndRoundTrip() {
        List<GroupTime> a = List.of(new GroupTime("matmul#1", 1, 7.0, 0.8, true), new GroupTime("relu#1", 1, 1.0, 0.1, false));
        List<GroupTime> b = List.of(new GroupTime("conv", 2, 3.0, 2.0, true), new GroupTime("gemm", 1, 0.5, 0.25, true));
        ProblemResult pa = new ProblemResult("level1/a", 1, Verdict.PASS, "", ms(8), ms(3), ms(3), 1, 1e-6, 1e-7, 2, 2, 2, 2, null, "tf32x3", a);
        ProblemResult pb = new ProblemResult("level2/b", 2, Verdict.PASS, "", ms(4), ms(3), ms(3), 1, 1e-6, 1e-7, 3, 3, 2, 2, null, "tf32x3", b);
        ProblemResult wrong = new ProblemResult("level2/c", 2, Verdict.FAIL, "differs", ms(4), ms(3), ms(3), 1, 1, 1, 1, 1, 1, 1, null, "tf32x3",
                List.of(new GroupTime("mm", 1, 100, 1, true)));
        BenchReport report = BenchReport.of(List.of(pa, pb, wrong), java.util.Map.of());
        String table = report.table();
        // the incorrect problem's group is left out; the relu is no contraction
        assertTrue(table.contains("contraction groups within 2.5x of their floor: 2 of 3; the furthest over it:"), table);
        int first = table.indexOf("matmul#1"), second = table.indexOf("gemm"), third = table.indexOf(" conv ");
        assertTrue(first > 0 && first < second && second < third, table);
        assertEquals(List.of(pa.groups(), pb.groups(), wrong.groups()),
                BenchReport.parseJson(report.json()).results().stream().map(ProblemResult::groups).toList());
        // per launch times [trial][launch] to per group medians: a split contraction's two launches summed
        kc.passes.cost.CostModel.Estimate est = new kc.passes.cost.CostModel.Estimate(List.of(
                new kc.passes.cost.CostModel.KernelCost("mm", 1e9, 1e6, 1e-3, true), new kc.passes.cost.CostModel.KernelCost("relu", 0, 1e6, 2e-4, false)),
                1e9, 2e6, 1.2e-3, 2e6, 1.2e-3);
        double[][] launches = {{1.0, 0.25, 0.5}, {3.0, 0.25, 0.7}, {2.0, 0.5, 0.6}};
        List<GroupTime> groups = GroupTime.of(List.of("mm", "mm", "relu"), launches, est);
        assertEquals(List.of(new GroupTime("mm", 2, 2.5, 1.0, true), new GroupTime("relu", 1, 0.6, 0.2, false)), groups);
    }

    @Test void speedupIsBaselineOverKcAndBestTakesTheFasterBaseline() {
        ProblemResult a = FIVE.get(0);
        assertEquals(2.5, a.speedupVsEager(), EPS);
        assertEquals(1.25, a.speedupVsCompiled(), EPS);
        assertEquals(1.25, a.speedupVsBest(), EPS);
        assertEquals(1.2, FIVE.get(1).speedupVsBest(), EPS);
        assertEquals(4.0, a.overFloor(), EPS);
        ProblemResult eagerOnly = new ProblemResult("x", 1, Verdict.PASS, "", ms(1), ms(3), null, 0, 0, 0, 1, 1, 2, -1);
        assertEquals(3.0, eagerOnly.speedupVsBest(), EPS);
        assertTrue(Double.isNaN(eagerOnly.speedupVsCompiled()));
        assertTrue(Double.isNaN(eagerOnly.overFloor()), "a floor of 0 is unknown, not infinitely fast");
    }

    @Test void geomeanIsOverCorrectTimedProblemsOnly() {
        BenchReport r = BenchReport.of(FIVE, META);
        // level 1: a and b (c is incorrect, d untimed)
        assertEquals(Math.sqrt(2.5 * 1.2), r.geomean(Baseline.EAGER, OptionalInt.of(1)).speedup(), EPS);
        assertEquals(2, r.geomean(Baseline.EAGER, OptionalInt.of(1)).count());
        assertEquals(Math.sqrt(1.25 * 3.0), r.geomean(Baseline.COMPILED, OptionalInt.of(1)).speedup(), EPS);
        assertEquals(Math.cbrt(2.5 * 1.2 * 0.5), r.geomean(Baseline.EAGER, ALL).speedup(), EPS);
        assertEquals(Math.cbrt(1.25 * 1.2 * 0.5), r.geomean(Baseline.BEST, ALL).speedup(), EPS);
        assertEquals(0.5, r.geomean(Baseline.EAGER, OptionalInt.of(2)).speedup(), EPS);
        BenchReport none = BenchReport.of(List.of(FIVE.get(2), FIVE.get(3)), META);
        assertTrue(Double.isNaN(none.geomean(Baseline.EAGER, ALL).speedup()));
        assertEquals(0, none.geomean(Baseline.EAGER, ALL).count());
    }

    @Test void fastPCountsIncorrectAndUntimedProblemsAsFailures() {
        BenchReport r = BenchReport.of(FIVE, META);
        // eager speedups of correct problems: a 2.5, b 1.2, e 0.5; c (5x but FAIL) and d never count
        assertEquals(3 / 5.0, r.fastP(Baseline.EAGER, 0, ALL), EPS);
        assertEquals(2 / 5.0, r.fastP(Baseline.EAGER, 1.0, ALL), EPS);
        assertEquals(1 / 5.0, r.fastP(Baseline.EAGER, 1.5, ALL), EPS);
        assertEquals(1 / 5.0, r.fastP(Baseline.EAGER, 2.0, ALL), EPS);
        // compile: a 1.25, b 3, e 0.8
        assertEquals(2 / 5.0, r.fastP(Baseline.COMPILED, 1.0, ALL), EPS);
        assertEquals(1 / 5.0, r.fastP(Baseline.COMPILED, 2.0, ALL), EPS);
        // best: a 1.25, b 1.2, e 0.5
        assertEquals(2 / 5.0, r.fastP(Baseline.BEST, 1.0, ALL), EPS);
        assertEquals(0.0, r.fastP(Baseline.BEST, 1.5, ALL), EPS);
        // per level: the level's own problems are the denominator
        assertEquals(2 / 4.0, r.fastP(Baseline.EAGER, 1.0, OptionalInt.of(1)), EPS);
        assertEquals(0.0, r.fastP(Baseline.EAGER, 1.0, OptionalInt.of(2)), EPS);
        assertTrue(Double.isNaN(r.fastP(Baseline.EAGER, 1.0, OptionalInt.of(3))));
    }

    @Test void speedupsOverTenAreFlagged() {
        ProblemResult fast = timed("level1/too_fast", 1, Verdict.PASS, 0.1, 1.5, 0.9);
        BenchReport r = BenchReport.of(List.of(fast, FIVE.get(0)), META);
        assertTrue(BenchReport.flagged(fast));
        assertFalse(BenchReport.flagged(FIVE.get(0)));
        String table = r.table();
        assertTrue(table.contains("15.00x!"), table);
        assertFalse(table.contains("9.00x!"), table);
        assertTrue(table.contains("! 1 problem has a speedup over 10x"), table);
        Map<?, ?> json = (Map<?, ?>) Json.parse(r.json());
        Map<?, ?> first = (Map<?, ?>) ((List<?>) json.get("problems")).get(0);
        assertEquals(Boolean.TRUE, first.get("flagged"));
        assertEquals(1, ((Number) ((Map<?, ?>) json.get("summary")).get("flagged")).intValue());
    }

    @Test void tableAlignsColumnsAndExplainsFailures() {
        String table = BenchReport.of(FIVE, META).table();
        List<String> lines = table.lines().toList();
        assertEquals("kc bench  device: NVIDIA H200", lines.get(0));
        String header = lines.get(2);
        assertTrue(header.startsWith("problem"), header);
        int verdictAt = header.indexOf("verdict"), kcEnd = header.indexOf("kc ms") + "kc ms".length();
        for (int i = 3; i < 3 + FIVE.size(); i++) {
            ProblemResult p = FIVE.get(i - 3);
            assertEquals(verdictAt, lines.get(i).indexOf(p.verdict().name()), lines.get(i));
            if (p.kc() != null) {
                String kc = String.format("%.4f", p.kc().medianMs());
                assertEquals(kcEnd, lines.get(i).indexOf(kc, verdictAt) + kc.length(), lines.get(i));
            }
        }
        assertTrue(table.contains("not passing (2 of 5)"), table);
        assertTrue(table.matches("(?s).*level1/d\\s+ERROR\\s+lowering: unsupported op.*"), table);
        assertTrue(table.matches("(?s).*\\nall\\s+1\\.14x \\(n=3\\).*"), table);   // cbrt(2.5*1.2*0.5)
        assertTrue(table.matches("(?s).*\\nall \\(5\\)\\s+1\\.0\\s+40\\.0%\\s+40\\.0%\\s+40\\.0%.*"), table);
    }

    @Test void launchTotalsAreOverCorrectProblemsWithAllThreeCounted() {
        BenchReport r = BenchReport.of(FIVE, META);
        // a and b: c is incorrect (its 1 launch would flatter kc), d has no counts, e has no torch.compile count
        assertEquals(new BenchReport.LaunchTotals(2, 3 + 6, 7 + 5, 4 + 4, 1), r.launchTotals());
        assertTrue(r.table().contains("\nkernel launches per forward, summed over the 2 correct problems with all three "
                + "counted\n  kc 9, eager 12, torch.compile 8; kc <= torch.compile on 1 of 2\n"), r.table());
        Map<?, ?> launches = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(r.json())).get("summary")).get("launches");
        assertEquals(Map.of("problems", 2L, "kc", 9L, "eager", 12L, "compiled", 8L, "kc_at_most_compiled", 1L),
                Map.of("problems", number(launches, "problems"), "kc", number(launches, "kc"), "eager", number(launches, "eager"),
                        "compiled", number(launches, "compiled"), "kc_at_most_compiled", number(launches, "kc_at_most_compiled")));

        BenchReport none = BenchReport.of(List.of(FIVE.get(2), FIVE.get(3), FIVE.get(4)), META);
        assertEquals(new BenchReport.LaunchTotals(0, 0, 0, 0, 0), none.launchTotals());
        assertTrue(none.table().contains("\nkernel launches per forward: no correct problem has all three counted\n"), none.table());
    }

    private static long number(Map<?, ?> m, String key) { return ((Number) m.get(key)).longValue(); }

    @Test void tableShowsLaunchesPerProblemAndADashWhereNotCounted() {
        List<String> lines = BenchReport.of(FIVE, META).table().lines().toList();
        String header = lines.get(2);
        int kcEnd = header.indexOf("kc launches") + "kc launches".length();
        int eagerEnd = header.indexOf("eager launches") + "eager launches".length();
        int compileEnd = header.indexOf("compile launches") + "compile launches".length();
        assertTrue(kcEnd < eagerEnd && eagerEnd < compileEnd && compileEnd < header.indexOf("max abs err"), header);
        // each count is right-aligned under its heading
        String a = lines.get(3), d = lines.get(6), e = lines.get(7);
        assertEquals(List.of("3", "7", "4"), List.of(cellEndingAt(a, kcEnd), cellEndingAt(a, eagerEnd), cellEndingAt(a, compileEnd)), a);
        assertEquals(List.of("-", "-", "-"), List.of(cellEndingAt(d, kcEnd), cellEndingAt(d, eagerEnd), cellEndingAt(d, compileEnd)), d);
        assertEquals(List.of("5", "8", "-"), List.of(cellEndingAt(e, kcEnd), cellEndingAt(e, eagerEnd), cellEndingAt(e, compileEnd)), e);
    }

    /** The cell of an aligned table line that ends at column end (cells are separated by spaces). */
    private static String cellEndingAt(String line, int end) {
        int start = line.lastIndexOf(' ', end - 1) + 1;
        assertTrue(end == line.length() || line.charAt(end) == ' ', "no cell ends at " + end + ": " + line);
        return line.substring(start, end);
    }

    @Test void reportsWrittenBeforeBaselineLaunchesWereCountedReadBackAsNotCounted() {
        // bench.json as kc wrote it before: -1 for an unknown count, no eager_launches or compiled_launches
        String old = """
                {"meta": {"device": "NVIDIA H100"}, "problems": [
                  {"problem": "level1/a", "level": 1, "verdict": "PASS", "detail": "",
                   "kc": {"median_ms": 1.0, "mean_ms": 1.0, "min_ms": 1.0, "max_ms": 1.0, "trials": 100},
                   "eager": {"median_ms": 2.0, "mean_ms": 2.0, "min_ms": 2.0, "max_ms": 2.0, "trials": 100},
                   "compiled": null, "floor_ms": 0.5, "max_abs_error": 1e-6, "rel_l2_error": 1e-7,
                   "kernels": 2, "launches": 3},
                  {"problem": "level1/d", "level": 1, "verdict": "ERROR", "detail": "lowering", "kc": null,
                   "eager": null, "compiled": null, "floor_ms": null, "max_abs_error": null, "rel_l2_error": null,
                   "kernels": -1, "launches": -1}]}
                """;
        BenchReport r = BenchReport.parseJson(old);
        ProblemResult a = r.results().get(0), d = r.results().get(1);
        assertEquals(List.of(2, 3, -1, -1), List.of(a.kernels(), a.launches(), a.eagerLaunches(), a.compiledLaunches()));
        assertEquals(List.of(-1, -1, -1, -1), List.of(d.kernels(), d.launches(), d.eagerLaunches(), d.compiledLaunches()));
        assertFalse(a.launchesCounted());
        assertEquals(0, r.launchTotals().problems());
        Map<?, ?> written = (Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.parse(r.json())).get("problems")).get(1);
        assertTrue(written.containsKey("launches") && written.get("launches") == null, "unknown is written as null now: " + written);
        assertEquals(r.json(), BenchReport.parseJson(r.json()).json());
    }

    /** Strict-fp32 eager beside eager as shipped, and kc's precision, on each line of the table, JSON and CSV. */
    @Test void strictEagerAndKcsPrecisionAreReportedPerProblem() {
        ProblemResult conv = new ProblemResult("level2/conv", 2, Verdict.PASS, "", ms(2), ms(1.5), ms(1.2), 0.5, 1e-6, 1e-7, 1, 1, 3, 2,
                ms(3.0), "tf32x3");
        BenchReport r = BenchReport.of(List.of(conv, timed("level1/old", 1, Verdict.PASS, 1, 1, 1)), META);
        String table = r.table();
        assertTrue(table.contains("kc precision") && table.contains("eager fp32 ms"), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("level2/conv") && l.contains("tf32x3") && l.contains("3.0000")), table);
        assertTrue(table.lines().anyMatch(l -> l.startsWith("level1/old") && l.contains(" - ")), "unrecorded precision is a dash:\n" + table);
        BenchReport back = BenchReport.parseJson(r.json());
        assertEquals(3.0, back.results().get(0).eagerStrict().medianMs(), EPS);
        assertEquals("tf32x3", back.results().get(0).precision());
        assertEquals(null, back.results().get(1).eagerStrict());
        String csv = r.csv();
        assertTrue(csv.lines().findFirst().orElseThrow().endsWith(",eager_strict_median_ms,precision"), csv);
        assertTrue(csv.lines().skip(1).findFirst().orElseThrow().endsWith(",3.0,tf32x3"), csv);
    }

    @Test void jsonRoundTripsExactly() {
        List<ProblemResult> results = new ArrayList<>(FIVE);
        results.add(new ProblemResult("level3/\"odd\", name", 3, Verdict.CRASH, "line one\nline \"two\", é\t\u0001",
                new Timing(0.001234, 0.0013, 0.0011, 0.002, 7), null, ms(1e-9), 3.3e-5,
                Double.POSITIVE_INFINITY, Double.NaN, 40, 60, 75, -1));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("device", "NVIDIA H200");
        meta.put("torch", "2.11.0");
        meta.put("note", "quick look: 10 trials, \"not\" 100");
        BenchReport r = BenchReport.of(results, meta);
        BenchReport back = BenchReport.parseJson(r.json());
        assertEquals(results, back.results());
        assertEquals(List.copyOf(meta.keySet()), List.copyOf(back.meta().keySet()), "meta keeps its order");
        assertEquals(meta, back.meta());
        assertEquals(r.json(), back.json());

        Map<?, ?> json = (Map<?, ?>) Json.parse(r.json());
        Map<?, ?> summary = (Map<?, ?>) json.get("summary");
        assertEquals(6, ((Number) summary.get("problems")).intValue());
        assertEquals(3, ((Number) summary.get("correct")).intValue());
        List<?> geomean = (List<?>) summary.get("geomean");
        assertEquals(4, geomean.size(), "levels 1, 2, 3 and all");
        Map<?, ?> all = (Map<?, ?>) geomean.get(3);
        assertEquals(null, all.get("level"));
        assertEquals(Math.cbrt(2.5 * 1.2 * 0.5), ((Number) all.get("vs_eager")).doubleValue(), EPS);
        assertEquals(3, ((Number) all.get("n_eager")).intValue());
        List<?> fastP = (List<?>) summary.get("fast_p");
        assertEquals(4 * BenchReport.FAST_P.size(), fastP.size());
        Map<?, ?> allP1 = (Map<?, ?>) fastP.get(3 * BenchReport.FAST_P.size() + 1);
        assertEquals(1.0, ((Number) allP1.get("p")).doubleValue());
        assertEquals(2 / 6.0, ((Number) allP1.get("vs_eager")).doubleValue(), EPS);
        Map<?, ?> crash = (Map<?, ?>) ((List<?>) json.get("problems")).get(5);
        assertEquals(null, crash.get("eager"));
        assertEquals(null, crash.get("rel_l2_error"));
    }

    @Test void csvRoundTrips() {
        List<ProblemResult> results = new ArrayList<>(FIVE);
        results.add(untimed("level3/x,y", 3, Verdict.TIMEOUT, "ran past 600 s, \"killed\"\nsecond line"));
        String csv = BenchReport.of(results, META).csv();
        List<List<String>> rows = parseCsv(csv);
        assertEquals(BenchReport.CSV_COLUMNS, rows.get(0));
        assertEquals(results.size() + 1, rows.size());
        for (int i = 0; i < results.size(); i++) {
            ProblemResult p = results.get(i);
            List<String> row = rows.get(i + 1);
            assertEquals(BenchReport.CSV_COLUMNS.size(), row.size(), row.toString());
            Map<String, String> f = new LinkedHashMap<>();
            for (int c = 0; c < row.size(); c++) f.put(BenchReport.CSV_COLUMNS.get(c), row.get(c));
            assertEquals(p.problem(), f.get("problem"));
            assertEquals(p.level(), Integer.parseInt(f.get("level")));
            assertEquals(p.verdict(), Verdict.valueOf(f.get("verdict")));
            assertEquals(p.detail(), f.get("detail"));
            assertEquals(count(p.kernels()), f.get("kernels"));
            assertEquals(count(p.launches()), f.get("launches"));
            assertEquals(count(p.eagerLaunches()), f.get("eager_launches"));
            assertEquals(count(p.compiledLaunches()), f.get("compiled_launches"));
            assertEquals(BenchReport.flagged(p), Boolean.parseBoolean(f.get("flagged")));
            if (p.kc() == null) {
                assertEquals("", f.get("kc_median_ms"));
                assertEquals("", f.get("speedup_vs_eager"));
            } else {
                assertEquals(p.kc().medianMs(), Double.parseDouble(f.get("kc_median_ms")));
                assertEquals(p.kc().trials(), Integer.parseInt(f.get("kc_trials")));
                assertEquals(p.eager().medianMs(), Double.parseDouble(f.get("eager_median_ms")));
                assertEquals(p.speedupVsBest(), Double.parseDouble(f.get("speedup_vs_best")));
                assertEquals(p.maxAbsError(), Double.parseDouble(f.get("max_abs_error")));
            }
        }
    }

    /** A count as the CSV writes it: empty when unknown. */
    private static String count(int n) { return n < 0 ? "" : Integer.toString(n); }

    /** RFC 4180, as a spreadsheet would read it. */
    private static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') { field.append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.append(c);
            } else if (c == '"') quoted = true;
            else if (c == ',') { row.add(field.toString()); field.setLength(0); }
            else if (c == '\n') { row.add(field.toString()); field.setLength(0); rows.add(row); row = new ArrayList<>(); }
            else field.append(c);
        }
        assertFalse(quoted, "unterminated quote");
        assertEquals(0, field.length() + row.size(), "the last row ends with a newline");
        return rows;
    }

    @Test void writeToReplacesTheThreeFilesAndLeavesNoTemporaries(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("out/bench");
        BenchReport.of(FIVE.subList(0, 2), META).writeTo(dir);
        BenchReport r = BenchReport.of(FIVE, META);
        r.writeTo(dir);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("bench.csv", "bench.json", "bench.txt"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(r.json(), Files.readString(dir.resolve("bench.json")));
        assertEquals(r.csv(), Files.readString(dir.resolve("bench.csv")));
        assertEquals(r.table(), Files.readString(dir.resolve("bench.txt")));
    }

    @Test void emptyReportStillRenders() {
        BenchReport r = BenchReport.of(List.of(), Map.of());
        assertTrue(r.table().startsWith("problem"), r.table());
        assertEquals(List.of(), BenchReport.parseJson(r.json()).results());
        assertEquals(1, parseCsv(r.csv()).size());
    }

    @Test void timingOfSamples() {
        Timing odd = Timing.of(3, 1, 2);
        assertEquals(new Timing(2, 2, 1, 3, 3), odd);
        Timing even = Timing.of(4, 1, 2, 10);
        assertEquals(3, even.medianMs(), EPS);
        assertEquals(4.25, even.meanMs(), EPS);
        Timing same = Timing.of(0.1, 0.1, 0.1);
        assertEquals(0.1, same.meanMs());
        assertThrows(IllegalArgumentException.class, () -> new Timing(1, 1, 2, 3, 5), "min above median");
        assertThrows(IllegalArgumentException.class, () -> new Timing(1, 1, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Timing(Double.NaN, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, Timing::of);
    }
}
