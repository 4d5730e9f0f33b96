package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op.Reduction;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/**
 * Pooling over the last n dims as Generic MAX/SUM reductions over the window. Leading dims (batch, channels)
 * pass through. Windows that hang over the edge read the map's pad (-inf for max, 0 for sums).
 */
final class Pooling {
    private Pooling() {}

    private static void checkRank(CallContext ctx, String op, Tensor x, int n) {
        if (x.rank() != n + 1 && x.rank() != n + 2)
            throw ctx.error(op + ": Expected " + (n + 1) + "D or " + (n + 2) + "D input, but got input of size: " + Views.shapeStr(x.shape().toArray()));
    }

    /** PyTorch's pooling_output_shape. */
    static long outSize(CallContext ctx, long len, long k, long s, long p, long d, boolean ceil) {
        if (k <= 0) throw ctx.error("kernel size should be greater than zero, but got kernel_size: " + k);
        if (s <= 0) throw ctx.error("stride should be greater than zero, but got stride: " + s);
        if (d <= 0) throw ctx.error("dilation should be greater than zero, but got dilation: " + d);
        if (p < 0) throw ctx.error("pad must be non-negative, but got pad: " + p);
        if (p > k / 2) throw ctx.error("pad should be at most half of effective kernel size, but got pad=" + p + ", kernel_size=" + k + " and dilation=" + d);
        long num = len + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        long o = Math.floorDiv(num, s) + 1;
        if (ceil && (o - 1) * s >= len + p) o--;
        if (o <= 0) throw ctx.error("Given input size: (" + len + "). Calculated output size: (" + o + "). Output size is too small");
        return o;
    }

