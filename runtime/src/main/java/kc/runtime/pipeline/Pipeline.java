package kc.runtime.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import kc.codegen.cuda.CudaRenderer;
import kc.codegen.metal.MetalRenderer;
import kc.codegen.ptx.PtxRenderer;
import kc.codegen.ptx.PtxTarget;
import kc.codegen.ptx.PtxasCheck;
import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.ModelEntry;
import kc.frontend.LoadedModel;
import kc.ir.graph.ExprText;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphVerifier;
import kc.ir.graph.Node;
import kc.ir.graph.SourcePos;
import kc.ir.tile.Kernel;
import kc.ir.tile.PlanJson;
import kc.ir.tile.TileVerifier;
import kc.passes.cost.CostModel;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.lower.TargetLimits;
import kc.passes.rules.Rules;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.Precision;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.ScheduleLegality;
import kc.passes.schedule.language.ScheduleText;
import kc.runtime.Diagnostic;

/**
 * kc's compiler from a module file to kernels, every stage in order; the table of contents of kc:
 * <pre>
 *   evaluate → verify → canonicalise → substitute → fuse → schedule → lower → tile rewrites → render
 * </pre>
 * {@link #produce} says what each stage does and {@link #check} which verifier judges what it produced. A run can
 * stop after any stage and hand back what it has ({@code kc explain --after STAGE}). It fails with a
 * {@link Diagnostic}: the user's own input (the module file, the graph kc evaluated from it, a schedule they wrote)
 * is bad input; anything else a stage throws, or produces that its verifier rejects, is kc's bug.
 */
public final class Pipeline {
    /**
     * What to compile, and for what.
     *
     * @param file     the module file
     * @param source   its text when it is not to be read from the file (a shrunk problem's edited source), else null
     * @param defines  -D overrides of module-level constants
     * @param machine  the target: legality and limits, the PTX target, the roofline
     * @param schedule a schedule the user wrote (completed with the defaults), or null for the defaults alone
     * @param emit     what RENDER prints; null when the run stops before it
     * @param assemble whether RENDER's PTX is assembled by ptxas (where installed) as its check: registers per block
     * @param precision the numerics asked for on the command line, or null for the schedule's (else kc's default)
     * @param entry    the model and its inputs as --entry and --inputs name them (the KernelBench convention where not)
     */
    public record Input(Path file, String source, Map<String, String> defines, MachineModel machine,
                        ScheduleSource schedule, Emit emit, boolean assemble, Precision precision, ModelEntry entry) {
        public Input {
            defines = Collections.unmodifiableMap(new LinkedHashMap<>(defines)); // in the user's order
            if (emit != null && !emit.supports(machine))
                throw new IllegalArgumentException("cannot emit " + emit + " for " + machine.target());
        }

        public static Input of(Path file, Map<String, String> defines, MachineModel machine) {
            return new Input(file, null, defines, machine, null, null, false, null, ModelEntry.CONVENTION);
        }

        public Input withSource(String text) { return new Input(file, text, defines, machine, schedule, emit, assemble, precision, entry); }
        public Input withSchedule(ScheduleSource s) { return new Input(file, source, defines, machine, s, emit, assemble, precision, entry); }
        public Input withEmit(Emit e) { return new Input(file, source, defines, machine, schedule, e, assemble, precision, entry); }
        public Input withAssembler(boolean a) { return new Input(file, source, defines, machine, schedule, emit, a, precision, entry); }
        public Input withPrecision(Precision p) { return new Input(file, source, defines, machine, schedule, emit, assemble, p, entry); }
        public Input withEntry(ModelEntry m) { return new Input(file, source, defines, machine, schedule, emit, assemble, precision, m); }
    }

    /** Runs every stage up to and including {@code last}. */
    public static Compilation run(Input input, Stage last) { return new Pipeline(input, Tamper.NONE).through(last); }

    /** Every stage (the input must name what to emit). */
    public static Compilation run(Input input) { return run(input, Stage.RENDER); }

    /** The tests' seam: replaces a stage's output before its check, to plant a broken stage. */
    interface Tamper {
        Tamper NONE = (stage, output) -> output;

