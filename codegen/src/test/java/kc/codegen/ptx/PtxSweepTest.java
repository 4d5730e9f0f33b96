package kc.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.ir.graph.Graph;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;

/**
 * Every KernelBench problem: frontend, default lowering, PTX for sm_90 and sm_80, ptxas. Problems the frontend or
 * the lowering cannot take yet are counted, not failed; every module that renders must be accepted by ptxas.
 */
@Tag("codegen-sweep") // the full sweep takes 10+ minutes: mvn -Pcodegen-sweep verify; CI runs CodegenSampleTest, a sample covering every feature
class PtxSweepTest {
    static List<Path> files() throws IOException {
        Path root = Path.of("../../shared/kernelbench");
        if (!Files.isDirectory(root)) root = Path.of("../shared/kernelbench");
        Assumptions.assumeTrue(Files.isDirectory(root), "KernelBench folder ../shared/kernelbench is absent");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
    }

    @Test
    void everyLoweredProblemAssemblesForBothTargets() throws IOException {
        Toolchain.require(PtxasCheck.available(), "ptxas is not installed: the PTX sweep needs it");
        List<Path> all = files();
        String only = System.getProperty("kc.only");
        int files = 0, lowered = 0, kernels = 0, maxRegisters = 0;
        long slowestRenderMs = 0;
        String slowest = "";
        int[] accepted = new int[PtxTarget.values().length];
        List<String> notLowered = new ArrayList<>(), rejected = new ArrayList<>();
        for (Path f : all) {
            if (only != null && !f.toString().contains(only)) continue;
            files++;
            Lowered low;
            try {
                Graph g = Frontend.load(f, Map.of()).graph();
                low = Lowering.lower(kc.passes.rules.Rules.optimised(g));
            } catch (RuntimeException | StackOverflowError e) {
                notLowered.add(f.getFileName() + ": " + (e instanceof CompileError ce ? ce.format() : e.toString()));
                continue;
            }
            lowered++;
            kernels += low.kernels().size();
            for (PtxTarget t : PtxTarget.values()) {
                try {
                    long t0 = System.nanoTime();
                    String ptx = new PtxRenderer().render(low.kernels(), t);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    if (ms > slowestRenderMs) { slowestRenderMs = ms; slowest = f.getFileName().toString(); }
                    PtxasCheck.Result r = PtxasCheck.run(ptx, t.arch);
                    if (r.ok()) {
                        accepted[t.ordinal()]++;
                        for (int regs : r.registers().values()) maxRegisters = Math.max(maxRegisters, regs);
                    } else {
                        rejected.add(f.getFileName() + " " + t.arch + ": " + r.error().lines().limit(3).toList());
                    }
                } catch (RuntimeException e) {
                    rejected.add(f.getFileName() + " " + t.arch + ": renderer " + e);
                }
            }
        }
        System.out.printf("PTX SWEEP: %d files, %d lowered (%d kernels); ptxas accepted sm_90 %d, sm_80 %d; most registers %d; slowest render %d ms (%s)%n",
                files, lowered, kernels, accepted[0], accepted[1], maxRegisters, slowestRenderMs, slowest);
        notLowered.forEach(s -> System.out.println("NOT LOWERED " + s));
        rejected.forEach(s -> System.out.println("REJECTED " + s));
        assertTrue(rejected.isEmpty(), rejected.size() + " modules rejected; first: " + (rejected.isEmpty() ? "" : rejected.get(0)));
    }
}
