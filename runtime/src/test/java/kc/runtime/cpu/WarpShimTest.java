package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.codegen.cuda.CudaRenderer;
import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.interp.HostTensor;
import kc.ir.tile.BufferParam;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.ScalarType;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.TileVerifier;
import kc.ir.tile.Var;

/** The CPU shim's warp emulation: shuffles, warp reductions and mma.sync m16n8k8 tf32 with PTX's fragment layout. */
class WarpShimTest {
    private static final TExpr LANE = new TExpr.Special(TExpr.Reg.LANE);
    private static final TExpr TID = new TExpr.Special(TExpr.Reg.THREAD_X);

    private static TExpr add(TExpr a, TExpr b) { return TExpr.binary(BinOp.ADD, a, b); }
    private static TExpr mul(TExpr a, long f) { return TExpr.binary(BinOp.MUL, a, TExpr.i32(f)); }
    private static TExpr load(String buf, TExpr row, int cols, TExpr col) {
        return new TExpr.Load(buf, Space.GLOBAL, add(mul(row, cols), col), null, 0, TType.F32);
    }

    private static List<HostTensor> run(Kernel k, List<LaunchPlan.Buffer> buffers, List<HostTensor> inputs) {
        TileVerifier.verify(k);
        LaunchPlan plan = new LaunchPlan("t", buffers, List.of(new LaunchPlan.KernelLaunch(k.name(), k.launch(),
                k.params().stream().map(BufferParam::name).toList(), k.sharedBytes())));
        return CpuRunner.runCuda(List.of(k), plan, CudaRenderer.render(List.of(k)), inputs, Map.of());
    }

    private static float tf32(float x) {
        int u = Float.floatToRawIntBits(x);
        u = (u + 0x1000) & 0xffffe000;
        return Float.intBitsToFloat(u);
    }

    static Kernel mmaKernel() {
        Var g = new Var("g", TType.I32), t = new Var("t", TType.I32);
        TExpr G = TExpr.ref(g), T = TExpr.ref(t), G8 = add(G, TExpr.i32(8)), T4 = add(T, TExpr.i32(4));
        List<Var> d = List.of(new Var("d0", TType.F32), new Var("d1", TType.F32), new Var("d2", TType.F32), new Var("d3", TType.F32));
        TExpr zero = TExpr.f32(0);
        List<TStmt> body = new ArrayList<>(List.of(
                new TStmt.Let(g, TExpr.binary(BinOp.DIV, LANE, TExpr.i32(4))),
                new TStmt.Let(t, TExpr.binary(BinOp.REM, LANE, TExpr.i32(4))),
                new TStmt.Mma(TStmt.MmaShape.M16N8K8_TF32, d,
                        List.of(load("a", G, 8, T), load("a", G8, 8, T), load("a", G, 8, T4), load("a", G8, 8, T4)),
                        List.of(load("b", T, 8, G), load("b", T4, 8, G)),
                        List.of(zero, zero, zero, zero))));
        TExpr col = mul(T, 2);
        body.add(new TStmt.Store("d", Space.GLOBAL, add(mul(G, 8), col), TExpr.ref(d.get(0)), null));
        body.add(new TStmt.Store("d", Space.GLOBAL, add(add(mul(G, 8), col), TExpr.i32(1)), TExpr.ref(d.get(1)), null));
        body.add(new TStmt.Store("d", Space.GLOBAL, add(mul(G8, 8), col), TExpr.ref(d.get(2)), null));
        body.add(new TStmt.Store("d", Space.GLOBAL, add(add(mul(G8, 8), col), TExpr.i32(1)), TExpr.ref(d.get(3)), null));
        return new Kernel("mma_test", List.of(new BufferParam("a", ScalarType.F32, 128, BufferParam.Access.READ),
                new BufferParam("b", ScalarType.F32, 64, BufferParam.Access.READ), new BufferParam("d", ScalarType.F32, 128, BufferParam.Access.WRITE)),
                List.of(), Launch.linear(1, 32), body);
    }

