package kc.codegen.ptx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import kc.ir.tile.BufferParam;
import kc.ir.tile.BufferParam.Access;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.ScalarType;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.UnOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;

/**
 * Writes a PTX module of one-op f32 kernels (out[i] = op(a[i]) or op(a[i], b[i])) for a run on a real GPU
 * (scripts/ptx_math_gpu.py, results in the package documentation), when -Dkc.gpuModule=DIR is given; otherwise
 * skipped.
 */
class GpuMathModuleTest {
    static final int THREADS = 256;
    static final int N = 1 << 20;

    static final UnOp[] UNARY = {UnOp.EXP, UnOp.LOG, UnOp.SQRT, UnOp.RSQRT, UnOp.RECIP, UnOp.TANH, UnOp.SIGMOID, UnOp.ERF,
            UnOp.SIN, UnOp.COS, UnOp.FLOOR, UnOp.CEIL, UnOp.ROUND_EVEN, UnOp.SIGN, UnOp.LOG1P, UnOp.EXPM1, UnOp.ABS, UnOp.NEG};
    static final BinOp[] BINARY = {BinOp.POW, BinOp.ATAN2, BinOp.REM, BinOp.MAX, BinOp.MIN, BinOp.DIV};

    @Test void writeModule() throws IOException {
        String dir = System.getProperty("kc.gpuModule");
        Assumptions.assumeTrue(dir != null, "no -Dkc.gpuModule=DIR: GPU module not written");
        List<Kernel> kernels = new ArrayList<>();
        TExpr tid = TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, new TExpr.Special(TExpr.Reg.BLOCK_X), TExpr.i32(THREADS)),
                new TExpr.Special(TExpr.Reg.THREAD_X));
        TExpr a = new TExpr.Load("a", Space.GLOBAL, tid, null, 0, TType.F32);
        TExpr b = new TExpr.Load("b", Space.GLOBAL, tid, null, 0, TType.F32);
        List<BufferParam> params = List.of(new BufferParam("a", ScalarType.F32, N, Access.READ),
                new BufferParam("b", ScalarType.F32, N, Access.READ), new BufferParam("out", ScalarType.F32, N, Access.WRITE));
        for (UnOp op : UNARY)
            kernels.add(new Kernel("u_" + op.name().toLowerCase(), params, List.of(), Launch.linear(N / THREADS, THREADS),
                    List.of(new TStmt.Store("out", Space.GLOBAL, tid, TExpr.unary(op, a), null))));
        for (BinOp op : BINARY)
            kernels.add(new Kernel("b_" + op.name().toLowerCase(), params, List.of(), Launch.linear(N / THREADS, THREADS),
                    List.of(new TStmt.Store("out", Space.GLOBAL, tid, TExpr.binary(op, a, b), null))));
        Files.createDirectories(Path.of(dir));
        Files.writeString(Path.of(dir, "math.ptx"), new PtxRenderer().render(kernels, PtxTarget.SM_90));
    }
}
