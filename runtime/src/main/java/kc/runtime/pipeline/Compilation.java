package kc.runtime.pipeline;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import kc.frontend.LoadedModel;
import kc.ir.graph.Graph;
import kc.passes.cost.CostModel;
import kc.passes.lower.Lowered;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.language.ScheduleText;

/**
 * What a {@link Pipeline} run produced, stage by stage, up to the stage it stopped after ({@code last}); what later
 * stages would have produced is null.
 *
 * @param loaded   the evaluated module (EVALUATE)
 * @param graphs   the graph after each graph stage that ran, EVALUATE to FUSE
 * @param given    the user's schedule as parsed, with where each group was declared; null when none was given
 * @param schedule the complete schedule of the fused graph, legal on the target (SCHEDULE)
 * @param lowered  the kernels and launch plan (LOWER)
 * @param tiles    the kernels after the shared Tile IR rewrites (TILE_REWRITES)
 * @param rendered the files for the target (RENDER)
 * @param estimate the fused graph's work and traffic against the target's roofline (from SCHEDULE on)
 * @param times    how long each stage took, in order
 * @param millis   kc's compile time for the stages that ran: everything but the assembler's check of its PTX
 */
public record Compilation(Pipeline.Input input, Stage last, LoadedModel loaded, Map<Stage, Graph> graphs,
                          ScheduleText.Parsed given, Schedule schedule, Lowered lowered, Lowered tiles,
                          Rendered rendered, CostModel.Estimate estimate, List<StageTime> times, double millis) {
    public Compilation {
        graphs = Collections.unmodifiableMap(new EnumMap<>(graphs));
        times = List.copyOf(times);
    }

    /**
     * @param millis      the stage's own work
     * @param checkMillis its output's verifier (run beside the later stages when {@code beside}); NaN when it has none
     */
    public record StageTime(Stage stage, double millis, double checkMillis, boolean beside) {}

    /** The graph after a graph stage. */
    public Graph graph(Stage stage) {
        Graph g = graphs.get(stage);
        if (g == null) throw new IllegalStateException("no graph after " + stage.word() + " (stopped after " + last.word() + ")");
        return g;
    }

    /** The user's module as evaluated: the reference semantics every later graph keeps. */
    public Graph evaluated() { return graph(Stage.EVALUATE); }

    /** The latest graph: the fused one once FUSE has run. */
    public Graph graph() {
        Stage latest = last.producesGraph() ? last : Stage.FUSE;
        return graph(latest);
    }

    /** The kernels to run: after the Tile IR rewrites when they ran, else as lowered. */
    public Lowered kernels() { return tiles != null ? tiles : lowered; }
}