        Object apply(Stage stage, Object output);
    }

    private final Input in;
    private final Tamper tamper;
    private final Map<Stage, Object> outputs = new EnumMap<>(Stage.class);
    private final List<Compilation.StageTime> times = new ArrayList<>();
    private Beside beside;
    private ScheduleText.Parsed given;
    private Future<CostModel.Estimate> estimate;

    Pipeline(Input in, Tamper tamper) {
        this.in = in;
        this.tamper = tamper;
    }

    Compilation through(Stage last) {
        if (last == Stage.RENDER && in.emit() == null) throw new IllegalArgumentException("rendering needs an emit kind");
        long t0 = System.nanoTime();
        try (Beside b = new Beside()) {
            beside = b;
            if (in.schedule() != null) given = failFirst(null, () -> in.schedule().parse()); // before any work
            Precision stated = given == null ? null : given.schedule().precision();
            if (in.precision() != null && stated != null && stated != in.precision())
                throw Diagnostic.BadInput.at(in.schedule().name(), 1, 1, "--precision " + in.precision().word() + " contradicts the schedule's precision " + stated.word());
            for (Stage stage : Stage.values()) {
                step(stage);
                if (stage == last) break;
            }
            Diagnostic failed = beside.firstFailure();
            if (failed != null) throw failed;
            CostModel.Estimate cost = estimate == null ? null : failFirst(Stage.SCHEDULE, () -> Beside.join(estimate));
            return compilation(last, cost, (System.nanoTime() - t0) / 1e6 - assemblerMillis());
        }
    }

    /** Runs a stage, then its check, timing both. */
    private void step(Stage stage) {
        Diagnostic failed = beside.failedSoFar();
        if (failed != null) throw failed;
        long t0 = System.nanoTime();
        Object output = failFirst(stage, () -> tamper.apply(stage, produce(stage)));
        outputs.put(stage, output);
        long t1 = System.nanoTime();
        Checked checked = failFirst(stage, () -> check(stage, output));
        double checkMillis = checked == Checked.INLINE ? (System.nanoTime() - t1) / 1e6 : Double.NaN; // beside: measured there
        times.add(new Compilation.StageTime(stage, (t1 - t0) / 1e6, checkMillis, checked == Checked.BESIDE));
    }

    /** What each stage does, given what the earlier ones produced. */
    private Object produce(Stage stage) {
        return switch (stage) {
            case EVALUATE -> in.source() == null ? Frontend.load(in.file(), in.defines(), in.entry())
                    : Frontend.load(in.file().toString(), in.source(), in.defines(), in.entry());
            case VERIFY -> graph(Stage.EVALUATE); // unchanged; its check is the point
            case CANONICALISE -> Rules.canonicalise(graph(Stage.VERIFY));
            case SUBSTITUTE -> Rules.substitute(graph(Stage.CANONICALISE));
            case FUSE -> Rules.fuse(graph(Stage.SUBSTITUTE), directives());
            case SCHEDULE -> DefaultScheduler.complete(graph(Stage.FUSE), directives(), in.machine());
            case LOWER -> Lowering.lower(graph(Stage.FUSE), (Schedule) outputs.get(Stage.SCHEDULE), in.machine());
            // No Tile IR rewrite is shared by every target yet (PTX's unrolling and folding still live in its renderer).
            case TILE_REWRITES -> outputs.get(Stage.LOWER);
            case RENDER -> render((Lowered) outputs.get(Stage.TILE_REWRITES));
        };
    }

    /** How a stage's output was checked: beside the later stages, or before them. */
    private enum Checked { NONE, INLINE, BESIDE }

