package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import kc.codegen.cuda.CudaRenderer;
import kc.codegen.ptx.PtxRenderer;
import kc.codegen.ptx.PtxTarget;
import kc.codegen.ptx.PtxasCheck;
import kc.frontend.Frontend;
import kc.ir.graph.Graph;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;
import kc.ir.tile.Kernel;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.Accumulation;
import kc.passes.schedule.Contraction;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.MatrixUnit;
import kc.passes.schedule.Precision;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.ScheduleLegality;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.Tiles;
import kc.runtime.verify.Comparison;
import kc.runtime.verify.Tolerance;

/**
 * Contractions under strategy TILE (shared-memory operand tiles, register micro-tiles): matmul, bmm, Linear with its
 * epilogue, and convolutions as implicit GEMMs (padded, strided, dilated, transposed), at sizes that leave partial
 * tiles on every edge, under several tile shapes and both accumulations. Each runs on both CPU shims against the
 * reference interpreter; its PTX goes through ptxas and its CUDA C through nvcc where installed.
 */
class TiledContractionCpuTest {
    private static final List<Kernel> LOWERED = java.util.Collections.synchronizedList(new ArrayList<>());

    private static Graph model(String forward, String init, String inputs) {
        String src = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
                + "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n" + init
                + "    def forward(self, " + forward + "\n\n"
                + "def get_inputs():\n    return [" + inputs + "]\n\ndef get_init_inputs():\n    return []\n";
        return kc.passes.rules.Rules.optimised(Frontend.load("tiled.py", src, Map.of()).graph());
    }

    /** The graph's contraction group under these tiles and accumulation, checked on both shims. */
    private static Lowered check(Graph g, Tiles tiles, Accumulation acc) { return check(g, tiles, acc, CpuRunner.BACKENDS); }

    private static Lowered check(Graph g, Tiles tiles, Accumulation acc, List<String> backends) { return check(g, tiles, acc, backends, null); }

    /** The same under a precision class (null: the default), compared at that class's tolerance. */
    private static Lowered check(Graph g, Tiles tiles, Accumulation acc, List<String> backends, Precision precision) {
        return check(g, tiles, acc, 1, backends, precision);
    }

    /** The same split along K {@code splits} ways. */
    private static Lowered check(Graph g, Tiles tiles, Accumulation acc, int splits, List<String> backends, Precision precision) {
        Schedule d = precision == null ? DefaultScheduler.schedule(g) : DefaultScheduler.complete(g, Schedule.EMPTY.withPrecision(precision), MachineModel.SM_90);
        GroupSchedule contraction = null;
        for (var n : g.nodes()) if (Contraction.of(n) != null) contraction = d.group(kc.passes.schedule.GroupNames.of(g).group(n));
        assertNotNull(contraction, "a contraction group in " + kc.ir.graph.GraphPrinter.print(g, true));
        Schedule s = d.with(contraction.withAccumulation(acc).withTiles(tiles).withSplits(splits));
        List<ScheduleLegality.Problem> problems = ScheduleLegality.check(g, s, MachineModel.SM_90);
        assertTrue(problems.isEmpty(), problems.toString());
        return run(g, s, backends);
    }

    /** Seeded random inputs for g, and its parameters by name. */
    private record Inputs(List<HostTensor> in, Map<String, HostTensor> params) {
        static Inputs of(Graph g) {
            Random rnd = new Random(7);
            List<HostTensor> in = new ArrayList<>();
            for (Value v : g.inputs()) in.add(CpuCheck.random(v, rnd));
            Map<String, HostTensor> params = new java.util.HashMap<>();
            for (Value p : g.params()) params.put(p.name(), CpuCheck.random(p, rnd));
            return new Inputs(in, params);
        }
    }

