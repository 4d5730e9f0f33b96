package kc.frontend.torch;

import java.util.List;

import kc.frontend.eval.Py;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;

import static kc.frontend.torch.Elementwise.Kind.FLOAT;
import static kc.frontend.torch.Elementwise.Kind.SAME;

/** torch.nn.functional members implemented natively (the composites live in the Python prelude). */
final class Functional {
    private Functional() {}

    static final String F = "torch.nn.functional";

    static void register(Registry r) {
        activations(r);
        r.fn(F, "linear(input, weight, bias=None)", a -> Contractions.linear(a.ctx(), "linear", a.tensor("input"), a.tensor("weight"), a.optTensor("bias")));
        r.fn(F, "bilinear(input1, input2, weight, bias=None)", a -> Contractions.bilinear(a.ctx(), "bilinear", a.tensor("input1"), a.tensor("input2"), a.tensor("weight"), a.optTensor("bias")));
        for (int n = 1; n <= 3; n++) {
            int nd = n;
            String conv = "conv" + n + "d";
            Registry.Impl convImpl = a -> {
                Tensor w = a.tensor("weight");
                long[] stride = a.ints("stride", nd), dil = a.ints("dilation", nd), lo, hi;
                Object p = a.get("padding");
                if (p instanceof String mode) {
                    lo = new long[nd];
                    hi = new long[nd];
                    if (mode.equals("same")) {
                        for (int i = 0; i < nd; i++) {
                            if (stride[i] != 1) throw a.error("padding='same' is not supported for strided convolutions");
                            long total = dil[i] * (w.rank() > 2 + i ? w.shape().dim(2 + i) - 1 : 0);
                            lo[i] = total / 2;
                            hi[i] = total - lo[i];
                        }
                    } else if (!mode.equals("valid")) throw a.error("Invalid padding string '" + mode + "', should be one of {'valid', 'same'}");
                } else {
                    lo = a.ints("padding", nd);
                    hi = lo;
                }
                return Convolutions.conv(a.ctx(), conv, nd, a.tensor("input"), w, a.optTensor("bias"), stride, lo, hi, dil, a.integer("groups"));
            };
            String convSig = conv + "(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)";
            r.fn(F, convSig, convImpl);
            r.fn("torch", convSig, convImpl);
            String convT = "conv_transpose" + n + "d";
            Registry.Impl convTImpl = a -> Convolutions.convTranspose(a.ctx(), convT, nd, a.tensor("input"), a.tensor("weight"), a.optTensor("bias"),
                    a.ints("stride", nd), a.ints("padding", nd), a.ints("output_padding", nd), a.ints("dilation", nd), a.integer("groups"));
            String convTSig = convT + "(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)";
            r.fn(F, convTSig, convTImpl);
            r.fn("torch", convTSig, convTImpl);
            String mp = "max_pool" + n + "d";
            Registry.Impl mpImpl = a -> {
                if (a.bool("return_indices")) throw a.error("unsupported: " + mp + " with return_indices=True");
                long[] k = a.ints("kernel_size", nd);
                long[] s = a.isNone("stride") || (Args.seq(a.get("stride")) != null && Args.seq(a.get("stride")).isEmpty()) ? k : a.ints("stride", nd);
                return Pooling.maxPool(a.ctx(), mp, nd, a.tensor("input"), k, s, a.ints("padding", nd), a.ints("dilation", nd), a.bool("ceil_mode"));
            };
            String mpSig = mp + "(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False)";
            r.fn(F, mpSig, mpImpl);
            r.fn("torch", mpSig, mpImpl);
            String ap = "avg_pool" + n + "d";
            Registry.Impl apImpl = a -> {
                long[] k = a.ints("kernel_size", nd);
                long[] s = a.isNone("stride") || (Args.seq(a.get("stride")) != null && Args.seq(a.get("stride")).isEmpty()) ? k : a.ints("stride", nd);
                return Pooling.avgPool(a.ctx(), ap, nd, a.tensor("input"), k, s, a.ints("padding", nd), a.bool("ceil_mode"),
                        a.bool("count_include_pad"), a.optInt("divisor_override"));
            };
            String apSig = ap + "(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None)";
            r.fn(F, apSig, apImpl);
            r.fn("torch", apSig, apImpl);
            for (boolean max : new boolean[] {false, true}) {
                String name = "adaptive_" + (max ? "max" : "avg") + "_pool" + n + "d";
                r.fn(F, name + "(input, output_size, return_indices=False)", a -> {
                    if (a.bool("return_indices")) throw a.error("unsupported: " + name + " with return_indices=True");
                    return Pooling.adaptive(a.ctx(), name, nd, a.tensor("input"), outputSize(a, nd), max);
                });
            }
        }
        r.fn(F, "pad(input, pad, mode='constant', value=None)", a -> {
            String mode = a.str("mode");
            double v = a.isNone("value") ? 0 : a.dbl("value");
            return Views.pad(a.ctx(), "pad", a.tensor("input"), a.intList("pad"), mode, v);
        });
        r.fn(F, "unfold(input, kernel_size, dilation=1, padding=0, stride=1)", a -> unfoldIm2col(a));
    }