    /**
     * The verifier of what a stage produced. Checks whose verdict no later stage needs for its own safety run beside
     * the later stages (the graph's, the schedule's legality, the target's limits); a failure there is still reported
     * before anything a later stage does with that output.
     */
    private Checked check(Stage stage, Object output) {
        return switch (stage) {
            case EVALUATE -> Checked.NONE; // the frontend reports what is wrong in the file itself; VERIFY checks its graph
            case VERIFY, CANONICALISE, SUBSTITUTE, FUSE -> {
                Graph g = (Graph) output;
                if (stage != Stage.VERIFY && g == graph(Stage.values()[stage.ordinal() - 1])) yield Checked.NONE; // unchanged
                beside.check(stage, () -> verifyGraph(stage, g));
                yield Checked.BESIDE;
            }
            case SCHEDULE -> { // LOWER checks legality again before it relies on it; here it is located and classified
                Graph fused = graph(Stage.FUSE);
                Schedule schedule = (Schedule) output;
                beside.check(stage, () -> legal(stage, ScheduleLegality.check(fused, schedule, in.machine())));
                estimate = beside.submit(() -> CostModel.estimate(fused, in.machine(), schedule.precisionOrDefault()));
                yield Checked.BESIDE;
            }
            case LOWER -> { // each distinct kernel was verified as it was lowered (SharedKernels): the limits remain
                Lowered lowered = (Lowered) output;
                beside.check(stage, () -> legal(stage, TargetLimits.check(lowered, in.machine())));
                yield Checked.BESIDE;
            }
            case TILE_REWRITES -> {
                if (output == outputs.get(Stage.LOWER)) yield Checked.NONE; // unchanged
                Set<Kernel> verified = Collections.newSetFromMap(new IdentityHashMap<>());
                verified.addAll(((Lowered) outputs.get(Stage.LOWER)).kernels());
                for (Kernel k : ((Lowered) output).kernels()) {
                    if (verified.contains(k)) continue; // not rewritten
                    List<String> problems = TileVerifier.check(k);
                    if (!problems.isEmpty()) throw internal(stage, "produced a malformed kernel", problems);
                }
                yield Checked.INLINE;
            }
            case RENDER -> {
                if (!(in.assemble() && in.emit() == Emit.PTX && PtxasCheck.available())) yield Checked.NONE;
                outputs.put(stage, assemble((Rendered) output));
                yield Checked.INLINE;
            }
        };
    }

    private Rendered render(Lowered l) {
        String kernelFile = stem(in.file()) + "." + in.emit().extension;
        Future<String> plan = beside.submit(() -> PlanJson.write(l.plan(), kernelFile));
        String source = switch (in.emit()) {
            case CUDA -> CudaRenderer.render(l.kernels()); // includes kc_cuda.h, written beside it
            case PTX -> new PtxRenderer().render(l.kernels(), PtxTarget.byName(in.machine().target()));
            case METAL -> new MetalRenderer().render(l.kernels());
        };
        return new Rendered(in.emit(), kernelFile, source, Beside.join(plan), null);
    }

    /** ptxas over kc's PTX: PTX it rejects is kc's bug; registers times threads beyond the register file a limit. */
    private Rendered assemble(Rendered r) {
        PtxasCheck.Result result = PtxasCheck.run(r.source(), in.machine().target());
        if (!result.ok()) throw internal(Stage.RENDER, "wrote PTX that ptxas rejects", List.of(result.error()));
        Lowered kernels = (Lowered) outputs.get(Stage.TILE_REWRITES);
        Map<String, Integer> registers = new HashMap<>();
        for (Kernel k : kernels.kernels()) {
            Integer n = result.registers().get(PtxRenderer.entryName(k));
            if (n != null) registers.put(k.name(), n);
        }
        legal(Stage.RENDER, TargetLimits.registers(kernels, registers, in.machine()));
        return r.withAssembly(result);
    }

    /**
     * A verifier's findings on the evaluated graph are the user's module's problems, located at the node the first
     * one names; on a rewritten graph, kc's bug.
     */
    private void verifyGraph(Stage stage, Graph g) {
        List<String> problems = GraphVerifier.verify(g);
        if (problems.isEmpty()) return;
        if (stage != Stage.VERIFY) throw internal(stage, "produced a malformed graph", problems);
        SourcePos at = SourcePos.UNKNOWN;
        for (Node n : g.nodes())
            if (n.origin() != null && n.origin().pos() != null && problems.get(0).startsWith(ExprText.nodeName(n) + ":")) {
                at = n.origin().pos();
                break;
            }
        String file = at.equals(SourcePos.UNKNOWN) ? in.file().toString() : at.file();
        String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
        throw Diagnostic.BadInput.at(file, Math.max(1, at.line()), Math.max(1, at.column()),
                "kc cannot compile this module as evaluated: " + problems.get(0) + more);
    }

