package kc.codegen.metal;

import static kc.codegen.metal.ShimHarness.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kc.ir.tile.BufferParam;
import kc.ir.tile.BufferParam.Access;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LocalArray;
import kc.ir.tile.ScalarType;
import kc.ir.tile.SharedArray;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.Reg;
import kc.ir.tile.TExpr.UnOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

/** Hand-built Tile IR kernels rendered to MSL, compiled with g++ and the Metal CPU shim, checked against Java. */
class MetalShimTest {
    @BeforeAll
    static void needGpp() { assumeTrue(gppAvailable(), "g++ is not installed: the Metal CPU shim cannot run"); }

    static final TType F32 = TType.F32, I32 = TType.I32, BOOL = TType.BOOL;

    static TExpr reg(Reg r) { return new TExpr.Special(r); }
    static TExpr i(long v) { return TExpr.i32(v); }
    static TExpr f(double v) { return TExpr.f32(v); }
    static TExpr ref(Var v) { return TExpr.ref(v); }
    static TExpr bin(BinOp op, TExpr a, TExpr b) { return TExpr.binary(op, a, b); }
    static TExpr load(String buf, TExpr idx, TType t) { return new TExpr.Load(buf, Space.GLOBAL, idx, null, 0, t); }
    static TStmt store(String buf, TExpr idx, TExpr v) { return new TStmt.Store(buf, Space.GLOBAL, idx, v, null); }
    static BufferParam param(String n, ScalarType t, long numel, Access a) { return new BufferParam(n, t, numel, a); }

    /** The global linear index blockX * blockDim + threadX. */
    static TExpr gid(int block) { return bin(BinOp.ADD, bin(BinOp.MUL, reg(Reg.BLOCK_X), i(block)), reg(Reg.THREAD_X)); }

    static void assertClose(double want, double got, String what) {
        if (Double.isNaN(want)) { assertTrue(Double.isNaN(got), what + ": want NaN, got " + got); return; }
        if (Double.isInfinite(want)) { assertEquals(want, got, what); return; }
        assertTrue(Math.abs(want - got) <= 1e-5 + 1e-5 * Math.abs(want), what + ": want " + want + ", got " + got);
    }

    static final UnOp[] FLOAT_UNARY = {UnOp.NEG, UnOp.ABS, UnOp.EXP, UnOp.LOG, UnOp.SQRT, UnOp.RSQRT, UnOp.RECIP, UnOp.TANH,
            UnOp.SIGMOID, UnOp.ERF, UnOp.SIN, UnOp.COS, UnOp.FLOOR, UnOp.CEIL, UnOp.ROUND_EVEN, UnOp.SIGN, UnOp.LOG1P, UnOp.EXPM1};

    static double javaUnary(UnOp op, double x) {
        return switch (op) {
            case NEG -> -x; case ABS -> Math.abs(x); case EXP -> Math.exp(x); case LOG -> Math.log(x); case SQRT -> Math.sqrt(x);
            case RSQRT -> 1 / Math.sqrt(x); case RECIP -> 1 / x; case TANH -> Math.tanh(x); case SIGMOID -> 1 / (1 + Math.exp(-x));
            case ERF -> erf(x); case SIN -> Math.sin(x); case COS -> Math.cos(x); case FLOOR -> Math.floor(x); case CEIL -> Math.ceil(x);
            case ROUND_EVEN -> Math.rint(x); case SIGN -> Math.signum(x); case LOG1P -> Math.log1p(x); case EXPM1 -> Math.expm1(x);
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /** erf by its series / continued fraction, accurate to double precision for the test's range. */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 6) return Math.signum(x);
        // series sum_{n} (-1)^n x^(2n+1) / (n! (2n+1)), converges for all x (slowly for large x, fine up to 6)
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    @Test
    void unaryMathWithMaskedLoads() throws Exception {
        int n = 100, block = 64, grid = 2;
        float[] x = new float[n];
        java.util.Random rnd = new java.util.Random(1);
        for (int k = 0; k < n; k++) x[k] = (float) (rnd.nextDouble() * 6 - 3);
        x[0] = 0; x[1] = -0.0f; x[2] = 1e-6f; x[3] = -2.5f; x[4] = 2.5f; x[5] = 0.5f; x[6] = Float.NaN; x[7] = 20; x[8] = -20;
        List<TStmt> body = new ArrayList<>();
        Var g = new Var("g", I32), inb = new Var("in_bounds", BOOL), xv = new Var("x", F32);
        body.add(new TStmt.Comment("one thread per element; threads past the end read 7 and store nothing"));
        body.add(new TStmt.Let(g, gid(block)));
        body.add(new TStmt.Let(inb, bin(BinOp.LT, ref(g), i(n))));
        body.add(new TStmt.Let(xv, new TExpr.Load("x", Space.GLOBAL, ref(g), ref(inb), 7, F32)));
        for (int k = 0; k < FLOAT_UNARY.length; k++) {
            UnOp op = FLOAT_UNARY[k];
            // log/sqrt/rsqrt of |x| keep the inputs in the domain (NaN still checked through x[6])
            TExpr arg = switch (op) { case LOG, SQRT, RSQRT -> TExpr.unary(UnOp.ABS, ref(xv)); case LOG1P -> TExpr.unary(UnOp.ABS, ref(xv)); default -> ref(xv); };
            body.add(new TStmt.Store("out", Space.GLOBAL, bin(BinOp.ADD, ref(g), i((long) k * n)), TExpr.unary(op, arg), ref(inb)));
        }
        body.add(new TStmt.Store("isnan", Space.GLOBAL, ref(g), TExpr.unary(UnOp.IS_NAN, ref(xv)), ref(inb)));
        int m = FLOAT_UNARY.length * n;
        Kernel k = new Kernel("unary", List.of(param("x", ScalarType.F32, n, Access.READ), param("out", ScalarType.F32, m, Access.WRITE),
                param("isnan", ScalarType.BOOL, n, Access.WRITE)), List.of(), Launch.linear(grid, block), body);
        float[] sentinel = new float[m];
        java.util.Arrays.fill(sentinel, 123);
        List<ByteBuffer> out = run(k, List.of(floats(x), floats(sentinel), zeros(n)));
        float[] o = toFloats(out.get(1));
        for (int op = 0; op < FLOAT_UNARY.length; op++)
            for (int e = 0; e < n; e++) {
                double in = x[e];
                UnOp u = FLOAT_UNARY[op];
                if (u == UnOp.LOG || u == UnOp.SQRT || u == UnOp.RSQRT || u == UnOp.LOG1P) in = Math.abs(in);
                double want = (float) javaUnary(u, (float) in);
                assertClose(want, o[op * n + e], u + "(" + in + ")");
                if (u == UnOp.SIGN && x[e] == 0) assertEquals(Float.floatToIntBits(x[e]), Float.floatToIntBits(o[op * n + e]), "sign keeps the zero's sign");
            }
        for (int e = 0; e < n; e++) assertEquals(Float.isNaN(x[e]) ? 1 : 0, out.get(2).get(e), "isnan " + x[e]);
    }
}
