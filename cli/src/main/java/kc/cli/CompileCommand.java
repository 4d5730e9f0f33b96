package kc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import kc.codegen.cuda.CudaRenderer;
import kc.codegen.metal.MetalRenderer;
import kc.codegen.ptx.PtxRenderer;
import kc.codegen.ptx.PtxTarget;
import kc.codegen.ptx.PtxasCheck;
import kc.frontend.LoadedModel;
import kc.ir.graph.Graph;
import kc.ir.tile.Kernel;
import kc.ir.tile.PlanJson;
import kc.passes.cost.CostModel;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.schedule.Schedule;
import kc.runtime.Folders;
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
                "on the target's abstract machine. The default schedule is one kernel per Graph IR node."})
final class CompileCommand implements Callable<Integer> {
    enum Emit { cuda, ptx, metal }

    @Mixin ModelOptions model;

    @Option(names = "--emit", required = true, description = "What to write: cuda (CUDA C), ptx (PTX written by kc) or metal (Metal Shading Language).")
    Emit emit;

    @Option(names = "--target", paramLabel = "TARGET", description = "sm_90 or sm_80 for cuda/ptx (default sm_90), apple for metal (the default there).")
    String target;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "Output folder (default: <file name>-<emit> in the current folder).")
    Path output;

    @Option(names = "--no-ptxas", description = "With --emit ptx: skip assembling with ptxas (which checks the PTX and reports registers per kernel).")
    boolean noPtxas;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        MachineModel machine = machine();
        long t0 = System.nanoTime();
        Compiled compiled = Compiled.of(model, "compile", machine);
        LoadedModel loaded = compiled.loaded();
        Graph g = compiled.graph();
        Schedule schedule = compiled.schedule();
        Lowered lowered = compiled.lowered();
        Beside<CostModel.Estimate> estimated = Beside.start("kc-cost", () -> CostModel.estimate(g, machine));
        List<Kernel> kernels = lowered.kernels();
        for (Kernel k : kernels) checkLimits(k, machine);

        String stem = stem(model.file);
        Map<String, String> files = new LinkedHashMap<>();
        String kernelFile = switch (emit) {
            case cuda -> {
                files.put(CudaRenderer.HEADER, CudaRenderer.header());
                yield stem + ".cu";
            }
            case ptx -> stem + ".ptx";
            case metal -> stem + ".metal";
        };
        Beside<String> planJson = Beside.start("kc-plan", () -> PlanJson.write(lowered.plan(), kernelFile));
        String text = switch (emit) {
            case cuda -> CudaRenderer.render(kernels); // includes kc_cuda.h, written beside it
            case ptx -> new PtxRenderer().render(kernels, PtxTarget.byName(machine.target()));
            case metal -> new MetalRenderer().render(kernels);
        };
        files.put(kernelFile, text);
        files.put("plan.json", planJson.join());
        double compileSeconds = (System.nanoTime() - t0) / 1e9;

        String ptxasLine = null;
        if (emit == Emit.ptx && !noPtxas && PtxasCheck.available()) ptxasLine = ptxas(text, kernels, machine);

        Path out = output != null ? output : Path.of(stem + "-" + emit);
        writeAtomically(out, files);

        CostModel.Estimate cost = estimated.join();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "kc compile %s --emit %s --target %s -> %s%n", model.file, emit, machine.target(), out);
        o.printf(Locale.ROOT, "  %d kernels, %d launches, %d buffers; %.3g MB moved, %.3g GFLOP (compiled in %.2f s)%n",
                kernels.size(), lowered.plan().launches().size(), lowered.plan().buffers().size(), cost.bytes() / 1e6,
                cost.flops() / 1e9, compileSeconds);
        o.printf(Locale.ROOT, "  floor %s for these kernels, ideal %s (inputs and weights read once, outputs written once) on %s%n",
                time(cost.floorSeconds()), time(cost.idealSeconds()), machine.describe());
        if (ptxasLine != null) o.println("  " + ptxasLine);
        for (String w : loaded.warnings()) spec.commandLine().getErr().println(w);
        return ExitCode.OK;
    }

    private MachineModel machine() {
        String name = target != null ? target : emit == Emit.metal ? "apple" : "sm_90";
        MachineModel m = MachineModel.forTarget(name);
        boolean fits = m != null && (emit == Emit.metal) == (m == MachineModel.APPLE);
        if (!fits)
            throw new KcFailure(ExitCode.BAD_INPUT, "compile: unsupported target '" + name + "' for --emit " + emit
                    + " (known: " + (emit == Emit.metal ? "apple" : "sm_90, sm_80") + ")");
        return m;
    }

    /** Threads per block and shared memory against the target's limits: a precise error naming the kernel. */
    private static void checkLimits(Kernel k, MachineModel m) {
        int threads = k.launch().threadsPerBlock();
        if (threads > m.maxThreadsPerBlock())
            throw new KcFailure(ExitCode.BAD_INPUT, "compile: kernel " + k.name() + " uses " + threads
                    + " threads per block; " + m.target() + " allows " + m.maxThreadsPerBlock());
        if (k.sharedBytes() > m.maxSharedBytesPerBlock())
            throw new KcFailure(ExitCode.BAD_INPUT, "compile: kernel " + k.name() + " uses " + k.sharedBytes()
                    + " bytes of shared memory per block; " + m.target() + " allows " + m.maxSharedBytesPerBlock());
    }

    /** Assembles with ptxas: PTX it rejects is kc's bug; registers times threads beyond the register file are a limit. */
    private static String ptxas(String ptx, List<Kernel> kernels, MachineModel m) {
        PtxasCheck.Result r = PtxasCheck.run(ptx, m.target());
        if (!r.ok()) throw new IllegalStateException("ptxas rejected kc's PTX: " + r.error());
        int most = 0;
        for (Kernel k : kernels) {
            Integer regs = r.registers().get(PtxRenderer.entryName(k));
            if (regs == null) continue;
            most = Math.max(most, regs);
            long perBlock = (long) regs * k.launch().threadsPerBlock();
            if (perBlock > m.registersPerBlock())
                throw new KcFailure(ExitCode.BAD_INPUT, "compile: kernel " + k.name() + " needs " + regs + " registers x "
                        + k.launch().threadsPerBlock() + " threads = " + perBlock + " registers per block; "
                        + m.target() + " has " + m.registersPerBlock());
        }
        return "ptxas: ok for " + m.target() + ", at most " + most + " registers per thread";
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".py") ? name.substring(0, name.length() - 3) : name;
    }

    private static String time(double seconds) {
        return seconds >= 1e-3 ? String.format(Locale.ROOT, "%.3g ms", seconds * 1e3) : String.format(Locale.ROOT, "%.3g us", seconds * 1e6);
    }

    /** Writes every file into a fresh sibling folder, then swaps it in with renames, so DIR is never half-written. */
    static void writeAtomically(Path dir, Map<String, String> files) throws IOException {
        Path out = dir.toAbsolutePath().normalize();
        if (Files.exists(out) && !Files.isDirectory(out))
            throw new KcFailure(ExitCode.BAD_INPUT, "compile: " + dir + " exists and is not a folder");
        Path parent = Files.createDirectories(out.getParent());
        Path staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp");
        try { // a temporary folder is private; the result should look like any folder the user makes
            Files.setPosixFilePermissions(staging, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException notPosix) {
            // keep the platform's default
        }
        try {
            for (var f : files.entrySet()) Files.writeString(staging.resolve(f.getKey()), f.getValue(), StandardCharsets.UTF_8);
            if (Files.exists(out)) {
                Path old = Files.createTempDirectory(parent, "." + out.getFileName() + ".old");
                Files.delete(old);
                Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
                Folders.deleteTree(old);
            } else {
                Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            if (Files.exists(staging)) Folders.deleteTree(staging);
        }
    }
}
