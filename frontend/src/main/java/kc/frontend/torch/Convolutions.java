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
 * N-d convolution and transposed convolution as Generic SUMs over (in-channel-in-group, kernel...):
 * conv reads x[n, g*icg + ic, o*s + k*d - p] (pad 0); the transposed form gathers x[n, g*icg + ic, (o + p - k*d) / s]
 * where the division must be exact (ExactDiv), which is the scatter of the forward op read backwards.
 */
final class Convolutions {
    private Convolutions() {}

    /** Adds an unbatched input's missing batch dim; returns whether it did. */
    private static boolean unbatched(CallContext ctx, String op, Tensor x, int n) {
        if (x.rank() == n + 1) return true;
        if (x.rank() != n + 2) throw ctx.error("Expected " + (n + 1) + "D (unbatched) or " + (n + 2) + "D (batched) input to " + op
                + ", but got input of size: " + Views.shapeStr(x.shape().toArray()));
        return false;
    }

    /** PyTorch's argument checks shared by both convolutions. */
    static void checkParams(CallContext ctx, long[] stride, long[] padding, long[] dilation, long groups) {
        for (long v : stride) if (v <= 0) throw ctx.error("non-positive stride is not supported");
        for (long v : padding) if (v < 0) throw ctx.error("negative padding is not supported");
        for (long v : dilation) if (v <= 0) throw ctx.error("dilation should be greater than zero");
        if (groups <= 0) throw ctx.error("non-positive groups is not supported");
    }

    private static Tensor addChannelBias(CallContext ctx, String op, Tensor y, Tensor b) {
        if (b == null) return y;
        if (b.rank() != 1 || b.shape().dim(0) != y.shape().dim(1))
            throw ctx.error(op + ": expected bias of shape [" + y.shape().dim(1) + "], got " + b.shape());
        DType t = Elementwise.promote(List.of(y, b));
        return Emit.map(ctx, op, new TensorType(t, y.shape()), List.of(y.value(), b.value()),
                List.of(IndexMap.identity(y.rank()), IndexMap.of(IndexExpr.dim(1))),
                Emit.bin(BinaryOp.ADD, Emit.cast(ScalarExpr.read(0), y.dtype(), t), Emit.cast(ScalarExpr.read(1), b.dtype(), t)));
    }

