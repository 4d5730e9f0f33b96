package kc.ir.interp;

import static kc.ir.graph.ScalarExpr.BinaryOp.*;
import static kc.ir.testing.G.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphBuilder;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

class InterpreterTest {
    private static final Random RNG = new Random(42);

    static HostTensor random(TensorType t) { return HostTensor.generate(t, i -> RNG.nextGaussian()); }

    static void assertClose(double[] expected, HostTensor actual) {
        assertEquals(expected.length, actual.numel(), "element count");
        for (int i = 0; i < expected.length; i++)
            assertEquals(expected[i], actual.getFlat(i), 1e-6 * Math.max(1, Math.abs(expected[i])), "element " + i); // float32 storage
    }

    static HostTensor run1(Graph g, HostTensor... inputs) {
        return Interpreter.run(g, List.of(inputs), Map.of()).get(0);
    }

    @Test
    void elementwiseWithBroadcasting() {
        GraphBuilder b = new GraphBuilder("bcast");
        Value x = b.input("x", f32(2, 3, 4));
        Value y = b.input("y", f32(3, 1));
        // out = x * y + exp(x - y), y broadcast over dims 0 and 2
        Value out = map(b, f32(2, 3, 4),
                bin(ADD, bin(MUL, in(0), in(1)), un(ScalarExpr.UnaryOp.EXP, bin(SUB, in(0), in(1)))),
                List.of(x, y), map(d(0), d(1), d(2)), map(d(1), c(0)));
        Graph g = b.build(List.of(out));
        HostTensor tx = random(x.type()), ty = random(y.type());
        double[] want = new double[24];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            double a = tx.get(i, j, k), c = ty.get(j, 0);
            want[(i * 3 + j) * 4 + k] = a * c + Math.exp(a - c);
        }
        assertClose(want, run1(g, tx, ty));
    }

    /** The compound statistics against their definitions: [max, sum exp(x - max)] and [mean, sum (x - mean)^2]. */
    @Test
    void compoundReductionsStackTheirStatistics() {
        for (Op.Reduction red : List.of(Op.Reduction.MAX_SUMEXP, Op.Reduction.MEAN_M2)) {
            GraphBuilder b = new GraphBuilder("stats");
            Value x = b.input("x", f32(3, 7));
            Value st = reduce(b, f32(3, 2), dims(7), red, in(0), List.of(x), map(d(0), d(2)));
            HostTensor tx = random(x.type());
            double[] want = new double[6];
            for (int r = 0; r < 3; r++) {
                double first = red == Op.Reduction.MAX_SUMEXP ? Double.NEGATIVE_INFINITY : 0, second = 0;
                for (int k = 0; k < 7; k++) first = red == Op.Reduction.MAX_SUMEXP ? Math.max(first, tx.get(r, k)) : first + tx.get(r, k) / 7;
                for (int k = 0; k < 7; k++) {
                    double dev = tx.get(r, k) - first;
                    second += red == Op.Reduction.MAX_SUMEXP ? Math.exp(dev) : dev * dev;
                }
                want[2 * r] = first;
                want[2 * r + 1] = second;
            }
            assertClose(want, run1(b.build(List.of(st)), tx));
        }
    }

    @Test
    void matmul() {
        GraphBuilder b = new GraphBuilder("mm");
        Value a = b.input("a", f32(4, 5));
        Value w = b.input("w", f32(5, 3));
        Value out = reduce(b, f32(4, 3), dims(5), Op.Reduction.SUM, bin(MUL, in(0), in(1)),
                List.of(a, w), map(d(0), d(2)), map(d(2), d(1)));
        HostTensor ta = random(a.type()), tw = random(w.type());
        double[] want = new double[12];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 5; k++) s += ta.get(i, k) * tw.get(k, j);
            want[i * 3 + j] = s;
        }
        assertClose(want, run1(b.build(List.of(out)), ta, tw));
    }

    @Test
    void conv2dWithStridePaddingDilationGroups() {
        int n = 2, cin = 4, h = 9, wd = 9, cout = 6, groups = 2, k = 3, s = 2, p = 1, dil = 2;
        int cinG = cin / groups, coutG = cout / groups;
        int oh = (h + 2 * p - dil * (k - 1) - 1) / s + 1, ow = (wd + 2 * p - dil * (k - 1) - 1) / s + 1;
        GraphBuilder b = new GraphBuilder("conv");
        Value x = b.input("x", f32(n, cin, h, wd));
        Value w = b.param("conv.weight", f32(cout, cinG, k, k));
        Value bias = b.param("conv.bias", f32(cout));
        // domain (n, oc, oh, ow | icg, kh, kw): x[n, (oc // coutG) * cinG + icg, oh*s + kh*dil - p, ow*s + kw*dil - p]
        Value conv = reduce(b, f32(n, cout, oh, ow), dims(cinG, k, k), Op.Reduction.SUM, bin(MUL, in(0), in(1)),
                List.of(x, w),
                padded(0.0, d(0), add(mul(floordiv(d(1), coutG), cinG), d(4)),
                        add(mul(d(2), s), mul(d(5), dil), c(-p)), add(mul(d(3), s), mul(d(6), dil), c(-p))),
                map(d(1), d(4), d(5), d(6)));
        Value out = map(b, conv.type(), bin(ADD, in(0), in(1)), List.of(conv, bias), map(d(0), d(1), d(2), d(3)), map(d(1)));
        Graph g = b.build(List.of(out));
        HostTensor tx = random(x.type()), tw = random(w.type()), tb = random(bias.type());
        double[] want = new double[n * cout * oh * ow];
        for (int in = 0; in < n; in++) for (int oc = 0; oc < cout; oc++) for (int y = 0; y < oh; y++) for (int z = 0; z < ow; z++) {
            double acc = tb.get(oc);
            int grp = oc / coutG;
            for (int ic = 0; ic < cinG; ic++) for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int iy = y * s + ky * dil - p, ix = z * s + kx * dil - p;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += tx.get(in, grp * cinG + ic, iy, ix) * tw.get(oc, ic, ky, kx);
            }
            want[((in * cout + oc) * oh + y) * ow + z] = acc;
        }
        HostTensor got = Interpreter.run(g, List.of(tx), Map.of("conv.weight", tw, "conv.bias", tb)).get(0);
        assertClose(want, got);
    }

    @Test
    void transposedConvolutionAsGatherWithExactDiv() {
        // conv_transpose2d(x, w, stride 2, padding 1, output_padding 1): x[1,2,3,3], w[2,3,3,3] -> out[1,3,6,6]
        int n = 1, cin = 2, h = 3, cout = 3, k = 3, s = 2, p = 1, op = 1;
        int oh = (h - 1) * s - 2 * p + k + op;
        GraphBuilder b = new GraphBuilder("convT");
        Value x = b.input("x", f32(n, cin, h, h));
        Value w = b.input("w", f32(cin, cout, k, k));
        // domain (n, oc, oy, ox | ic, ky, kx): x[n, ic, (oy + p - ky) / s, (ox + p - kx) / s] where exact
        Value out = reduce(b, f32(n, cout, oh, oh), dims(cin, k, k), Op.Reduction.SUM, bin(MUL, in(0), in(1)),
                List.of(x, w),
                padded(0.0, d(0), d(4), exactdiv(add(d(2), c(p), mul(d(5), -1)), s), exactdiv(add(d(3), c(p), mul(d(6), -1)), s)),
                map(d(4), d(1), d(5), d(6)));
        HostTensor tx = random(x.type()), tw = random(w.type());
        // the scatter formulation: every input pixel adds a weighted kernel into the output
        double[] want = new double[n * cout * oh * oh];
        for (int ic = 0; ic < cin; ic++) for (int iy = 0; iy < h; iy++) for (int ix = 0; ix < h; ix++)
            for (int oc = 0; oc < cout; oc++) for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int y = iy * s - p + ky, z = ix * s - p + kx;
                if (y < 0 || y >= oh || z < 0 || z >= oh) continue;
                want[(oc * oh + y) * oh + z] += tx.get(0, ic, iy, ix) * tw.get(ic, oc, ky, kx);
            }
        assertClose(want, run1(b.build(List.of(out)), tx, tw));
    }

    @Test
    void maxPoolWithNegativeInfinityPaddingAndAvgPool() {
        int h = 5, k = 3, s = 2, p = 1, oh = (h + 2 * p - k) / s + 1;
        GraphBuilder b = new GraphBuilder("pool");
        Value x = b.input("x", f32(1, 2, h, h));
        var window = new kc.ir.graph.IndexExpr[] {d(0), d(1), add(mul(d(2), s), d(4), c(-p)), add(mul(d(3), s), d(5), c(-p))};
        Value max = reduce(b, f32(1, 2, oh, oh), dims(k, k), Op.Reduction.MAX, in(0), List.of(x),
                padded(Double.NEGATIVE_INFINITY, window));
        // avg_pool2d with count_include_pad=True divides by k*k everywhere
        Value avg = reduce(b, f32(1, 2, oh, oh), dims(k, k), Op.Reduction.SUM, bin(DIV, in(0), f(k * k)), List.of(x),
                padded(0.0, window));
        // all-negative input: a zero pad would win the max at the border, -inf must not
        HostTensor tx = HostTensor.generate(x.type(), i -> -1 - RNG.nextDouble());
        List<HostTensor> got = Interpreter.run(b.build(List.of(max, avg)), List.of(tx), Map.of());
        double[] wantMax = new double[2 * oh * oh], wantAvg = new double[2 * oh * oh];
        for (int ch = 0; ch < 2; ch++) for (int y = 0; y < oh; y++) for (int z = 0; z < oh; z++) {
            double m = Double.NEGATIVE_INFINITY, sum = 0;
            for (int ky = 0; ky < k; ky++) for (int kx = 0; kx < k; kx++) {
                int iy = y * s + ky - p, ix = z * s + kx - p;
                if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                m = Math.max(m, tx.get(0, ch, iy, ix));
                sum += tx.get(0, ch, iy, ix);
            }
            wantMax[(ch * oh + y) * oh + z] = m;
            wantAvg[(ch * oh + y) * oh + z] = sum / (k * k);
        }
        assertClose(wantMax, got.get(0));
        assertClose(wantAvg, got.get(1));
    }

    @Test
    void sumMaxArgmaxOverAMiddleDim() {
        GraphBuilder b = new GraphBuilder("reduce");
        Value x = b.input("x", f32(3, 4, 5));
        // reduce dim 1: domain (i, k | j) reads x[i, j, k]
        var m = map(d(0), d(2), d(1));
        Value sum = reduce(b, f32(3, 5), dims(4), Op.Reduction.SUM, in(0), List.of(x), m);
        Value max = reduce(b, f32(3, 5), dims(4), Op.Reduction.MAX, in(0), List.of(x), m);
        Value arg = reduce(b, TensorType.of(DType.I64, 3, 5), dims(4), Op.Reduction.ARGMAX, in(0), List.of(x), m);
        Value argmin = reduce(b, TensorType.of(DType.I64, 3, 5), dims(4), Op.Reduction.ARGMIN, in(0), List.of(x), m);
        HostTensor tx = random(x.type());
        List<HostTensor> got = Interpreter.run(b.build(List.of(sum, max, arg, argmin)), List.of(tx), Map.of());
        double[] ws = new double[15], wm = new double[15], wa = new double[15], wn = new double[15];
        for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) {
            double s = 0, mx = Double.NEGATIVE_INFINITY, mn = Double.POSITIVE_INFINITY;
            int at = 0, atMin = 0;
            for (int j = 0; j < 4; j++) {
                double v = tx.get(i, j, k);
                s += v;
                if (v > mx) { mx = v; at = j; }
                if (v < mn) { mn = v; atMin = j; }
            }
            ws[i * 5 + k] = s; wm[i * 5 + k] = mx; wa[i * 5 + k] = at; wn[i * 5 + k] = atMin;
        }
        assertClose(ws, got.get(0));
        assertClose(wm, got.get(1));
        assertClose(wa, got.get(2));
        assertClose(wn, got.get(3));
        assertEquals(DType.I64, got.get(2).dtype());
    }

    @Test
    void argmaxOverTwoReductionDimsGivesTheFlatIndexOfTheFirstMaximum() {
        GraphBuilder b = new GraphBuilder("argmax2");
        Value x = b.input("x", f32(2, 3));
        Value arg = reduce(b, TensorType.of(DType.I64), dims(2, 3), Op.Reduction.ARGMAX, in(0), List.of(x), map(d(0), d(1)));
        HostTensor tx = HostTensor.ofDoubles(Shape.of(2, 3), 1, 7, 2, 7, 0, 7).withType(x.type());
        assertEquals(1.0, run1(b.build(List.of(arg)), tx).getFlat(0));
    }

    @Test
    void reversedCumsum() {
        GraphBuilder b = new GraphBuilder("cumsum");
        Value x = b.input("x", f32(3, 4));
        Value out = b.add(new Op.Scan(1, Op.Reduction.SUM, true), List.of(x), x.type(), Origin.NONE);
        Value cmax = b.add(new Op.Scan(0, Op.Reduction.MAX, false), List.of(x), x.type(), Origin.NONE);
        HostTensor tx = random(x.type());
        List<HostTensor> got = Interpreter.run(b.build(List.of(out, cmax)), List.of(tx), Map.of());
        double[] want = new double[12], wantMax = new double[12];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) {
            double s = 0;
            for (int t = j; t < 4; t++) s += tx.get(i, t);
            want[i * 4 + j] = s;
            double m = Double.NEGATIVE_INFINITY;
            for (int t = 0; t <= i; t++) m = Math.max(m, tx.get(t, j));
            wantMax[i * 4 + j] = m;
        }
        assertClose(want, got.get(0));
        assertClose(wantMax, got.get(1));
    }

    @Test
    void reshapeThroughFloorDivAndMod() {
        GraphBuilder b = new GraphBuilder("reshape");
        Value x = b.input("x", f32(2, 3, 4));
        // view as [4, 6]: flat = d0*6 + d1 reads x[flat // 12, flat // 4 % 3, flat % 4]
        var flat = add(mul(d(0), 6), d(1));
        Value out = map(b, f32(4, 6), in(0), List.of(x), map(floordiv(flat, 12), mod(floordiv(flat, 4), 3), mod(flat, 4)));
        HostTensor tx = random(x.type());
        assertClose(tx.data(), run1(b.build(List.of(out)), tx));
    }

    @Test
    void rollThroughMod() {
        GraphBuilder b = new GraphBuilder("roll");
        Value x = b.input("x", f32(7));
        // torch.roll(x, 3): out[i] = x[(i - 3) mod 7]
        Value out = map(b, f32(7), in(0), List.of(x), map(mod(add(d(0), c(-3)), 7)));
        HostTensor tx = random(x.type());
        double[] want = new double[7];
        for (int i = 0; i < 7; i++) want[(i + 3) % 7] = tx.getFlat(i);
        assertClose(want, run1(b.build(List.of(out)), tx));
    }

    @Test
    void trilThroughIndexComparison() {
        GraphBuilder b = new GraphBuilder("tril");
        Value x = b.input("x", f32(4, 5));
        Value out = map(b, f32(4, 5), new ScalarExpr.Select(bin(GE, idx(0), idx(1)), in(0), f(0)), List.of(x), map(d(0), d(1)));
        Value mask = map(b, TensorType.of(DType.BOOL, 4, 5), bin(LT, idx(0), idx(1)), List.of());
        HostTensor tx = random(x.type());
        List<HostTensor> got = Interpreter.run(b.build(List.of(out, mask)), List.of(tx), Map.of());
        double[] want = new double[20], wantMask = new double[20];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 5; j++) {
            want[i * 5 + j] = j <= i ? tx.get(i, j) : 0;
            wantMask[i * 5 + j] = i < j ? 1 : 0;
        }
        assertClose(want, got.get(0));
        assertClose(wantMask, got.get(1));
    }

    @Test
    void constantAndIntegerArithmetic() {
        GraphBuilder b = new GraphBuilder("const");
        Value k = b.add(new Op.Constant(List.of(1.5, -2.5, 3.0, 7.0)), List.of(), f32(2, 2), Origin.NONE);
        Value ints = b.add(new Op.Constant(List.of(-7.0, 7.0, -8.0, 9.0)), List.of(), TensorType.of(DType.I64, 4), Origin.NONE);
        // floor division and modulo follow Python: -7 // 2 = -4, -7 % 2 = 1; casts truncate toward zero
        var two = new ScalarExpr.Const(2, DType.I64);
        Value fdiv = map(b, TensorType.of(DType.I64, 4), bin(FLOORDIV, in(0), two), List.of(ints), map(d(0)));
        Value fmod = map(b, TensorType.of(DType.I64, 4), bin(MOD, in(0), two), List.of(ints), map(d(0)));
        Value trunc = map(b, TensorType.of(DType.I64, 2, 2), new ScalarExpr.Cast(DType.I64, in(0)), List.of(k), map(d(0), d(1)));
        Value tdiv = map(b, f32(4), bin(DIV, in(0), two), List.of(ints), map(d(0)));
        List<HostTensor> got = Interpreter.run(b.build(List.of(k, fdiv, fmod, trunc, tdiv)), List.of(), Map.of());
        assertClose(new double[] {1.5, -2.5, 3.0, 7.0}, got.get(0));
        assertClose(new double[] {-4, 3, -4, 4}, got.get(1));
        assertClose(new double[] {1, 1, 0, 1}, got.get(2));
        assertClose(new double[] {1, -2, 3, 7}, got.get(3));
        assertClose(new double[] {-3.5, 3.5, -4, 4.5}, got.get(4));
    }

    @Test
    void maxPropagatesNaNAndHandlesInfinities() {
        GraphBuilder b = new GraphBuilder("nan");
        Value x = b.input("x", f32(3, 3));
        Value max = reduce(b, f32(3), dims(3), Op.Reduction.MAX, in(0), List.of(x), map(d(0), d(1)));
        Value min = reduce(b, f32(3), dims(3), Op.Reduction.MIN, in(0), List.of(x), map(d(0), d(1)));
        Value arg = reduce(b, TensorType.of(DType.I64, 3), dims(3), Op.Reduction.ARGMAX, in(0), List.of(x), map(d(0), d(1)));
        Value relu = map(b, f32(3, 3), bin(MAX, in(0), f(0)), List.of(x), map(d(0), d(1)));
        double nan = Double.NaN, inf = Double.POSITIVE_INFINITY;
        HostTensor tx = HostTensor.ofDoubles(Shape.of(3, 3), 1, nan, 5, -inf, -inf, -inf, inf, 2, nan).withType(x.type());
        List<HostTensor> got = Interpreter.run(b.build(List.of(max, min, arg, relu)), List.of(tx), Map.of());
        assertTrue(Double.isNaN(got.get(0).getFlat(0)), "NaN wins max");
        assertEquals(Double.NEGATIVE_INFINITY, got.get(0).getFlat(1));
        assertTrue(Double.isNaN(got.get(0).getFlat(2)), "NaN after inf still wins");
        assertTrue(Double.isNaN(got.get(1).getFlat(0)), "NaN wins min");
        assertEquals(Double.NEGATIVE_INFINITY, got.get(1).getFlat(1));
        assertArrayEquals(new double[] {1, 0, 2}, got.get(2).data(), "argmax points at the first NaN, else the first max");
        assertTrue(Double.isNaN(got.get(3).getFlat(1)), "maximum(nan, 0) is nan");
        assertEquals(inf, got.get(3).getFlat(6));
        assertEquals(0.0, got.get(3).getFlat(3));
    }

    @Test
    void rejectsMissingParametersAndWrongInputTypes() {
        GraphBuilder b = new GraphBuilder("p");
        Value x = b.input("x", f32(2));
        Value w = b.param("w", f32(2));
        Value out = map(b, f32(2), bin(MUL, in(0), in(1)), List.of(x, w), map(d(0)), map(d(0)));
        Graph g = b.build(List.of(out));
        HostTensor tx = random(x.type());
        var e = assertThrows(IllegalArgumentException.class, () -> Interpreter.run(g, List.of(tx), Map.of()));
        assertTrue(e.getMessage().contains("w"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Interpreter.run(g, List.of(random(f32(3))), Map.of("w", random(f32(2)))));
    }

    @Test
    void unpaddedOutOfRangeReadIsAnErrorNotGarbage() {
        GraphBuilder b = new GraphBuilder("oob");
        Value x = b.input("x", f32(4));
        Value out = map(b, f32(4), in(0), List.of(x), map(add(d(0), c(1))));
        Graph g = b.build(List.of(out));
        var e = assertThrows(IllegalStateException.class, () -> run1(g, random(x.type())));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    @Test
    void malformedOpsAreReportedWithTheNodeName() {
        GraphBuilder b = new GraphBuilder("bad");
        Value x = b.input("x", f32(4));
        Value out = b.add(new Op.Generic(Shape.SCALAR, List.of(map(d(3))), in(0), Op.Reduction.NONE), List.of(x), f32(4),
                new Origin("relu", 2, "act", new kc.ir.graph.SourcePos("m.py", 3, 4)));
        var e = assertThrows(IllegalStateException.class, () -> run1(b.build(List.of(out)), random(x.type())));
        assertTrue(e.getMessage().startsWith("%" + out.id() + " generic (relu#2 act @ m.py:3:4): "), e.getMessage());
        assertTrue(e.getMessage().contains("d3"), e.getMessage());
    }
}