    /** Sliding-window reduction: out[lead..., o...] = red over k of x[lead..., o*s + k*d - p]. */
    private static Tensor window(CallContext ctx, String op, Tensor x, int n, long[] k, long[] s, long[] p, long[] d, boolean ceil,
                                 Reduction red, double pad, DType t) {
        int lead = x.rank() - n;
        long[] out = x.shape().toArray();
        boolean needPad = false;
        List<IndexExpr> e = new ArrayList<>(Emit.dims(lead));
        for (int i = 0; i < n; i++) {
            long len = x.shape().dim(lead + i);
            out[lead + i] = outSize(ctx, len, k[i], s[i], p[i], d[i], ceil);
            long lastRead = (out[lead + i] - 1) * s[i] + (k[i] - 1) * d[i] - p[i];
            needPad |= p[i] > 0 || lastRead >= len;
            e.add(IndexExpr.add(IndexExpr.add(IndexExpr.mul(IndexExpr.dim(lead + i), s[i]), IndexExpr.mul(IndexExpr.dim(x.rank() + i), d[i])),
                    IndexExpr.constant(-p[i])));
        }
        return Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(x.value()), List.of(new IndexMap(e, needPad ? pad : null)),
                Shape.of(k), Emit.cast(ScalarExpr.read(0), x.dtype(), t), red);
    }

    static Tensor maxPool(CallContext ctx, String op, int n, Tensor x, long[] k, long[] s, long[] p, long[] d, boolean ceil) {
        checkRank(ctx, op, x, n);
        return window(ctx, op, x, n, k, s, p, d, ceil, Reduction.MAX, Double.NEGATIVE_INFINITY, x.dtype());
    }

    static Tensor avgPool(CallContext ctx, String op, int n, Tensor x, long[] k, long[] s, long[] p, boolean ceil,
                          boolean countIncludePad, Long divisorOverride) {
        checkRank(ctx, op, x, n);
        long[] ones = new long[n];
        java.util.Arrays.fill(ones, 1);
        DType t = x.dtype();
        Tensor sum = window(ctx, op, x, n, k, s, p, ones, ceil, Reduction.SUM, 0.0, t);
        int lead = x.rank() - n;
        ScalarExpr divisor;
        if (divisorOverride != null) divisor = Emit.c(divisorOverride, t);
        else {
            boolean uniform = true;
            long kk = 1;
            for (int i = 0; i < n; i++) {
                long len = x.shape().dim(lead + i), o = sum.shape().dim(lead + i);
                kk *= k[i];
                if (p[i] > 0 && !countIncludePad) uniform = false;
                if ((o - 1) * s[i] - p[i] + k[i] > len + p[i]) uniform = false;   // the last window hangs over
            }
            if (uniform) divisor = Emit.c(kk, t);
            else {
                ScalarExpr prod = null;
                for (int i = 0; i < n; i++) {
                    long len = x.shape().dim(lead + i);
                    ScalarExpr start = Emit.bin(BinaryOp.SUB, Emit.bin(BinaryOp.MUL, Emit.idx(lead + i), Emit.i64(s[i])), Emit.i64(p[i]));
                    ScalarExpr end = Emit.bin(BinaryOp.MIN, Emit.bin(BinaryOp.ADD, start, Emit.i64(k[i])), Emit.i64(len + p[i]));
                    ScalarExpr size = countIncludePad ? Emit.bin(BinaryOp.SUB, end, start)
                            : Emit.bin(BinaryOp.SUB, Emit.bin(BinaryOp.MIN, end, Emit.i64(len)), Emit.bin(BinaryOp.MAX, start, Emit.i64(0)));
                    prod = prod == null ? size : Emit.bin(BinaryOp.MUL, prod, size);
                }
                divisor = new ScalarExpr.Cast(t, prod);
            }
        }
        return Emit.map(ctx, op, sum.type(), List.of(sum.value()), List.of(IndexMap.identity(sum.rank())),
                Emit.bin(BinaryOp.DIV, ScalarExpr.read(0), divisor));
    }

    /**
     * Adaptive pooling: output cell o of a dim of length L covers [floor(o*L/O), ceil((o+1)*L/O)). Uniform when
     * O divides L; otherwise a window of the largest size, masked past each cell's end.
     */
    static Tensor adaptive(CallContext ctx, String op, int n, Tensor x, long[] outSize, boolean max) {
        checkRank(ctx, op, x, n);
        int lead = x.rank() - n;
        long[] out = x.shape().toArray();
        long[] kmax = new long[n];
        boolean uniform = true;
        for (int i = 0; i < n; i++) {
            long len = x.shape().dim(lead + i), o = outSize[i] < 0 ? len : outSize[i];
            if (o <= 0) throw ctx.error(op + ": elements of output_size must be greater than or equal to 0 but received " + o);
            out[lead + i] = o;
            for (long c = 0; c < o; c++) kmax[i] = Math.max(kmax[i], Math.ceilDiv((c + 1) * len, o) - Math.floorDiv(c * len, o));
            uniform &= len % o == 0;
        }
        DType t = x.dtype();
        if (uniform) {
            long[] s = new long[n], p = new long[n], d = new long[n];
            for (int i = 0; i < n; i++) { s[i] = kmax[i]; d[i] = 1; }
            if (max) return maxPool(ctx, op, n, x, kmax, s, p, d, false);
            return avgPool(ctx, op, n, x, kmax, s, p, false, true, null);
        }
        List<IndexExpr> e = new ArrayList<>(Emit.dims(lead));
        ScalarExpr inside = null;
        ScalarExpr count = null;
        for (int i = 0; i < n; i++) {
            long len = x.shape().dim(lead + i), o = out[lead + i];
            IndexExpr startI = new IndexExpr.FloorDiv(IndexExpr.mul(IndexExpr.dim(lead + i), len), o);
            e.add(IndexExpr.add(startI, IndexExpr.dim(x.rank() + i)));
            ScalarExpr start = Emit.bin(BinaryOp.FLOORDIV, Emit.bin(BinaryOp.MUL, Emit.idx(lead + i), Emit.i64(len)), Emit.i64(o));
            ScalarExpr end = Emit.bin(BinaryOp.FLOORDIV, Emit.bin(BinaryOp.ADD, Emit.bin(BinaryOp.MUL, Emit.idx(lead + i), Emit.i64(len)),
                    Emit.i64(len + o - 1)), Emit.i64(o));
            ScalarExpr size = Emit.bin(BinaryOp.SUB, end, start);
            ScalarExpr in = Emit.bin(BinaryOp.LT, Emit.idx(x.rank() + i), size);
            inside = inside == null ? in : Emit.bin(BinaryOp.AND, inside, in);
            count = count == null ? size : Emit.bin(BinaryOp.MUL, count, size);
        }
        ScalarExpr v = Emit.sel(inside, ScalarExpr.read(0), Emit.c(max ? Double.NEGATIVE_INFINITY : 0, t));
        Tensor r = Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(x.value()),
                List.of(new IndexMap(e, max ? Double.NEGATIVE_INFINITY : 0.0)), Shape.of(kmax), v, max ? Reduction.MAX : Reduction.SUM);
        if (max) return r;
        ScalarExpr cnt = new ScalarExpr.Cast(t, count);
        return Emit.map(ctx, op, r.type(), List.of(r.value()), List.of(IndexMap.identity(r.rank())), Emit.bin(BinaryOp.DIV, ScalarExpr.read(0), cnt));
    }
}