    private static Lowered run(Graph g, Schedule s, List<String> backends) {
        Inputs inputs = Inputs.of(g);
        List<HostTensor> in = inputs.in();
        Map<String, HostTensor> params = inputs.params();
        Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
        assertEquals(s.precisionOrDefault().word(), low.plan().precision());
        int graph = LOWERED.size();
        for (Kernel k : low.kernels()) LOWERED.add(new Kernel("t" + graph + "_" + k.name(), k.params(), k.shared(), k.launch(), k.body()));
        if (PtxasCheck.available())
            for (PtxTarget t : PtxTarget.values()) {
                PtxasCheck.Result res = PtxasCheck.run(new PtxRenderer().render(low.kernels(), t), t.arch);
                assertTrue(res.ok(), "ptxas " + t.arch + ": " + res.error());
            }
        List<HostTensor> ref = Interpreter.run(g, in, params);
        for (String backend : backends) {
            List<HostTensor> out = CpuRunner.run(low.kernels(), low.plan(), in, params, backend);
            if (s.precisionOrDefault().fp32Accurate()) {
                CpuCheck.Result res = CpuCheck.compare(out, ref);
                assertTrue(res.passed(), backend + " " + s.groups() + ": " + res.message());
            } else {
                for (int o = 0; o < out.size(); o++) {
                    Comparison c = Comparison.of(out.get(o), ref.get(o), Tolerance.of(ref.get(o).dtype(), s.precision()));
                    assertTrue(c.passed(), backend + " " + s.groups() + ": " + c.summary());
                }
            }
        }
        return low;
    }

    /** Legality's problems with the graph's contraction group under these tiles (double-word totals). */
    private static List<String> legality(Graph g, Tiles tiles) {
        Schedule d = DefaultScheduler.schedule(g);
        GroupSchedule contraction = null;
        for (var n : g.nodes()) if (Contraction.of(n) != null) contraction = d.group(kc.passes.schedule.GroupNames.of(g).group(n));
        Schedule s = d.with(contraction.withAccumulation(Accumulation.DOUBLE).withTiles(tiles));
        return ScheduleLegality.check(g, s, MachineModel.SM_90).stream().map(Object::toString).toList();
    }

    private static boolean copiesAsync(Lowered low) {
        return low.kernels().stream().anyMatch(k -> kc.ir.tile.TilePrinter.print(k).contains("copy_async"));
    }

    @AfterAll
    static void nvccAcceptsEveryKernel() throws Exception {
        if (!kc.codegen.Toolchain.present(Nvcc.available(), "nvcc is not installed: the nvcc acceptance check is skipped")) return;
        String src = CudaRenderer.render(LOWERED);
        for (String arch : List.of("sm_90", "sm_80")) assertEquals(null, Nvcc.compile(src, arch), "nvcc -arch=" + arch);
    }

    @Test void matmulWithPartialTilesOnEveryEdge() {
        Graph g = model("a, b):\n        return torch.matmul(a, b)\n", "", "torch.randn(37, 45), torch.randn(45, 53)");
        check(g, new Tiles(32, 32, 8, 2, 2), Accumulation.PLAIN);
        check(g, new Tiles(32, 64, 16, 4, 8), Accumulation.PLAIN);
        check(g, new Tiles(64, 32, 4, 4, 1), Accumulation.DOUBLE);
        check(g, new Tiles(64, 32, 4, 4, 1), Accumulation.PLAIN);
    }