    /**
     * convNd. padding is either explicit (per dim, symmetric) or given as padLo/padHi (for 'same').
     */
    static Tensor conv(CallContext ctx, String op, int n, Tensor x, Tensor w, Tensor b, long[] stride, long[] padLo, long[] padHi,
                       long[] dilation, long groups) {
        checkParams(ctx, stride, padLo, dilation, groups);
        boolean single = unbatched(ctx, op, x, n);
        Tensor xb = single ? Views.unsqueeze(ctx, op, x, 0) : x;
        if (w.rank() != n + 2) throw ctx.error("weight should have " + (n + 2) + " dimensions for " + op + ", got " + w.rank());
        long cin = xb.shape().dim(1), cout = w.shape().dim(0), icg = w.shape().dim(1);
        if (groups <= 0) throw ctx.error("non-positive groups is not supported");
        if (cout % groups != 0) throw ctx.error("Given groups=" + groups + ", expected weight to be divisible by " + groups
                + " at dimension 0, but got weight of size " + Views.shapeStr(w.shape().toArray()) + " instead");
        if (icg * groups != cin) throw ctx.error("Given groups=" + groups + ", weight of size " + Views.shapeStr(w.shape().toArray())
                + ", expected input" + Views.shapeStr(xb.shape().toArray()) + " to have " + (icg * groups) + " channels, but got " + cin + " channels instead");
        long ocg = cout / groups;
        long[] out = new long[n + 2];
        out[0] = xb.shape().dim(0);
        out[1] = cout;
        boolean padded = false;
        for (int i = 0; i < n; i++) {
            long len = xb.shape().dim(2 + i), k = w.shape().dim(2 + i);
            long eff = dilation[i] * (k - 1) + 1;
            if (len + padLo[i] + padHi[i] < eff)
                throw ctx.error("Calculated padded input size per channel: (" + (len + padLo[i] + padHi[i]) + "). Kernel size: (" + eff
                        + "). Kernel size can't be greater than actual input size");
            out[2 + i] = (len + padLo[i] + padHi[i] - eff) / stride[i] + 1;
            padded |= padLo[i] != 0 || padHi[i] != 0;
        }
        int red = n + 2; // reduction dims: ic, k0..kn-1
        List<IndexExpr> ex = new ArrayList<>();
        ex.add(IndexExpr.dim(0));
        IndexExpr ic = IndexExpr.dim(red);
        ex.add(groups == 1 ? ic : IndexExpr.add(IndexExpr.mul(new IndexExpr.FloorDiv(IndexExpr.dim(1), ocg), icg), ic));
        List<IndexExpr> ew = new ArrayList<>(List.of(IndexExpr.dim(1), ic));
        long[] reduce = new long[n + 1];
        reduce[0] = icg;
        for (int i = 0; i < n; i++) {
            IndexExpr k = IndexExpr.dim(red + 1 + i);
            ex.add(IndexExpr.add(IndexExpr.add(IndexExpr.mul(IndexExpr.dim(2 + i), stride[i]), IndexExpr.mul(k, dilation[i])),
                    IndexExpr.constant(-padLo[i])));
            ew.add(k);
            reduce[1 + i] = w.shape().dim(2 + i);
        }
        DType t = Elementwise.promote(List.of(xb, w));
        ScalarExpr body = Emit.bin(BinaryOp.MUL, Emit.cast(ScalarExpr.read(0), xb.dtype(), t), Emit.cast(ScalarExpr.read(1), w.dtype(), t));
        Tensor y = Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(xb.value(), w.value()),
                List.of(new IndexMap(ex, padded ? 0.0 : null), new IndexMap(ew, null)), Shape.of(reduce), body, Reduction.SUM);
        y = addChannelBias(ctx, op, y, b);
        return single ? Views.reshape(ctx, op, y, java.util.Arrays.copyOfRange(y.shape().toArray(), 1, n + 2)) : y;
    }

    static Tensor convTranspose(CallContext ctx, String op, int n, Tensor x, Tensor w, Tensor b, long[] stride, long[] padding,
                                long[] outputPadding, long[] dilation, long groups) {
        checkParams(ctx, stride, padding, dilation, groups);
        for (long v : outputPadding) if (v < 0) throw ctx.error("negative output_padding is not supported");
        boolean single = unbatched(ctx, op, x, n);
        Tensor xb = single ? Views.unsqueeze(ctx, op, x, 0) : x;
        if (w.rank() != n + 2) throw ctx.error("weight should have " + (n + 2) + " dimensions for " + op + ", got " + w.rank());
        long cin = xb.shape().dim(1), ocg = w.shape().dim(1);
        if (w.shape().dim(0) != cin) throw ctx.error("Given transposed=1, weight of size " + Views.shapeStr(w.shape().toArray())
                + ", expected input" + Views.shapeStr(xb.shape().toArray()) + " to have " + w.shape().dim(0) + " channels, but got " + cin + " channels instead");
        if (cin % groups != 0) throw ctx.error("Given groups=" + groups + ", expected weight to be divisible by " + groups + " at dimension 0");
        long icg = cin / groups, cout = ocg * groups;
        long[] out = new long[n + 2];
        out[0] = xb.shape().dim(0);
        out[1] = cout;
        for (int i = 0; i < n; i++) {
            long len = xb.shape().dim(2 + i), k = w.shape().dim(2 + i);
            if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])
                throw ctx.error("output padding must be smaller than either stride or dilation, but got output_padding: " + outputPadding[i]
                        + ", stride: " + stride[i] + ", dilation: " + dilation[i]);
            out[2 + i] = (len - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k - 1) + outputPadding[i] + 1;
            if (out[2 + i] <= 0) throw ctx.error(op + ": output size is too small");
        }
        int red = n + 2;
        IndexExpr ic = IndexExpr.dim(red);
        IndexExpr inChannel = groups == 1 ? ic : IndexExpr.add(IndexExpr.mul(new IndexExpr.FloorDiv(IndexExpr.dim(1), ocg), icg), ic);
        List<IndexExpr> ex = new ArrayList<>(List.of(IndexExpr.dim(0), inChannel));
        List<IndexExpr> ew = new ArrayList<>(List.of(inChannel, groups == 1 ? IndexExpr.dim(1) : new IndexExpr.Mod(IndexExpr.dim(1), ocg)));
        long[] reduce = new long[n + 1];
        reduce[0] = icg;
        for (int i = 0; i < n; i++) {
            IndexExpr k = IndexExpr.dim(red + 1 + i);
            IndexExpr num = IndexExpr.add(IndexExpr.add(IndexExpr.dim(2 + i), IndexExpr.mul(k, -dilation[i])), IndexExpr.constant(padding[i]));
            ex.add(stride[i] == 1 ? num : new IndexExpr.ExactDiv(num, stride[i]));
            ew.add(k);
            reduce[1 + i] = w.shape().dim(2 + i);
        }
        DType t = Elementwise.promote(List.of(xb, w));
        ScalarExpr body = Emit.bin(BinaryOp.MUL, Emit.cast(ScalarExpr.read(0), xb.dtype(), t), Emit.cast(ScalarExpr.read(1), w.dtype(), t));
        Tensor y = Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(xb.value(), w.value()),
                List.of(new IndexMap(ex, 0.0), new IndexMap(ew, null)), Shape.of(reduce), body, Reduction.SUM);
        y = addChannelBias(ctx, op, y, b);
        return single ? Views.reshape(ctx, op, y, java.util.Arrays.copyOfRange(y.shape().toArray(), 1, n + 2)) : y;
    }
}
