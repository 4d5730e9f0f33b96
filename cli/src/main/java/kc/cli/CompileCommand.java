package kc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import kc.codegen.java.JavaClassRenderer;
import kc.codegen.torch.TorchModuleRenderer;
import kc.frontend.DefinedSource;
import kc.passes.cost.CostModel;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.runtime.ExitCode;
import kc.runtime.Folders;
import kc.runtime.pipeline.Compilation;
import kc.runtime.pipeline.Emit;
import kc.runtime.pipeline.Pipeline;
import kc.runtime.pipeline.Rendered;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Compiles a module file into GPU kernels and a launch plan.",
                "Writes DIR/<name>.ptx|.cu|.metal (plus kc_cuda.h for CUDA C) and DIR/plan.json: every buffer",
                "(inputs, parameters by state_dict key, outputs, constants, scratch) with dtype and shape, and the",
                "ordered launches with grid, block and arguments. DIR is replaced atomically: a failed compile",
                "leaves no half-written folder. Prints kernels, launches, bytes moved and the roofline floor time",
                "on the target's abstract machine. Without --schedule, kc's default schedule (see kc explain)."})
final class CompileCommand implements Callable<Integer> {
    enum EmitOption { cuda, ptx, metal, torch, java }

    @Mixin ModelOptions model;
    @Mixin TargetOption target;
    @Mixin ScheduleOption schedule;

    @Option(names = "--emit", required = true, description = {"What to write: cuda (CUDA C), ptx (PTX written by kc), metal (Metal Shading Language),",
            "torch: one Python file with class ModelNew(Model) running kc's PTX through the CUDA driver API (needs only PyTorch),",
            "or java: a Java class (kc.models.<Name>Kc) with its PTX and plan as resources, on kc's runtime (JCuda)."})
    EmitOption emit;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Output folder (default: <file name>-<emit> in the current folder); with --emit torch a file (default: <file name>_kc.py).")
    Path output;

    @Option(names = "--no-ptxas", description = "With --emit ptx: skip assembling with ptxas (which checks the PTX and reports registers per kernel).")
    boolean noPtxas;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        boolean torch = emit == EmitOption.torch, java = emit == EmitOption.java;
        if (torch && model.entry().entry() != null)
            throw new KcFailure(ExitCode.BAD_INPUT, "compile: --emit torch writes class ModelNew(Model) for the KernelBench convention; --entry is not supported with it");
        Emit kind = torch || java ? Emit.PTX : Emit.valueOf(emit.name().toUpperCase(Locale.ROOT));
        MachineModel machine = target.machine(kind, "compile");
        Compilation c = Pipeline.run(Pipeline.Input.of(model.file, model.defines, machine)
                .withSchedule(schedule.source()).withPrecision(schedule.precision()).withEntry(model.entry()).withEmit(kind).withAssembler(!noPtxas));
        Rendered rendered = c.rendered();
        Lowered lowered = c.kernels();

        String name = model.file.getFileName().toString();
        Path out = output != null ? output : Path.of(name.replaceFirst("\\.py$", "") + (torch ? "_kc.py" : "-" + emit));
        if (torch) {
            if (!c.loaded().randomDraws().isEmpty())
                throw new KcFailure(ExitCode.BAD_INPUT, "compile: --emit torch: forward draws random tensors (" + String.join(", ", c.loaded().randomDraws())
                        + "), which ModelNew could only draw with PyTorch ops");
            if (Files.isDirectory(out)) throw new KcFailure(ExitCode.BAD_INPUT, "compile: " + out + " is a folder; --emit torch writes one file");
            Folders.writeAtomically(out, torchModule(c, machine));
        } else {
            try {
                Folders.replaceAtomically(out, java ? javaClass(c, machine) : rendered.files());
            } catch (NotDirectoryException e) {
                throw new KcFailure(ExitCode.BAD_INPUT, "compile: " + out + " exists and is not a folder");
            }
        }

        CostModel.Estimate cost = c.estimate();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "kc compile %s --emit %s --target %s --precision %s -> %s%n", model.file, emit, machine.target(),
                lowered.plan().precision(), out);
        o.printf(Locale.ROOT, "  %d kernels, %d launches, %d buffers; %.3g MB moved, %.3g GFLOP (compiled in %.2f s)%n",
                lowered.kernels().size(), lowered.plan().launches().size(), lowered.plan().buffers().size(), cost.bytes() / 1e6,
                cost.flops() / 1e9, c.millis() / 1e3);
        o.printf(Locale.ROOT, "  floor %s for these kernels, ideal %s (inputs and weights read once, outputs written once) on %s%n",
                time(cost.floorSeconds()), time(cost.idealSeconds()), machine.describe());
        if (rendered.assembled() != null)
            o.println("  ptxas: ok for " + machine.target() + ", at most " + rendered.mostRegisters() + " registers per thread");
        for (String w : c.loaded().warnings()) spec.commandLine().getErr().println(w);
        return ExitCode.OK;
    }

    /** The --emit torch file: the user's source (as -D makes it) around kc's PTX, plan and launcher. */
    private String torchModule(Compilation c, MachineModel machine) throws IOException {
        String source = DefinedSource.apply(model.file.toString(), Files.readString(model.file), model.defines);
        List<String> header = new java.util.ArrayList<>(header(c, machine, "A drop-in for Model"));
        header.add("At run time it needs only PyTorch with CUDA: kc's PTX is loaded through the CUDA driver API.");
        return TorchModuleRenderer.render(header, source, c.rendered().source(), c.rendered().planJson());
    }

    /** The --emit java files: the class and its two resources, under the package's folders. */
    private java.util.Map<String, String> javaClass(Compilation c, MachineModel machine) {
        String name = JavaClassRenderer.className(model.file.getFileName().toString());
        return JavaClassRenderer.render(name, header(c, machine, "The compiled model"), c.kernels().plan(), c.rendered().source(), c.rendered().planJson());
    }

    /** What a drop-in output says of itself: its origin, the command that made it, precision, target and kernels. */
    private List<String> header(Compilation c, MachineModel machine, String what) {
        StringBuilder command = new StringBuilder("kc compile " + model.file.getFileName() + " --emit " + emit);
        model.defines.forEach((k, v) -> command.append(" -D ").append(k).append('=').append(v));
        if (schedule.file != null) command.append(" --schedule ").append(schedule.file);
        command.append(" --target ").append(machine.target()).append(" --precision ").append(c.kernels().plan().precision());
        return List.of(what + " from " + model.file.getFileName() + ", compiled by " + new Version().getVersion()[0] + ".",
                "Command: " + command,
                "Precision " + c.kernels().plan().precision() + ", target " + machine.describe() + "; "
                        + c.kernels().kernels().size() + " kernels, " + c.kernels().plan().launches().size() + " launches a forward.");
    }

    private static String time(double seconds) {
        return seconds >= 1e-3 ? String.format(Locale.ROOT, "%.3g ms", seconds * 1e3) : String.format(Locale.ROOT, "%.3g us", seconds * 1e6);
    }
}