    @Test void longReductionsSumRunsOfProductsIntoDoubleWordTotals() {
        // 600 terms in steps of 8: runs of 8 products (sqrt(600 x 8) = 69 terms' worth of error)
        Graph g = model("a, b):\n        return a @ b\n", "", "torch.randn(33, 600), torch.randn(600, 40)");
        check(g, new Tiles(32, 32, 8, 2, 2), Accumulation.DOUBLE);
        assertEquals(8, Tiles.compensationRun(8, 600));
        Schedule d = DefaultScheduler.schedule(g);
        assertEquals(Accumulation.DOUBLE, d.groups().get(0).accumulation(), "600 terms are too many for a plain sum");
        Schedule plain = d.with(d.groups().get(0).withAccumulation(Accumulation.PLAIN));
        assertEquals(List.of("group matmul#1: accumulate plain sums 600 terms; at most 256 keep fp32 within 1e-4 (accumulate double)"),
                ScheduleLegality.check(g, plain, MachineModel.SM_90).stream().map(Object::toString).toList());
        // 20000 terms: runs of 2, the TwoSum after every second product
        Graph longer = model("a, b):\n        return a @ b\n", "", "torch.randn(33, 20000), torch.randn(20000, 40)");
        assertEquals(2, Tiles.compensationRun(16, 20000));
        assertEquals(1, Tiles.compensationRun(16, 40000));
        assertEquals(16, Tiles.compensationRun(16, 4096));
        check(longer, new Tiles(32, 32, 16, 2, 2), Accumulation.DOUBLE);
    }