    @Test
    void mmaTf32FollowsThePtxFragmentLayout() {
        Kernel k = mmaKernel();
        float[] a = new float[128], b = new float[64];
        for (int i = 0; i < a.length; i++) a[i] = (float) Math.sin(i * 0.37 + 0.1) * 1.2345f;
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.cos(i * 0.91) * 0.777f;
        List<LaunchPlan.Buffer> bufs = List.of(
                new LaunchPlan.Buffer("a", LaunchPlan.Role.INPUT, 0, null, DType.F32, Shape.of(16, 8), null),
                new LaunchPlan.Buffer("b", LaunchPlan.Role.INPUT, 1, null, DType.F32, Shape.of(8, 8), null),
                new LaunchPlan.Buffer("d", LaunchPlan.Role.OUTPUT, 0, null, DType.F32, Shape.of(16, 8), null));
        HostTensor out = run(k, bufs, List.of(HostTensor.ofFloats(Shape.of(16, 8), a), HostTensor.ofFloats(Shape.of(8, 8), b))).get(0);
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < 8; j++) {
                double ref = 0;
                for (int kk = 0; kk < 8; kk++) ref += (double) tf32(a[i * 8 + kk]) * tf32(b[kk * 8 + j]);
                assertEquals(ref, out.get(i, j), 1e-5, "D[" + i + "][" + j + "]");
            }
    }

    /** 64 threads (two warps); each thread's value is its thread index. */
    static Kernel warpKernel() {
        Var v = new Var("v", TType.F32);
        TExpr V = TExpr.ref(v);
        List<TStmt> body = List.of(
                new TStmt.Let(v, new TExpr.Cast(TID, TType.F32)),
                new TStmt.Store("o", Space.GLOBAL, mul(TID, 5), new TExpr.Shuffle(TExpr.ShuffleKind.IDX, V, TExpr.i32(3), TType.F32), null),
                new TStmt.Store("o", Space.GLOBAL, add(mul(TID, 5), TExpr.i32(1)), new TExpr.Shuffle(TExpr.ShuffleKind.DOWN, V, TExpr.i32(4), TType.F32), null),
                new TStmt.Store("o", Space.GLOBAL, add(mul(TID, 5), TExpr.i32(2)), new TExpr.Shuffle(TExpr.ShuffleKind.XOR, V, TExpr.i32(5), TType.F32), null),
                new TStmt.Store("o", Space.GLOBAL, add(mul(TID, 5), TExpr.i32(3)), new TExpr.WarpReduce(TExpr.ReduceOp.SUM, V, TType.F32), null),
                new TStmt.Store("o", Space.GLOBAL, add(mul(TID, 5), TExpr.i32(4)), new TExpr.WarpReduce(TExpr.ReduceOp.MAX, V, TType.F32), null));
        return new Kernel("warp_test", List.of(new BufferParam("o", ScalarType.F32, 320, BufferParam.Access.WRITE)), List.of(), Launch.linear(2, 64), body);
    }

    @Test
    void nvccAcceptsTheWarpAndMmaKernelsForSm90AndSm80() throws Exception {
        Toolchain.require(Nvcc.available(), "nvcc is not installed: the warp and mma kernels are not compiled");
        String src = CudaRenderer.render(List.of(mmaKernel(), warpKernel()));
        for (String arch : List.of("sm_90", "sm_80")) assertEquals(null, Nvcc.compile(src, arch), arch);
    }

    @Test
    void shufflesAndWarpReductions() {
        Kernel k = warpKernel();
        HostTensor out = run(k, List.of(new LaunchPlan.Buffer("o", LaunchPlan.Role.OUTPUT, 0, null, DType.F32, Shape.of(64, 5), null)), List.of()).get(0);
        for (int tid = 0; tid < 64; tid++) {
            int base = tid & ~31, lane = tid & 31;
            assertEquals(base + 3, out.get(tid, 0), "idx");
            assertEquals(lane + 4 < 32 ? tid + 4 : tid, out.get(tid, 1), "down");
            assertEquals(base + (lane ^ 5), out.get(tid, 2), "xor");
            assertEquals(32 * base + 496, out.get(tid, 3), "sum");
            assertEquals(base + 31, out.get(tid, 4), "max");
        }
    }
}
