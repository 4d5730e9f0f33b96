package kc.codegen.metal;

import static kc.codegen.metal.ShimHarness.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
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
    static void needGpp() { Toolchain.require(gppAvailable(), "g++ is not installed: the Metal CPU shim cannot run"); }

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

    static final BinOp[] INT_BINARY = {BinOp.ADD, BinOp.SUB, BinOp.MUL, BinOp.DIV, BinOp.REM, BinOp.MIN, BinOp.MAX, BinOp.AND, BinOp.OR, BinOp.XOR, BinOp.SHL, BinOp.SHR};
    static final BinOp[] FLOAT_BINARY = {BinOp.ADD, BinOp.SUB, BinOp.MUL, BinOp.DIV, BinOp.REM, BinOp.MIN, BinOp.MAX, BinOp.POW, BinOp.ATAN2};
    static final BinOp[] COMPARE = {BinOp.EQ, BinOp.NE, BinOp.LT, BinOp.LE, BinOp.GT, BinOp.GE};

    static long javaInt(BinOp op, int a, int b) {
        return switch (op) {
            case ADD -> a + b; case SUB -> a - b; case MUL -> a * b; case DIV -> a / b; case REM -> a % b;
            case MIN -> Math.min(a, b); case MAX -> Math.max(a, b); case AND -> a & b; case OR -> a | b; case XOR -> a ^ b;
            case SHL -> a << (b & 7); case SHR -> a >> (b & 7);
            default -> throw new IllegalArgumentException();
        };
    }

    static double javaFloat(BinOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b; case SUB -> a - b; case MUL -> a * b; case DIV -> a / b; case REM -> a % b;
            case MIN -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
            case MAX -> Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
            case POW -> Math.pow(a, b); case ATAN2 -> Math.atan2(a, b);
            default -> throw new IllegalArgumentException();
        };
    }

    static boolean javaCompare(BinOp op, float a, float b) {
        return switch (op) { case EQ -> a == b; case NE -> a != b; case LT -> a < b; case LE -> a <= b; case GT -> a > b; case GE -> a >= b; default -> false; };
    }

    @Test
    void binarySelectAndCasts() throws Exception {
        int n = 64;
        java.util.Random rnd = new java.util.Random(2);
        int[] a = new int[n], b = new int[n];
        float[] x = new float[n], y = new float[n];
        for (int k = 0; k < n; k++) {
            a[k] = rnd.nextInt(200) - 100;
            b[k] = rnd.nextInt(200) - 100;
            if (b[k] == 0) b[k] = 7;
            x[k] = (float) (rnd.nextDouble() * 8 - 4);
            y[k] = (float) (rnd.nextDouble() * 8 - 4);
        }
        x[0] = Float.NaN; y[1] = Float.NaN; x[2] = y[2] = 1.5f; x[3] = -2; y[3] = 3; x[4] = 2.5f; x[5] = 3.5f; x[6] = 1e-3f;
        x[7] = 70000; x[8] = 1.0009765625f + 0.00048828125f; // halfway between two halves: rounds to even
        Var g = new Var("g", I32), av = new Var("a", I32), bv = new Var("b", I32), xv = new Var("x", F32), yv = new Var("y", F32);
        List<TStmt> body = new ArrayList<>();
        body.add(new TStmt.Let(g, reg(Reg.THREAD_X)));
        body.add(new TStmt.Let(av, load("a", ref(g), I32)));
        body.add(new TStmt.Let(bv, load("b", ref(g), I32)));
        body.add(new TStmt.Let(xv, load("x", ref(g), F32)));
        body.add(new TStmt.Let(yv, load("y", ref(g), F32)));
        for (int k = 0; k < INT_BINARY.length; k++) {
            BinOp op = INT_BINARY[k];
            TExpr rhs = op == BinOp.SHL || op == BinOp.SHR ? bin(BinOp.AND, ref(bv), i(7)) : ref(bv);
            body.add(store("io", bin(BinOp.ADD, ref(g), i((long) k * n)), bin(op, ref(av), rhs)));
        }
        for (int k = 0; k < FLOAT_BINARY.length; k++)
            body.add(store("fo", bin(BinOp.ADD, ref(g), i((long) k * n)), bin(FLOAT_BINARY[k], ref(xv), ref(yv))));
        for (int k = 0; k < COMPARE.length; k++)
            body.add(store("co", bin(BinOp.ADD, ref(g), i((long) k * n)), bin(COMPARE[k], ref(xv), ref(yv))));
        TExpr an = bin(BinOp.LT, ref(av), i(0)), bn = bin(BinOp.LT, ref(bv), i(0));
        body.add(store("co", bin(BinOp.ADD, ref(g), i(6L * n)), bin(BinOp.AND, an, bn)));
        body.add(store("co", bin(BinOp.ADD, ref(g), i(7L * n)), bin(BinOp.OR, an, bn)));
        body.add(store("co", bin(BinOp.ADD, ref(g), i(8L * n)), bin(BinOp.XOR, an, bn)));
        body.add(store("co", bin(BinOp.ADD, ref(g), i(9L * n)), TExpr.unary(UnOp.NOT, an)));
        body.add(store("co", bin(BinOp.ADD, ref(g), i(10L * n)), TExpr.cast(ref(xv), BOOL)));
        // select, casts (f32 <-> i32, bool -> f32, f32 -> f16/bf16 -> f32, i32 -> i64), integer not/neg/abs/sign
        body.add(store("fo", bin(BinOp.ADD, ref(g), i(9L * n)), TExpr.select(an, ref(xv), ref(yv))));
        body.add(store("fo", bin(BinOp.ADD, ref(g), i(10L * n)), TExpr.cast(ref(av), F32)));
        body.add(store("fo", bin(BinOp.ADD, ref(g), i(11L * n)), TExpr.cast(bn, F32)));
        body.add(store("fo", bin(BinOp.ADD, ref(g), i(12L * n)), TExpr.cast(TExpr.cast(ref(xv), TType.of(ScalarType.F16)), F32)));
        body.add(store("fo", bin(BinOp.ADD, ref(g), i(13L * n)), TExpr.cast(TExpr.cast(ref(xv), TType.of(ScalarType.BF16)), F32)));
        TExpr h = TExpr.cast(ref(xv), TType.of(ScalarType.F16));
        body.add(store("fo", bin(BinOp.ADD, ref(g), i(14L * n)), TExpr.cast(bin(BinOp.MUL, h, h), F32)));
        body.add(store("io", bin(BinOp.ADD, ref(g), i(12L * n)), TExpr.cast(ref(yv), I32)));
        body.add(store("io", bin(BinOp.ADD, ref(g), i(13L * n)), TExpr.unary(UnOp.NOT, ref(av))));
        body.add(store("io", bin(BinOp.ADD, ref(g), i(14L * n)), TExpr.unary(UnOp.NEG, ref(av))));
        body.add(store("io", bin(BinOp.ADD, ref(g), i(15L * n)), TExpr.unary(UnOp.ABS, ref(av))));
        body.add(store("io", bin(BinOp.ADD, ref(g), i(16L * n)), TExpr.unary(UnOp.SIGN, ref(av))));
        body.add(store("lo", ref(g), bin(BinOp.MUL, TExpr.cast(ref(av), TType.I64), new TExpr.Const(1L << 40, TType.I64))));
        Kernel kern = new Kernel("binary", List.of(param("a", ScalarType.I32, n, Access.READ), param("b", ScalarType.I32, n, Access.READ),
                param("x", ScalarType.F32, n, Access.READ), param("y", ScalarType.F32, n, Access.READ),
                param("io", ScalarType.I32, 17L * n, Access.WRITE), param("fo", ScalarType.F32, 15L * n, Access.WRITE),
                param("co", ScalarType.BOOL, 11L * n, Access.WRITE), param("lo", ScalarType.I64, n, Access.WRITE)),
                List.of(), Launch.linear(1, n), body);
        List<ByteBuffer> out = run(kern, List.of(ints(a), ints(b), floats(x), floats(y), zeros(17 * n * 4), zeros(15 * n * 4), zeros(11 * n), zeros(8 * n)));
        int[] io = toInts(out.get(4));
        float[] fo = toFloats(out.get(5));
        ByteBuffer co = out.get(6), lo = out.get(7);
        for (int e = 0; e < n; e++) {
            for (int k = 0; k < INT_BINARY.length; k++) assertEquals(javaInt(INT_BINARY[k], a[e], b[e]), io[k * n + e], INT_BINARY[k] + " " + a[e] + " " + b[e]);
            for (int k = 0; k < FLOAT_BINARY.length; k++)
                assertClose((float) javaFloat(FLOAT_BINARY[k], x[e], y[e]), fo[k * n + e], FLOAT_BINARY[k] + " " + x[e] + " " + y[e]);
            for (int k = 0; k < COMPARE.length; k++) assertEquals(javaCompare(COMPARE[k], x[e], y[e]) ? 1 : 0, co.get(k * n + e), COMPARE[k] + " " + x[e] + " " + y[e]);
            boolean an_ = a[e] < 0, bn_ = b[e] < 0;
            assertEquals(an_ && bn_ ? 1 : 0, co.get(6 * n + e));
            assertEquals(an_ || bn_ ? 1 : 0, co.get(7 * n + e));
            assertEquals(an_ != bn_ ? 1 : 0, co.get(8 * n + e));
            assertEquals(an_ ? 0 : 1, co.get(9 * n + e));
            assertEquals(x[e] != 0 ? 1 : 0, co.get(10 * n + e), "cast to bool of " + x[e]);
            assertClose(an_ ? x[e] : y[e], fo[9 * n + e], "select");
            assertEquals((float) a[e], fo[10 * n + e]);
            assertEquals(bn_ ? 1f : 0f, fo[11 * n + e]);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(x[e])), fo[12 * n + e], 0.0, "f16 round trip of " + x[e]);
            assertEquals(bf16(x[e]), fo[13 * n + e], 0.0, "bf16 round trip of " + x[e]);
            float hx = Float.float16ToFloat(Float.floatToFloat16(x[e]));
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(hx * hx)), fo[14 * n + e], 0.0, "f16 product of " + x[e]);
            if (!Float.isNaN(y[e])) assertEquals((int) y[e], io[12 * n + e]);
            assertEquals(~a[e], io[13 * n + e]);
            assertEquals(-a[e], io[14 * n + e]);
            assertEquals(Math.abs(a[e]), io[15 * n + e]);
            assertEquals(Integer.signum(a[e]), io[16 * n + e]);
            assertEquals((long) a[e] << 40, lo.getLong(e * 8));
        }
    }

    /** f32 to bf16 (round to nearest even) and back. */
    static float bf16(float f) {
        if (Float.isNaN(f)) return f;
        int u = Float.floatToRawIntBits(f);
        u += 0x7fff + ((u >>> 16) & 1);
        return Float.intBitsToFloat(u & 0xffff0000);
    }

    @Test
    void sharedMemoryTreeReductionWithBarriers() throws Exception {
        int block = 128, grid = 3;
        float[] x = new float[block * grid];
        for (int k = 0; k < x.length; k++) x[k] = (k % 17) - 8 + 0.25f * (k % 3);
        Var t = new Var("t", I32), step = new Var("step", I32), stride = new Var("stride", I32);
        List<TStmt> body = List.of(
                new TStmt.Let(t, reg(Reg.THREAD_X)),
                new TStmt.Store("buf", Space.SHARED, ref(t), load("x", gid(block), F32), null),
                new TStmt.Barrier(),
                new TStmt.For(step, i(0), i(7), 1, List.of(
                        new TStmt.Let(stride, bin(BinOp.SHR, i(64), ref(step))),
                        new TStmt.If(bin(BinOp.LT, ref(t), ref(stride)), List.of(
                                new TStmt.Store("buf", Space.SHARED, ref(t), bin(BinOp.ADD,
                                        new TExpr.Load("buf", Space.SHARED, ref(t), null, 0, F32),
                                        new TExpr.Load("buf", Space.SHARED, bin(BinOp.ADD, ref(t), ref(stride)), null, 0, F32)), null)),
                                List.of()),
                        new TStmt.Barrier()), false),
                new TStmt.If(bin(BinOp.EQ, ref(t), i(0)),
                        List.of(store("out", reg(Reg.BLOCK_X), new TExpr.Load("buf", Space.SHARED, i(0), null, 0, F32))),
                        List.of(store("out", bin(BinOp.ADD, reg(Reg.BLOCK_X), bin(BinOp.MUL, ref(t), i(grid))), f(-1)))));
        Kernel k = new Kernel("tree_sum", List.of(param("x", ScalarType.F32, x.length, Access.READ), param("out", ScalarType.F32, (long) grid * block, Access.WRITE)),
                List.of(new SharedArray("buf", ScalarType.F32, block)), Launch.linear(grid, block), body);
        float[] o = toFloats(run(k, List.of(floats(x), zeros(grid * block * 4))).get(1));
        for (int b = 0; b < grid; b++) {
            double want = 0;
            for (int j = 0; j < block; j++) want += x[b * block + j];
            assertClose(want, o[b], "block " + b + " sum");
        }
        for (int j = grid; j < grid * block; j++) assertEquals(-1f, o[j], "else branch wrote " + j);
    }

    @Test
    void warpShufflesAndReductions() throws Exception {
        int block = 64, grid = 2, n = block * grid;
        float[] x = new float[n];
        for (int k = 0; k < n; k++) x[k] = 1 + ((k * 37) % 23 - 11) / 64f;
        x[70] = Float.NaN; // in the third warp: its max and min must be NaN
        Var g = new Var("g", I32), xv = new Var("x", F32), ln = new Var("ln", I32), il = new Var("il", TType.I64);
        TExpr lane = reg(Reg.LANE);
        List<TStmt> body = new ArrayList<>();
        body.add(new TStmt.Let(g, gid(block)));
        body.add(new TStmt.Let(xv, load("x", ref(g), F32)));
        body.add(new TStmt.Let(ln, lane));
        body.add(new TStmt.Let(il, bin(BinOp.ADD, bin(BinOp.MUL, TExpr.cast(ref(g), TType.I64), new TExpr.Const(1L << 33, TType.I64)), new TExpr.Const(5, TType.I64))));
        TExpr[] results = {
                new TExpr.Shuffle(TExpr.ShuffleKind.IDX, ref(xv), bin(BinOp.ADD, ref(ln), i(5)), F32),
                new TExpr.Shuffle(TExpr.ShuffleKind.IDX, ref(xv), i(3), F32),
                new TExpr.Shuffle(TExpr.ShuffleKind.DOWN, ref(xv), i(3), F32),
                new TExpr.Shuffle(TExpr.ShuffleKind.XOR, ref(xv), i(5), F32),
                new TExpr.WarpReduce(TExpr.ReduceOp.SUM, ref(xv), F32),
                new TExpr.WarpReduce(TExpr.ReduceOp.PROD, ref(xv), F32),
                new TExpr.WarpReduce(TExpr.ReduceOp.MAX, ref(xv), F32),
                new TExpr.WarpReduce(TExpr.ReduceOp.MIN, ref(xv), F32),
                TExpr.cast(new TExpr.WarpReduce(TExpr.ReduceOp.SUM, ref(ln), I32), F32),
                TExpr.cast(new TExpr.WarpReduce(TExpr.ReduceOp.MAX, bin(BinOp.MUL, ref(ln), i(-3)), I32), F32),
        };
        for (int k = 0; k < results.length; k++) body.add(store("out", bin(BinOp.ADD, ref(g), i((long) k * n)), results[k]));
        body.add(store("lo", ref(g), new TExpr.Shuffle(TExpr.ShuffleKind.XOR, ref(il), i(1), TType.I64)));
        body.add(store("lo", bin(BinOp.ADD, ref(g), i(n)), new TExpr.WarpReduce(TExpr.ReduceOp.SUM, ref(il), TType.I64)));
        Kernel k = new Kernel("warps", List.of(param("x", ScalarType.F32, n, Access.READ), param("out", ScalarType.F32, (long) results.length * n, Access.WRITE),
                param("lo", ScalarType.I64, 2L * n, Access.WRITE)), List.of(), Launch.linear(grid, block), body);
        List<ByteBuffer> res = run(k, List.of(floats(x), zeros(results.length * n * 4), zeros(16 * n)));
        float[] o = toFloats(res.get(1));
        ByteBuffer lo = res.get(2);
        for (int e = 0; e < n; e++) {
            int w = e / 32 * 32, l = e % 32;
            assertClose(x[w + (l + 5) % 32], o[e], "shuffle idx lane+5 at " + e);
            assertClose(x[w + 3], o[n + e], "shuffle idx 3");
            assertClose(x[l + 3 < 32 ? e + 3 : e], o[2 * n + e], "shuffle down 3 at " + e);
            assertClose(x[w + (l ^ 5)], o[3 * n + e], "shuffle xor 5");
            double sum = 0, prod = 1, max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
            boolean nan = false;
            for (int j = w; j < w + 32; j++) { sum += x[j]; prod *= x[j]; max = Math.max(max, x[j]); min = Math.min(min, x[j]); nan |= Float.isNaN(x[j]); }
            assertClose(nan ? Double.NaN : sum, o[4 * n + e], "warp sum");
            assertClose(nan ? Double.NaN : prod, o[5 * n + e], "warp prod");
            assertClose(nan ? Double.NaN : max, o[6 * n + e], "warp max at " + e);
            assertClose(nan ? Double.NaN : min, o[7 * n + e], "warp min at " + e);
            assertEquals(496f, o[8 * n + e]);
            assertEquals(0f, o[9 * n + e]);
            assertEquals((long) (e ^ 1) * (1L << 33) + 5, lo.getLong(8 * e), "i64 shuffle xor");
            long s = 0;
            for (int j = w; j < w + 32; j++) s += (long) j * (1L << 33) + 5;
            assertEquals(s, lo.getLong(8 * (n + e)), "i64 warp sum");
        }
    }

    @Test
    void vectorLoadsStoresLocalArraysAndTwoDimensionalBlocks() throws Exception {
        int threads = 64, n = threads * 4;
        float[] x = new float[n];
        for (int k = 0; k < n; k++) x[k] = k * 0.5f - 3;
        TType f4 = new TType(ScalarType.F32, 4);
        Var t = new Var("t", I32), v = new Var("v", f4), w = new Var("w", f4), sum = new Var("sum", F32), j = new Var("j", I32);
        List<TStmt> body = new ArrayList<>();
        body.add(new TStmt.Let(t, bin(BinOp.ADD, reg(Reg.THREAD_X), bin(BinOp.MUL, reg(Reg.THREAD_Y), i(16)))));
        body.add(new TStmt.Let(v, load("x", bin(BinOp.MUL, ref(t), i(4)), f4)));
        body.add(new TStmt.DeclareLocal(new LocalArray("acc", ScalarType.F32, 4)));
        for (int k = 0; k < 4; k++) body.add(new TStmt.LocalStore("acc", i(k), new TExpr.Lane(ref(v), k, F32)));
        body.add(new TStmt.Declare(sum, f(0)));
        body.add(new TStmt.For(j, i(0), i(4), 1, List.of(new TStmt.Assign(sum, bin(BinOp.ADD, ref(sum),
                bin(BinOp.MUL, new TExpr.LocalLoad("acc", ref(j), F32), TExpr.cast(bin(BinOp.ADD, ref(j), i(1)), F32))))), true));
        body.add(store("sums", ref(t), ref(sum)));
        body.add(new TStmt.Store("tile", Space.SHARED, bin(BinOp.MUL, ref(t), i(4)), ref(v), null));
        body.add(new TStmt.Barrier());
        body.add(new TStmt.Let(w, new TExpr.Load("tile", Space.SHARED, bin(BinOp.MUL, bin(BinOp.SUB, i(threads - 1), ref(t)), i(4)), null, 0, f4)));
        // odd threads store nothing; even threads store v + reversed neighbour's vector
        body.add(new TStmt.Store("out", Space.GLOBAL, bin(BinOp.MUL, ref(t), i(4)), bin(BinOp.ADD, ref(v), ref(w)),
                bin(BinOp.EQ, bin(BinOp.REM, ref(t), i(2)), i(0))));
        // a masked vector load: odd threads get the 'other' value in every lane
        body.add(store("m", ref(t), new TExpr.Lane(new TExpr.Load("x", Space.GLOBAL, bin(BinOp.MUL, ref(t), i(4)),
                bin(BinOp.EQ, bin(BinOp.REM, ref(t), i(2)), i(0)), -9, f4), 2, F32)));
        // a vector built lane by lane: odd threads store v's lanes reversed, times two
        List<TExpr> reversed = new ArrayList<>();
        for (int q = 3; q >= 0; q--) reversed.add(bin(BinOp.MUL, new TExpr.Lane(ref(v), q, F32), f(2)));
        body.add(new TStmt.Store("out", Space.GLOBAL, bin(BinOp.MUL, ref(t), i(4)), TExpr.pack(reversed),
                bin(BinOp.EQ, bin(BinOp.REM, ref(t), i(2)), i(1))));
        Kernel k = new Kernel("vectors", List.of(param("x", ScalarType.F32, n, Access.READ), param("sums", ScalarType.F32, threads, Access.WRITE),
                param("out", ScalarType.F32, n, Access.WRITE), param("m", ScalarType.F32, threads, Access.WRITE)),
                List.of(new SharedArray("tile", ScalarType.F32, n)), new Launch(1, 1, 1, 16, 4, 1), body);
        float[] sentinel = new float[n];
        java.util.Arrays.fill(sentinel, 42);
        List<ByteBuffer> res = run(k, List.of(floats(x), zeros(threads * 4), floats(sentinel), zeros(threads * 4)));
        float[] sums = toFloats(res.get(1)), out = toFloats(res.get(2)), m = toFloats(res.get(3));
        for (int tt = 0; tt < threads; tt++) {
            double want = 0;
            for (int q = 0; q < 4; q++) want += x[4 * tt + q] * (q + 1);
            assertClose(want, sums[tt], "local array sum " + tt);
            for (int q = 0; q < 4; q++)
                assertEquals(tt % 2 == 0 ? x[4 * tt + q] + x[4 * (threads - 1 - tt) + q] : 2 * x[4 * tt + 3 - q], out[4 * tt + q], "vector store " + tt + "." + q);
            assertEquals(tt % 2 == 0 ? x[4 * tt + 2] : -9f, m[tt], "masked vector load " + tt);
        }
    }

    @Test
    void threeDimensionalGridsAndLanes() throws Exception {
        // grid 2x3x2 of 4x2x2 blocks: every thread writes lane * 1000 + linear block id at its global position
        Launch l = new Launch(2, 3, 2, 4, 2, 2);
        TExpr block = bin(BinOp.ADD, bin(BinOp.MUL, bin(BinOp.ADD, bin(BinOp.MUL, reg(Reg.BLOCK_Z), i(3)), reg(Reg.BLOCK_Y)), i(2)), reg(Reg.BLOCK_X));
        TExpr thread = bin(BinOp.ADD, bin(BinOp.MUL, bin(BinOp.ADD, bin(BinOp.MUL, reg(Reg.THREAD_Z), i(2)), reg(Reg.THREAD_Y)), i(4)), reg(Reg.THREAD_X));
        List<TStmt> body = List.of(store("out", bin(BinOp.ADD, bin(BinOp.MUL, block, i(16)), thread),
                bin(BinOp.ADD, bin(BinOp.MUL, reg(Reg.LANE), i(1000)), block)));
        Kernel k = new Kernel("ids", List.of(param("out", ScalarType.I32, 12 * 16, Access.WRITE)), List.of(), l, body);
        int[] o = toInts(run(k, List.of(zeros(12 * 16 * 4))).get(0));
        for (int b = 0; b < 12; b++) for (int t = 0; t < 16; t++) assertEquals(t * 1000 + b, o[b * 16 + t]);
    }

    /** tf32 rounding as cvt.rna: to nearest, ties away from zero, 10 mantissa bits. */
    static float tf32(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) return f;
        return Float.intBitsToFloat((Float.floatToRawIntBits(f) + 0x1000) & 0xffffe000);
    }

    /**
     * One warp multiplies A (16 x K) by B (K x 8) and adds C with the mma primitive; every lane loads its fragments
     * with PTX's layout from row-major matrices and stores D the same way. For 16-bit inputs, A and B arrive as
     * u32 words holding two consecutive k elements.
     */
    private void mmaCase(TStmt.MmaShape shape) throws Exception {
        boolean tf = shape == TStmt.MmaShape.M16N8K8_TF32;
        boolean bf = shape == TStmt.MmaShape.M16N8K16_BF16;
        int kk = tf ? 8 : 16;
        java.util.Random rnd = new java.util.Random(3);
        float[] a = new float[16 * kk], b = new float[kk * 8], c = new float[16 * 8];
        for (int q = 0; q < a.length; q++) a[q] = (float) (rnd.nextDouble() * 2 - 1);
        for (int q = 0; q < b.length; q++) b[q] = (float) (rnd.nextDouble() * 2 - 1);
        for (int q = 0; q < c.length; q++) c[q] = (float) (rnd.nextDouble() * 2 - 1);
        // inputs as the matrix unit sees them
        java.util.function.UnaryOperator<Float> round = tf ? MetalShimTest::tf32 : bf ? MetalShimTest::bf16 : v -> Float.float16ToFloat(Float.floatToFloat16(v));
        float[] ar = new float[a.length], br = new float[b.length];
        for (int q = 0; q < a.length; q++) ar[q] = round.apply(a[q]);
        for (int q = 0; q < b.length; q++) br[q] = round.apply(b[q]);
        Var g = new Var("g", I32), t = new Var("t", I32);
        TExpr G = ref(g), T = ref(t);
        List<TStmt> body = new ArrayList<>();
        body.add(new TStmt.Let(g, bin(BinOp.SHR, reg(Reg.LANE), i(2))));
        body.add(new TStmt.Let(t, bin(BinOp.AND, reg(Reg.LANE), i(3))));
        java.util.function.BiFunction<TExpr, TExpr, TExpr> at = (r, col) -> bin(BinOp.ADD, bin(BinOp.MUL, r, i(8)), col);
        List<TExpr> af = new ArrayList<>(), bfr = new ArrayList<>(), cf = new ArrayList<>();
        ByteBuffer abuf, bbuf;
        if (tf) {
            java.util.function.BiFunction<TExpr, TExpr, TExpr> atA = (r, col) -> bin(BinOp.ADD, bin(BinOp.MUL, r, i(8)), col);
            af.add(load("a", atA.apply(G, T), F32));
            af.add(load("a", atA.apply(bin(BinOp.ADD, G, i(8)), T), F32));
            af.add(load("a", atA.apply(G, bin(BinOp.ADD, T, i(4))), F32));
            af.add(load("a", atA.apply(bin(BinOp.ADD, G, i(8)), bin(BinOp.ADD, T, i(4))), F32));
            bfr.add(load("b", at.apply(T, G), F32));
            bfr.add(load("b", at.apply(bin(BinOp.ADD, T, i(4)), G), F32));
            abuf = floats(a);
            bbuf = floats(b);
        } else {
            // a as u32 words: word (r, c/2) holds A[r][c], A[r][c+1]; b transposed so that word (n, k/2) holds B[k][n], B[k+1][n]
            int[] aw = new int[16 * 8], bw = new int[8 * 8];
            for (int r = 0; r < 16; r++) for (int q = 0; q < 8; q++) aw[r * 8 + q] = pack(a[r * 16 + 2 * q], a[r * 16 + 2 * q + 1], bf);
            for (int nn = 0; nn < 8; nn++) for (int q = 0; q < 8; q++) bw[nn * 8 + q] = pack(b[(2 * q) * 8 + nn], b[(2 * q + 1) * 8 + nn], bf);
            TType u = TType.of(ScalarType.U32);
            af.add(load("a", at.apply(G, T), u));
            af.add(load("a", at.apply(bin(BinOp.ADD, G, i(8)), T), u));
            af.add(load("a", at.apply(G, bin(BinOp.ADD, T, i(4))), u));
            af.add(load("a", at.apply(bin(BinOp.ADD, G, i(8)), bin(BinOp.ADD, T, i(4))), u));
            bfr.add(load("b", at.apply(G, T), u));
            bfr.add(load("b", at.apply(G, bin(BinOp.ADD, T, i(4))), u));
            abuf = ints(aw);
            bbuf = ints(bw);
        }
        TExpr col0 = bin(BinOp.MUL, T, i(2)), col1 = bin(BinOp.ADD, bin(BinOp.MUL, T, i(2)), i(1)), g8 = bin(BinOp.ADD, G, i(8));
        TExpr[] cIdx = {at.apply(G, col0), at.apply(G, col1), at.apply(g8, col0), at.apply(g8, col1)};
        List<Var> d = new ArrayList<>();
        for (int q = 0; q < 4; q++) { cf.add(load("c", cIdx[q], F32)); d.add(new Var("d" + q, F32)); }
        body.add(new TStmt.Mma(shape, d, af, bfr, cf));
        for (int q = 0; q < 4; q++) body.add(store("out", cIdx[q], ref(d.get(q))));
        ScalarType in = tf ? ScalarType.F32 : ScalarType.U32;
        Kernel k = new Kernel("mma_" + shape.name().toLowerCase(), List.of(param("a", in, tf ? 128 : 128, Access.READ), param("b", in, tf ? 64 : 64, Access.READ),
                param("c", ScalarType.F32, 128, Access.READ), param("out", ScalarType.F32, 128, Access.WRITE)), List.of(), Launch.linear(1, 32), body);
        float[] o = toFloats(run(k, List.of(abuf, bbuf, floats(c), zeros(128 * 4))).get(3));
        for (int r = 0; r < 16; r++)
            for (int nn = 0; nn < 8; nn++) {
                double want = c[r * 8 + nn];
                for (int q = 0; q < kk; q++) want += (double) ar[r * kk + q] * br[q * 8 + nn];
                assertClose(want, o[r * 8 + nn], shape + " D[" + r + "][" + nn + "]");
            }
    }

    static int pack(float lo, float hi, boolean bf) {
        int l = bf ? Float.floatToRawIntBits(bf16(lo)) >>> 16 : Float.floatToFloat16(lo) & 0xffff;
        int h = bf ? Float.floatToRawIntBits(bf16(hi)) >>> 16 : Float.floatToFloat16(hi) & 0xffff;
        return l | (h << 16);
    }

    @Test void mmaTf32() throws Exception { mmaCase(TStmt.MmaShape.M16N8K8_TF32); }
    @Test void mmaF16() throws Exception { mmaCase(TStmt.MmaShape.M16N8K16_F16); }
    @Test void mmaBf16() throws Exception { mmaCase(TStmt.MmaShape.M16N8K16_BF16); }

    @Test
    void rendersTheMetalInterface() {
        Kernel k = new Kernel("k", List.of(param("x", ScalarType.F16, 4, Access.READ), param("y", ScalarType.BF16, 4, Access.WRITE)), List.of(new SharedArray("s", ScalarType.F32, 8)),
                Launch.linear(1, 4), List.of(new TStmt.Barrier(), new TStmt.Store("y", Space.GLOBAL, reg(Reg.THREAD_X),
                        TExpr.cast(TExpr.cast(load("x", reg(Reg.THREAD_X), TType.of(ScalarType.F16)), F32), TType.of(ScalarType.BF16)), null)));
        String msl = new MetalRenderer().render(List.of(k));
        assertTrue(msl.startsWith("// Generated by kc"));
        assertTrue(msl.contains("#include <metal_stdlib>\nusing namespace metal;"));
        assertTrue(msl.contains("kernel void k(const device half* p0 [[buffer(0)]], device bfloat* p1 [[buffer(1)]], uint3 tid [[thread_position_in_threadgroup]], "
                + "uint3 bid [[threadgroup_position_in_grid]], uint lane [[thread_index_in_simdgroup]])"), msl);
        assertTrue(msl.contains("threadgroup float s_s[8];"));
        assertTrue(msl.contains("threadgroup_barrier(mem_flags::mem_threadgroup);"));
    }

    @Test
    void rejectsWhatMetalCannotRun() {
        Kernel big = new Kernel("big", List.of(), List.of(), Launch.linear(1, 2048), List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MetalRenderer().render(List.of(big)));
        assertTrue(e.getMessage().contains("kernel big") && e.getMessage().contains("1024"), e.getMessage());
        Kernel shared = new Kernel("shm", List.of(), List.of(new SharedArray("s", ScalarType.F32, 9000)), Launch.linear(1, 32), List.of());
        e = assertThrows(IllegalArgumentException.class, () -> new MetalRenderer().render(List.of(shared)));
        assertTrue(e.getMessage().contains("kernel shm") && e.getMessage().contains("32768"), e.getMessage());
        Kernel f64 = new Kernel("dbl", List.of(param("x", ScalarType.F64, 4, Access.WRITE)), List.of(), Launch.linear(1, 4), List.of());
        e = assertThrows(IllegalArgumentException.class, () -> new MetalRenderer().render(List.of(f64)));
        assertTrue(e.getMessage().contains("f64"), e.getMessage());
    }
}