    @Test void tensorCoresWithTheirFragmentLayouts() {
        // plain sums in the matrix units' truncating accumulators only up to 32 terms
        Graph g = model("a, b):\n        return torch.matmul(a, b)\n", "", "torch.randn(37, 29), torch.randn(29, 53)");
        check(g, Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3), Accumulation.PLAIN);
        check(g, Tiles.mma(64, 32, 16, 32, 16, MatrixUnit.TF32X3), Accumulation.DOUBLE);
        Graph wide = model("a, b):\n        return torch.matmul(a, b)\n", "", "torch.randn(37, 45), torch.randn(45, 53)");
        Schedule d = DefaultScheduler.schedule(wide);
        Schedule plain = d.with(d.groups().get(0).withAccumulation(Accumulation.PLAIN).withTiles(Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3)));
        assertEquals(List.of("group matmul#1: mma tf32x3 with accumulate plain sums 45 terms in the matrix units' truncating accumulators; at most 32 keep 1e-4 (accumulate double)"),
                ScheduleLegality.check(wide, plain, MachineModel.SM_90).stream().map(Object::toString).toList());
        Graph conv = model("x):\n        return torch.relu(self.conv(x))\n", "        self.conv = nn.Conv2d(3, 36, 3, stride=2, padding=1)\n",
                "torch.randn(2, 3, 17, 19)");
        check(conv, Tiles.mma(32, 64, 8, 16, 32, MatrixUnit.TF32X3), Accumulation.PLAIN);
        Graph long_ = model("a, b):\n        return a @ b\n", "", "torch.randn(33, 600), torch.randn(600, 40)");
        assertEquals(16, Tiles.tensorCoreRun(16, 600));
        check(long_, Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32X3), Accumulation.DOUBLE);
        assertEquals(0, Tiles.tensorCoreRun(16, 8192), "runs of 8 over 8192 terms keep more error than the budget");
    }

    /** Largest |out - ref| over the largest |ref|, for outputs compared against the interpreter. */
    private static double relativeError(Graph g, Lowered low, String backend) {
        Inputs inputs = Inputs.of(g);
        HostTensor out = CpuRunner.run(low.kernels(), low.plan(), inputs.in(), inputs.params(), backend).get(0);
        HostTensor ref = Interpreter.run(g, inputs.in(), inputs.params()).get(0);
        double err = 0, size = 0;
        for (int i = 0; i < ref.numel(); i++) {
            err = Math.max(err, Math.abs(out.getFlat(i) - ref.getFlat(i)));
            size = Math.max(size, Math.abs(ref.getFlat(i)));
        }
        return err / size;
    }

    @Test void reducedPrecisionUnitsRoundEachOperandOnce() {
        Graph g = model("a, b):\n        return torch.matmul(a, b)\n", "", "torch.randn(37, 45), torch.randn(45, 53)");
        Lowered tf32 = check(g, Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32), Accumulation.PLAIN, CpuRunner.BACKENDS, Precision.TF32);
        Lowered bf16 = check(g, Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.BF16), Accumulation.PLAIN, CpuRunner.BACKENDS, Precision.BF16);
        check(g, Tiles.mma(64, 32, 32, 32, 16, MatrixUnit.BF16).withStages(2), Accumulation.PLAIN, CpuRunner.BACKENDS, Precision.BF16);
        Lowered split = check(g, Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32X3), Accumulation.DOUBLE);
        // each class's error is what its rounding implies (and proves the rounding happens): tf32 keeps 11 bits, bf16 8
        double eSplit = relativeError(g, split, "cuda-cpu"), eTf32 = relativeError(g, tf32, "cuda-cpu"), eBf16 = relativeError(g, bf16, "cuda-cpu");
        assertTrue(eSplit < 1e-5 && eTf32 > 1e-5 && eTf32 < 3e-3 && eBf16 > 4 * eTf32 && eBf16 < 2e-2, eSplit + " " + eTf32 + " " + eBf16);
        // a convolution's implicit GEMM with partial tiles, in 16-bit pairs along its window
        Graph conv = model("x):\n        return torch.relu(self.conv(x))\n", "        self.conv = nn.Conv2d(3, 36, 3, stride=2, padding=1)\n",
                "torch.randn(2, 3, 17, 19)");
        check(conv, Tiles.mma(32, 64, 16, 16, 32, MatrixUnit.BF16), Accumulation.PLAIN, CpuRunner.BACKENDS, Precision.BF16);
        // the fp32-accurate classes refuse them; bf16 takes 16 terms an instruction
        Schedule d = DefaultScheduler.schedule(g);
        Schedule tf32AtDefault = d.with(d.groups().get(0).withAccumulation(Accumulation.PLAIN).withTiles(Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32)));
        assertEquals(List.of("group matmul#1: mma tf32 is not allowed under precision tf32x3 (mma tf32x3, or thread MxN)"),
                ScheduleLegality.check(g, tf32AtDefault, MachineModel.SM_90).stream().map(Object::toString).toList());
        Schedule bf16Step8 = d.withPrecision(Precision.BF16).with(d.groups().get(0).withAccumulation(Accumulation.PLAIN)
                .withTiles(Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.BF16)));
        assertEquals(List.of("group matmul#1: mma bf16 runs m16n8k16 instructions: warp 16x16 must be a multiple of 16x8 and the step 8 of 16"),
                ScheduleLegality.check(g, bf16Step8, MachineModel.SM_90).stream().map(Object::toString).toList());
        // kc's default under each class: its own unit, plain sums however long the reduction
        Graph big = model("a, b):\n        return a @ b\n", "", "torch.randn(2048, 8192), torch.randn(8192, 2048)");
        for (Precision p : List.of(Precision.TF32, Precision.BF16)) {
            GroupSchedule chosen = DefaultScheduler.complete(big, Schedule.EMPTY.withPrecision(p), MachineModel.SM_90).groups().get(0);
            assertEquals(p.matrixUnit(), chosen.tiles().unit(), p.word());
            assertEquals(Accumulation.PLAIN, chosen.accumulation(), p.word());
        }
        assertEquals(MatrixUnit.SIMT, DefaultScheduler.schedule(big, MachineModel.SM_90).groups().get(0).tiles().unit(),
                "8192 terms are past 3xtf32's error budget");
        // the floor counts the contraction at its class's matrix-unit rate, whichever unit the schedule took
        double flops = 2.0 * 2048 * 8192 * 2048;
        assertEquals(flops / (989e12 / 6), kc.passes.cost.CostModel.estimate(big, MachineModel.SM_90, Precision.TF32X3).idealSeconds(), 1e-9);
        assertEquals(flops / 989e12, kc.passes.cost.CostModel.estimate(big, MachineModel.SM_90, Precision.BF16).idealSeconds(), 1e-9);
        assertEquals(flops / 67e12, kc.passes.cost.CostModel.estimate(big, MachineModel.SM_90, Precision.FP32).idealSeconds(), 1e-9);
    }

    /** The graph's contraction group under these tiles, accumulation and split K, checked on both shims. */
    private static Lowered checkSplit(Graph g, Tiles tiles, Accumulation acc, int splits, Precision precision) {
        Lowered low = check(g, tiles, acc, splits, CpuRunner.BACKENDS, precision);
        assertTrue(low.kernels().stream().anyMatch(k -> k.name().endsWith("_combine")), "a second kernel merges the chunks");
        return low;
    }

    /**
     * Double-word totals are exact where the runs are: integers below 2^10 (exact products and runs of 16, and
     * exact in tf32) whose totals pass 2^24, where fp32 keeps no units, summed in runs of alternating sign so that
     * the totals swing. Every output must be the exact sum rounded once, on both units; a plain sum is not.
     */
    @Test void doubleWordTotalsAreExactWhereTheRunsAre() {
        Graph g = model("a, b):\n        return a @ b\n", "", "torch.randn(32, 4096), torch.randn(4096, 32)");
        Random rnd = new Random(5);
        double[] a = new double[32 * 4096], b = new double[4096 * 32];
        for (int i = 0; i < a.length; i++) a[i] = ((i % 4096) / 16 % 3 == 0 ? -1 : 1) * (512 + rnd.nextInt(512));
        for (int i = 0; i < b.length; i++) b[i] = 512 + rnd.nextInt(512);
        List<HostTensor> in = List.of(HostTensor.of(kc.ir.graph.DType.F32, kc.ir.graph.Shape.of(32, 4096), a),
                HostTensor.of(kc.ir.graph.DType.F32, kc.ir.graph.Shape.of(4096, 32), b));
        Schedule d = DefaultScheduler.schedule(g);
        for (Tiles tiles : List.of(new Tiles(32, 32, 16, 2, 2), Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32X3)))
            for (Accumulation acc : List.of(Accumulation.DOUBLE, Accumulation.PLAIN)) {
                Schedule s = d.with(d.groups().get(0).withAccumulation(acc).withTiles(tiles));
                if (acc == Accumulation.PLAIN) s = s.withPrecision(Precision.TF32); // the only class that lets 4096 terms sum plainly
                Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
                HostTensor out = CpuRunner.run(low.kernels(), low.plan(), in, Map.of(), "cuda-cpu").get(0);
                int inexact = 0;
                for (int i = 0; i < 32; i++)
                    for (int j = 0; j < 32; j++) {
                        long exact = 0;
                        for (int k = 0; k < 4096; k++) exact += (long) a[i * 4096 + k] * (long) b[k * 32 + j];
                        if (out.getFlat(i * 32 + j) != (float) exact) inexact++;
                    }
                if (acc == Accumulation.DOUBLE) assertEquals(0, inexact, tiles + ": outputs not the exact sum rounded once");
                else assertTrue(inexact > 100, tiles + ": a plain sum should lose the units past 2^24, lost them on " + inexact + " of 1024");
            }
    }

    /** A NaN operand reaches its outputs through the split's high part (the low part's cheap rounding may drop it). */
    @Test void aNanOperandMakesItsRowNanThroughTheSplit() {
        Graph g = model("a, b):\n        return a @ b\n", "", "torch.randn(32, 64), torch.randn(64, 32)");
        Random rnd = new Random(9);
        double[] a = new double[32 * 64], b = new double[64 * 32];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextGaussian();
        a[5 * 64 + 7] = Double.NaN;
        List<HostTensor> in = List.of(HostTensor.of(kc.ir.graph.DType.F32, kc.ir.graph.Shape.of(32, 64), a),
                HostTensor.of(kc.ir.graph.DType.F32, kc.ir.graph.Shape.of(64, 32), b));
        Schedule d = DefaultScheduler.schedule(g);
        Schedule s = d.with(d.groups().get(0).withAccumulation(Accumulation.DOUBLE).withTiles(Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32X3)));
        Lowered low = Lowering.lower(g, s, MachineModel.SM_90);
        for (String backend : CpuRunner.BACKENDS) {
            HostTensor out = CpuRunner.run(low.kernels(), low.plan(), in, Map.of(), backend).get(0);
            for (int i = 0; i < 32; i++)
                for (int j = 0; j < 32; j++)
                    assertEquals(i == 5, Double.isNaN(out.getFlat(i * 32 + j)), backend + " output (" + i + ", " + j + ")");
        }
    }

    @Test void splitKRunsChunksOfTheReductionThenMergesThemInOrder() {
        // 45 terms in steps of 8: 6 steps, 3 chunks of 2 (the last ends inside its second step)
        Graph g = model("a, b):\n        return torch.matmul(a, b)\n", "", "torch.randn(37, 45), torch.randn(45, 53)");
        checkSplit(g, new Tiles(32, 32, 8, 2, 2), Accumulation.PLAIN, 3, null);
        checkSplit(g, new Tiles(32, 32, 8, 2, 2).withStages(1), Accumulation.DOUBLE, 3, null);
        checkSplit(g, Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3), Accumulation.DOUBLE, 6, null);
        checkSplit(g, Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3).withStages(4), Accumulation.DOUBLE, 2, null);
        checkSplit(g, Tiles.mma(32, 32, 16, 16, 16, MatrixUnit.TF32), Accumulation.PLAIN, 2, Precision.TF32);
        // batched, and a convolution whose bias and relu the combine applies after the merge
        Graph bmm = model("a, b):\n        return torch.bmm(a, b)\n", "", "torch.randn(3, 20, 70), torch.randn(3, 70, 36)");
        checkSplit(bmm, new Tiles(32, 32, 8, 2, 2), Accumulation.DOUBLE, 3, null);
        Graph conv = model("x):\n        return torch.relu(self.conv(x))\n", "        self.conv = nn.Conv2d(5, 36, 3, stride=2, padding=1)\n",
                "torch.randn(2, 5, 9, 11)");
        checkSplit(conv, Tiles.mma(32, 64, 8, 16, 32, MatrixUnit.TF32X3), Accumulation.DOUBLE, 6, null);
        // no chunk may be empty
        Schedule d = DefaultScheduler.schedule(g);
        Schedule four = d.with(d.groups().get(0).withAccumulation(Accumulation.PLAIN).withTiles(new Tiles(32, 32, 8, 2, 2)).withSplits(4));
        assertEquals(List.of("group matmul#1: split 4 leaves a chunk without terms: 45 terms in steps of 8 are 6 steps, and chunks of 2 fill only 3"),
                ScheduleLegality.check(g, four, MachineModel.SM_90).stream().map(Object::toString).toList());
        // kc splits where the tiles leave SMs idle and the reduction is long: 8 tiles of 8192 terms (past 3xtf32's
        // budget, so on the cores) in 32 chunks of 16 steps
        Graph few = model("a, b):\n        return a @ b\n", "", "torch.randn(64, 8192), torch.randn(8192, 64)");
        GroupSchedule chosen = DefaultScheduler.schedule(few).groups().get(0);
        assertEquals(kc.passes.schedule.Strategy.TILE, chosen.strategy(), chosen.toString());
        assertEquals(32, chosen.splits(), chosen.toString());
        run(few, DefaultScheduler.schedule(few), CpuRunner.BACKENDS);
        Graph deep = model("a, b):\n        return a @ b\n", "", "torch.randn(256, 524288), torch.randn(524288, 256)");
        assertTrue(DefaultScheduler.schedule(deep).groups().get(0).splits() > 8, "level1/6's shape: 16 tiles of half a million terms");
    }

    @Test void plainFactorsTravelByAsyncCopiesAndProloguesThroughRegisters() {
        Graph plain = model("a, b):\n        return a @ b\n", "", "torch.randn(37, 45), torch.randn(45, 53)");
        assertTrue(copiesAsync(check(plain, Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3), Accumulation.DOUBLE)), "a ring of cp.async copies");
        assertTrue(copiesAsync(check(plain, new Tiles(32, 32, 16, 2, 2), Accumulation.DOUBLE)), "SIMT tiles too");
        // k = 4: 15 steps through a ring of 3, so every buffer is refilled several times, the last steps past the end
        assertTrue(copiesAsync(check(plain, new Tiles(32, 32, 4, 2, 2), Accumulation.PLAIN)));
        Graph product = model("a, c, b):\n        return torch.einsum('ik,ik,kj->ij', a, c, b)\n", "", "torch.randn(37, 45), torch.randn(37, 45), torch.randn(45, 53)");
        assertFalse(copiesAsync(check(product, Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3), Accumulation.DOUBLE)),
                "a factor that multiplies two operands is evaluated in registers");
        assertEquals(List.of("group einsum#1: stages 2 copies the operand tiles asynchronously (cp.async), which takes fp32 operands read as they are; this contraction computes a factor (stages 1)"),
                legality(product, Tiles.mma(32, 32, 8, 16, 16, MatrixUnit.TF32X3).withStages(2)));
        assertEquals(List.of("group matmul#1: tile 128x128x32 in 8 stages takes 278528 bytes of shared memory; at most 232448 on sm_90 (a smaller tile or fewer stages)"),
                legality(plain, Tiles.mma(128, 128, 32, 64, 32, MatrixUnit.TF32X3).withStages(8)));
        // past 48 KB the arrays live in dynamic shared memory, which the launch sizes
        Lowered big = check(plain, Tiles.mma(64, 128, 16, 32, 32, MatrixUnit.TF32X3).withStages(4), Accumulation.DOUBLE,
                List.of("cuda-cpu")); // Apple GPUs stop at 32 KB
        assertEquals(53248, big.plan().launches().get(0).dynamicSharedBytes());
        assertTrue(big.kernels().get(0).dynamicShared());
        assertTrue(copiesAsync(check(plain, Tiles.mma(32, 64, 16, 16, 32, MatrixUnit.TF32X3).withStages(4), Accumulation.DOUBLE)), "a ring of 4");
        assertTrue(copiesAsync(check(plain, new Tiles(32, 32, 4, 2, 2).withStages(2), Accumulation.PLAIN)), "a ring of 2: each step waits for all");
        assertFalse(copiesAsync(check(plain, Tiles.mma(32, 64, 16, 16, 32, MatrixUnit.TF32X3).withStages(1), Accumulation.DOUBLE)), "stages 1: registers");
        assertEquals(3, new Tiles(64, 128, 16, 4, 8).ring(true));
        assertEquals(0, new Tiles(64, 128, 16, 4, 8).ring(false), "computed factors go through registers");
        assertEquals(0, new Tiles(64, 128, 16, 4, 8).withStages(1).ring(true), "stages 1: registers");
        assertEquals(2, new Tiles(64, 128, 16, 4, 8).withStages(2).ring(true));
        assertEquals(0, new Tiles(256, 256, 32, 8, 8).ring(true), "one buffer of 64 KB: no ring");
        assertEquals(2, new Tiles(64, 128, 16, 4, 8).automaticStages(32 * 1024), "Apple GPUs: 32 KB");
    }

    @Test void swizzledTileOrdersCoverEveryTileOnce() {
        // 4 x 3 tiles of 16 x 16 (the last row and column partial) in bands of 3 rows (the last band of 1), of 2,
        // and of more rows than there are; batched too
        Graph g = model("a, b):\n        return a @ b\n", "", "torch.randn(57, 45), torch.randn(45, 40)");
        for (int band : new int[] {3, 2, 8})
            check(g, new Tiles(16, 16, 8, 2, 2).withSwizzle(band), Accumulation.PLAIN);
        check(g, Tiles.mma(16, 16, 8, 16, 8, MatrixUnit.TF32X3).withSwizzle(3), Accumulation.DOUBLE);
        Graph batched = model("a, b):\n        return torch.bmm(a, b)\n", "", "torch.randn(3, 50, 35), torch.randn(3, 35, 33)");
        check(batched, new Tiles(16, 16, 8, 2, 2).withSwizzle(2), Accumulation.PLAIN);
    }

    @Test void tileLoadsRunAlongTheLongerContiguousDim() {
        Contraction mm = contraction(model("a, b):\n        return a @ b\n", "", "torch.randn(64, 96), torch.randn(96, 80)"));
        assertTrue(mm.rowsAlongK(), "a's rows are contiguous along k");
        assertFalse(mm.colsAlongK(), "b's columns are contiguous along n");
        // the input is read at ow + kw: a row of 30 pixels against 3 terms of kw, so its tile loads go along pixels
        Contraction conv = contraction(model("x):\n        return self.conv(x)\n", "        self.conv = nn.Conv2d(4, 36, 3)\n", "torch.randn(2, 4, 32, 32)"));
        assertFalse(conv.colsAlongK(), "the input's tile along its pixels");
        assertTrue(conv.rowsAlongK(), "the weight's tile along its (cin, kh, kw) terms");
    }

    private static Contraction contraction(Graph g) {
        for (var n : g.nodes()) if (Contraction.of(n) != null) return Contraction.of(n);
        throw new AssertionError("no contraction");
    }

    @Test void batchedMatmul() {
        Graph g = model("a, b):\n        return torch.bmm(a, b)\n", "", "torch.randn(3, 20, 35), torch.randn(3, 35, 33)");
        check(g, new Tiles(32, 32, 8, 4, 4).withThreadTile(2, 2), Accumulation.PLAIN);
    }

    @Test void linearWithBiasAndActivationEpilogue() {
        Graph g = model("x):\n        return torch.relu(self.fc(x)) * 2\n", "        self.fc = nn.Linear(70, 48)\n", "torch.randn(40, 70)");
        check(g, new Tiles(32, 32, 16, 2, 2), Accumulation.PLAIN);
        assertEquals(Strategy.WARP, DefaultScheduler.schedule(g).groups().get(0).strategy(), "4 tiles would leave most SMs idle");
        Graph big = model("x):\n        return torch.relu(self.fc(x)) * 2\n", "        self.fc = nn.Linear(70, 1024)\n", "torch.randn(512, 70)");
        GroupSchedule tiled = DefaultScheduler.schedule(big).groups().get(0);
        assertEquals(Strategy.TILE, tiled.strategy(), "512 x 1024 outputs fill the GPU with tiles");
        assertEquals(MatrixUnit.TF32X3, tiled.tiles().unit(), "on tensor cores on sm_90");
        assertEquals(MatrixUnit.SIMT, DefaultScheduler.schedule(big, MachineModel.APPLE).groups().get(0).tiles().unit(), "Apple GPUs: the cores");
    }

    @Test void paddedStridedAndDilatedConvolutions() {
        Graph conv = model("x):\n        return self.conv(x)\n", "        self.conv = nn.Conv2d(5, 36, 3, stride=2, padding=1, dilation=2)\n",
                "torch.randn(2, 5, 17, 19)");
        check(conv, new Tiles(32, 64, 8, 2, 4), Accumulation.PLAIN);
        Graph conv1d = model("x):\n        return F.gelu(self.conv(x))\n", "        self.conv = nn.Conv1d(6, 40, 5, padding=2)\n", "torch.randn(3, 6, 30)");
        check(conv1d, new Tiles(32, 32, 16, 2, 2), Accumulation.PLAIN);
        Graph transposed = model("x):\n        return self.conv(x)\n", "        self.conv = nn.ConvTranspose2d(4, 33, 3, stride=2, padding=1, output_padding=1)\n",
                "torch.randn(2, 4, 9, 7)");
        check(transposed, new Tiles(32, 32, 8, 2, 2), Accumulation.DOUBLE);
    }
}
