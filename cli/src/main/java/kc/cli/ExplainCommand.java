package kc.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;

import kc.passes.cost.MachineModel;
import kc.runtime.ExitCode;
import kc.runtime.pipeline.Compilation;
import kc.runtime.pipeline.Emit;
import kc.runtime.pipeline.Explain;
import kc.runtime.pipeline.Pipeline;
import kc.runtime.pipeline.Stage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Shows what kc's pipeline does with a module file, stage by stage.",
                // one element per paragraph: picocli wraps each to the terminal's width
                "Stages: evaluate, verify, canonicalise, substitute, fuse, schedule, lower, tile-rewrites, render.",
                "Without --after: each stage's time, the fusion groups with their members and source lines, the "
                        + "schedule, and each group's kernel with its cost estimate against the roofline floor.",
                "With --after STAGE: only the IR after that stage, on stdout: the Graph IR (evaluate to fuse), the "
                        + "schedule in kc's schedule language (save it, edit it, give it back with --schedule), the "
                        + "Tile IR kernels and launch plan (lower, tile-rewrites), or the kernel file (render)."})
final class ExplainCommand implements Callable<Integer> {
    enum EmitOption { cuda, ptx, metal }

    @Mixin ModelOptions model;
    @Mixin TargetOption target;
    @Mixin ScheduleOption schedule;

    @Option(names = "--after", paramLabel = "STAGE", converter = StageConverter.class, completionCandidates = StageNames.class,
            description = "Print only the IR after this stage: ${COMPLETION-CANDIDATES}.")
    Stage after;

    @Option(names = "--emit", paramLabel = "E", description = "What the render stage prints: cuda, ptx or metal (default: ptx, metal for --target apple).")
    EmitOption emit;

    @Spec CommandSpec spec;

    @Override public Integer call() {
        Emit kind = emit != null ? Emit.valueOf(emit.name().toUpperCase(Locale.ROOT))
                : "apple".equalsIgnoreCase(target.name) ? Emit.METAL : Emit.PTX;
        MachineModel machine = target.machine(kind, "explain");
        Pipeline.Input input = Pipeline.Input.of(model.file, model.defines, machine).withSchedule(schedule.source()).withPrecision(schedule.precision()).withEntry(model.entry()).withEmit(kind);
        Compilation c = Pipeline.run(input, after != null ? after : Stage.RENDER);
        PrintWriter out = spec.commandLine().getOut();
        for (String w : c.loaded().warnings()) spec.commandLine().getErr().println(w);
        String text = after != null ? Explain.after(c, after) : Explain.summary(c);
        out.print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
        out.flush();
        return ExitCode.OK;
    }

    /** A stage by its command-line name. */
    static final class StageConverter implements CommandLine.ITypeConverter<Stage> {
        @Override public Stage convert(String value) {
            Stage s = Stage.byWord(value);
            if (s == null) throw new CommandLine.TypeConversionException("unknown stage '" + value + "' (stages: " + String.join(", ", new StageNames()) + ")");
            return s;
        }
    }

    /** The stages' names, for help and completion. */
    static final class StageNames implements Iterable<String> {
        @Override public Iterator<String> iterator() { return Arrays.stream(Stage.values()).map(Stage::word).iterator(); }
    }
}