    /**
     * Legality problems of the schedule or the kernels: those of groups the user's schedule declares are bad input
     * at the declaration ({@code s.txt:3:1: error: group softmax#1: threads 2048 exceeds 1024 per block on sm_90});
     * any other means kc's defaults or lowering broke a rule, kc's bug.
     */
    private void legal(Stage stage, List<ScheduleLegality.Problem> problems) {
        if (problems.isEmpty()) return;
        List<Diagnostic.Message> users = new ArrayList<>();
        List<String> ours = new ArrayList<>();
        for (ScheduleLegality.Problem p : problems) {
            ScheduleText.Location at = given == null || p.group() == null ? null : given.groups().get(p.group());
            if (at != null) users.add(new Diagnostic.Message(in.schedule().name(), at.line(), at.column(), p.toString()));
            else ours.add(p.toString());
        }
        if (!users.isEmpty()) throw new Diagnostic.BadInput(users);
        throw internal(stage, "broke a rule of " + in.machine().target(), ours);
    }

    /**
     * Runs part of a stage; what it throws becomes a diagnostic, reported after any failure of an earlier stage's
     * check still running beside (a malformed graph is reported first, as if it had been verified up front).
     */
    private <T> T failFirst(Stage stage, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            Diagnostic earlier = beside.firstFailure();
            if (earlier != null) throw earlier;
            if (e instanceof Diagnostic d) throw d;
            if (e instanceof CompileError ce && stage == Stage.EVALUATE)
                throw Diagnostic.BadInput.at(ce.file(), Math.max(1, ce.line()), Math.max(1, ce.column()), ce.getMessage());
            String where = stage == null ? "reading the schedule " + in.schedule().name() : "stage " + stage.word();
            throw new Diagnostic.Internal(where + " failed: " + e, e);
        }
    }

    private static Diagnostic.Internal internal(Stage stage, String what, List<String> problems) {
        return new Diagnostic.Internal("stage " + stage.word() + " " + what + ": " + summary(problems), null);
    }

    /** The first problem in one line, and how many more there are. */
    private static String summary(List<String> problems) {
        String first = problems.get(0).strip();
        int nl = first.indexOf('\n');
        if (nl >= 0) first = first.substring(0, nl);
        return problems.size() > 1 ? first + " (and " + (problems.size() - 1) + " more)" : first;
    }

    private Schedule directives() {
        Schedule s = given == null ? Schedule.EMPTY : given.schedule();
        return in.precision() == null ? s : s.withPrecision(in.precision());
    }

    private Graph graph(Stage stage) {
        Object o = outputs.get(stage);
        return o instanceof LoadedModel m ? m.graph() : (Graph) o;
    }

    private double assemblerMillis() {
        for (Compilation.StageTime t : times) if (t.stage() == Stage.RENDER && !Double.isNaN(t.checkMillis())) return t.checkMillis();
        return 0;
    }

    private Compilation compilation(Stage last, CostModel.Estimate cost, double millis) {
        Map<Stage, Graph> graphs = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) if (s.producesGraph() && outputs.containsKey(s)) graphs.put(s, graph(s));
        List<Compilation.StageTime> measured = new ArrayList<>();
        for (Compilation.StageTime t : times) // checks that ran beside report the time they took there
            measured.add(t.beside() ? new Compilation.StageTime(t.stage(), t.millis(), beside.checkMillis(t.stage()), true) : t);
        return new Compilation(in, last, (LoadedModel) outputs.get(Stage.EVALUATE), graphs, given,
                (Schedule) outputs.get(Stage.SCHEDULE), (Lowered) outputs.get(Stage.LOWER), (Lowered) outputs.get(Stage.TILE_REWRITES),
                (Rendered) outputs.get(Stage.RENDER), cost, measured, millis);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".py") ? name.substring(0, name.length() - 3) : name;
    }
}