    /** output_size: an int, or a tuple whose None entries keep the input size (-1 here). */
    static long[] outputSize(Args a, int n) {
        Object o = a.get("output_size");
        List<Object> items = Args.seq(o);
        if (items == null) return a.ints("output_size", n);
        long[] r = new long[n];
        if (items.size() != n) throw a.error("adaptive pooling: output_size must have " + n + " elements");
        for (int i = 0; i < n; i++) r[i] = items.get(i) == Py.NONE ? -1 : Args.asInt(items.get(i));
        return r;
    }

    /** F.unfold (im2col) on 4-D input: (N, C*kh*kw, L). */
    private static Object unfoldIm2col(Args a) {
        Tensor x = a.tensor("input");
        if (x.rank() != 4) throw a.error("unsupported: F.unfold on a " + x.rank() + "-D input (only 4-D)");
        long[] k = a.ints("kernel_size", 2), d = a.ints("dilation", 2), p = a.ints("padding", 2), s = a.ints("stride", 2);
        long n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), w = x.shape().dim(3);
        long oh = (h + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1, ow = (w + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        // domain (n, c, kh, kw, oh, ow) then reshaped to (n, c*kh*kw, oh*ow)
        List<kc.ir.graph.IndexExpr> e = List.of(kc.ir.graph.IndexExpr.dim(0), kc.ir.graph.IndexExpr.dim(1),
                kc.ir.graph.IndexExpr.add(kc.ir.graph.IndexExpr.add(kc.ir.graph.IndexExpr.mul(kc.ir.graph.IndexExpr.dim(4), s[0]),
                        kc.ir.graph.IndexExpr.mul(kc.ir.graph.IndexExpr.dim(2), d[0])), kc.ir.graph.IndexExpr.constant(-p[0])),
                kc.ir.graph.IndexExpr.add(kc.ir.graph.IndexExpr.add(kc.ir.graph.IndexExpr.mul(kc.ir.graph.IndexExpr.dim(5), s[1]),
                        kc.ir.graph.IndexExpr.mul(kc.ir.graph.IndexExpr.dim(3), d[1])), kc.ir.graph.IndexExpr.constant(-p[1])));
        Tensor cols = kc.frontend.torch.Emit.map(a.ctx(), "unfold", new kc.ir.graph.TensorType(x.dtype(), kc.ir.graph.Shape.of(n, c, k[0], k[1], oh, ow)),
                List.of(x.value()), List.of(new kc.ir.graph.IndexMap(e, 0.0)), kc.ir.graph.ScalarExpr.read(0));
        return Views.reshape(a.ctx(), "unfold", cols, new long[] {n, c * k[0] * k[1], oh * ow});
    }

    static void activations(Registry r) {
        r.fn(F, "relu(input, inplace=False)", a -> TensorOps.inplace(a, Elementwise.apply(a.ctx(), "relu", SAME, List.of(a.tensor("input")),
                (xs, t) -> Emit.bin(BinaryOp.MAX, xs.get(0), Emit.c(0, t)))));
        r.fn(F, "relu6(input, inplace=False)", a -> TensorOps.inplace(a, Elementwise.apply(a.ctx(), "relu6", SAME, List.of(a.tensor("input")),
                (xs, t) -> Emit.bin(BinaryOp.MIN, Emit.bin(BinaryOp.MAX, xs.get(0), Emit.c(0, t)), Emit.c(6, t)))));
        Registry.Impl leaky = a -> TensorOps.inplace(a, Elementwise.apply(a.ctx(), "leaky_relu", SAME, List.of(a.tensor("input")), (xs, t) ->
                Emit.sel(Emit.bin(BinaryOp.GT, xs.get(0), Emit.c(0, t)), xs.get(0), Emit.bin(BinaryOp.MUL, xs.get(0), Emit.c(a.dbl("negative_slope"), t)))));
        r.fn(F, "leaky_relu(input, negative_slope=0.01, inplace=False)", leaky);
        Registry.Impl hardtanh = a -> {
            double lo = a.dbl("min_val"), hi = a.dbl("max_val");
            if (lo > hi) throw a.error("min_val cannot be greater than max_val");
            return TensorOps.inplace(a, Elementwise.apply(a.ctx(), "hardtanh", SAME, List.of(a.tensor("input")),
                    (xs, t) -> Emit.bin(BinaryOp.MIN, Emit.bin(BinaryOp.MAX, xs.get(0), Emit.c(lo, t)), Emit.c(hi, t))));
        };
        r.fn(F, "hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False)", hardtanh);
        r.fn(F, "hardsigmoid(input, inplace=False)", a -> TensorOps.inplace(a, Elementwise.apply(a.ctx(), "hardsigmoid", FLOAT, List.of(a.tensor("input")),
                (xs, t) -> Emit.bin(BinaryOp.DIV, Emit.bin(BinaryOp.MIN, Emit.bin(BinaryOp.MAX, Emit.bin(BinaryOp.ADD, xs.get(0), Emit.c(3, t)), Emit.c(0, t)), Emit.c(6, t)), Emit.c(6, t)))));
        r.fn(F, "threshold(input, threshold, value, inplace=False)", a -> {
            double th = a.dbl("threshold"), v = a.dbl("value");
            return TensorOps.inplace(a, Elementwise.apply(a.ctx(), "threshold", SAME, List.of(a.tensor("input")),
                    (xs, t) -> Emit.sel(Emit.bin(BinaryOp.GT, xs.get(0), Emit.c(th, t)), xs.get(0), Emit.c(v, t))));
        });
        r.fn(F, "sigmoid(input)", a -> Elementwise.unary(a.ctx(), "sigmoid", FLOAT, a.tensor("input"), UnaryOp.SIGMOID));
        r.fn(F, "tanh(input)", a -> Elementwise.unary(a.ctx(), "tanh", FLOAT, a.tensor("input"), UnaryOp.TANH));
        r.fn("torch", "relu6(input, inplace=False)", a -> TensorOps.inplace(a, Elementwise.apply(a.ctx(), "relu6", SAME, List.of(a.tensor("input")),
                (xs, t) -> Emit.bin(BinaryOp.MIN, Emit.bin(BinaryOp.MAX, xs.get(0), Emit.c(0, t)), Emit.c(6, t)))));
        r.method("leaky_relu(input, negative_slope=0.01, inplace=False)", leaky);
        r.method("hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False)", hardtanh);
    }
}
