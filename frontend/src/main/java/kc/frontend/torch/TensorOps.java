package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;
import kc.ir.graph.DType;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;
import kc.ir.graph.Shape;

import static kc.frontend.torch.Elementwise.Kind.COMPARE;
import static kc.frontend.torch.Elementwise.Kind.FLOAT;
import static kc.frontend.torch.Elementwise.Kind.LOGICAL;
import static kc.frontend.torch.Elementwise.Kind.SAME;

/** torch.* functions and the tensor methods that share their implementations. */
final class TensorOps {
    private TensorOps() {}

    static final String FACTORY_KW = "dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, memory_format=None, generator=None, out=None";

    static void register(Registry r) {
        elementwise(r);
        reductions(r);
        views(r);
        contractions(r);
        factories(r);
        tensorOnly(r);
    }

    // ---------------------------------------------------------------- elementwise

    private static void unary(Registry r, String name, Elementwise.Kind kind, Elementwise.Body body) {
        r.both(name + "(input, *, out=None)", a -> Elementwise.apply(a.ctx(), name, kind, List.of(a.tensor("input")), body));
    }

    private static Elementwise.Body u(UnaryOp op) { return (xs, t) -> Emit.un(op, xs.get(0)); }

    private static void binary(Registry r, String name, Elementwise.Kind kind, BinaryOp op) {
        r.both(name + "(input, other, *, out=None)", a -> Elementwise.binary(a.ctx(), name, kind, operand(a, "input"), operand(a, "other"), op));
    }

    /** A tensor or a Python number (0-dim tensors stay tensors). */
    static Object operand(Args a, String name) {
        Object v = a.get(name);
        if (v instanceof Tensor || Elementwise.isScalar(v)) return v;
        throw a.error(a.ctx().repr(v) + " is not a Tensor or a number (argument '" + name + "')");
    }

    static void elementwise(Registry r) {
        for (var e : new Object[][] {
                {"exp", UnaryOp.EXP}, {"log", UnaryOp.LOG}, {"log1p", UnaryOp.LOG1P}, {"expm1", UnaryOp.EXPM1}, {"sqrt", UnaryOp.SQRT},
                {"rsqrt", UnaryOp.RSQRT}, {"sin", UnaryOp.SIN}, {"cos", UnaryOp.COS}, {"tanh", UnaryOp.TANH}, {"sigmoid", UnaryOp.SIGMOID},
                {"erf", UnaryOp.ERF}, {"reciprocal", UnaryOp.RECIP}}) {
            unary(r, (String) e[0], FLOAT, u((UnaryOp) e[1]));
        }
        unary(r, "log2", FLOAT, (xs, t) -> Emit.bin(BinaryOp.DIV, Emit.un(UnaryOp.LOG, xs.get(0)), Emit.c(Math.log(2), t)));
        unary(r, "log10", FLOAT, (xs, t) -> Emit.bin(BinaryOp.DIV, Emit.un(UnaryOp.LOG, xs.get(0)), Emit.c(Math.log(10), t)));
        unary(r, "exp2", FLOAT, (xs, t) -> Emit.bin(BinaryOp.POW, Emit.c(2, t), xs.get(0)));
        unary(r, "tan", FLOAT, (xs, t) -> Emit.bin(BinaryOp.DIV, Emit.un(UnaryOp.SIN, xs.get(0)), Emit.un(UnaryOp.COS, xs.get(0))));
        unary(r, "atan", FLOAT, (xs, t) -> Emit.bin(BinaryOp.ATAN2, xs.get(0), Emit.c(1, t)));
        unary(r, "erfc", FLOAT, (xs, t) -> Emit.bin(BinaryOp.SUB, Emit.c(1, t), Emit.un(UnaryOp.ERF, xs.get(0))));
        for (var e : new Object[][] {{"neg", UnaryOp.NEG}, {"negative", UnaryOp.NEG}, {"abs", UnaryOp.ABS}, {"absolute", UnaryOp.ABS},
                {"sign", UnaryOp.SIGN}, {"floor", UnaryOp.FLOOR}, {"ceil", UnaryOp.CEIL}}) {
            unary(r, (String) e[0], SAME, u((UnaryOp) e[1]));
        }
        r.both("round(input, *, decimals=0, out=None)", a -> {
            long dec = a.integer("decimals");
            double scale = Math.pow(10, dec);
            return Elementwise.apply(a.ctx(), "round", SAME, List.of(a.tensor("input")), (xs, t) -> dec == 0 ? Emit.un(UnaryOp.ROUND, xs.get(0))
                    : Emit.bin(BinaryOp.DIV, Emit.un(UnaryOp.ROUND, Emit.bin(BinaryOp.MUL, xs.get(0), Emit.c(scale, t))), Emit.c(scale, t)));
        });
        unary(r, "trunc", SAME, (xs, t) -> Emit.sel(Emit.bin(BinaryOp.LT, xs.get(0), Emit.c(0, t)), Emit.un(UnaryOp.CEIL, xs.get(0)), Emit.un(UnaryOp.FLOOR, xs.get(0))));
        unary(r, "square", SAME, (xs, t) -> Emit.bin(BinaryOp.MUL, xs.get(0), xs.get(0)));
        unary(r, "positive", SAME, (xs, t) -> xs.get(0));
        unary(r, "logical_not", LOGICAL, u(UnaryOp.NOT));
        unary(r, "bitwise_not", LOGICAL, u(UnaryOp.NOT));
        unary(r, "isnan", COMPARE, (xs, t) -> Emit.bin(BinaryOp.NE, xs.get(0), xs.get(0)));
        unary(r, "isinf", COMPARE, (xs, t) -> Emit.bin(BinaryOp.EQ, Emit.un(UnaryOp.ABS, xs.get(0)), Emit.c(Double.POSITIVE_INFINITY, t)));
        unary(r, "isfinite", COMPARE, (xs, t) -> Emit.bin(BinaryOp.LT, Emit.un(UnaryOp.ABS, xs.get(0)), Emit.c(Double.POSITIVE_INFINITY, t)));
        // activations shared by torch.*, F.* and methods
        r.both("relu(input, inplace=False)", a -> inplace(a, Elementwise.apply(a.ctx(), "relu", SAME, List.of(a.tensor("input")),
                (xs, t) -> Emit.bin(BinaryOp.MAX, xs.get(0), Emit.c(0, t)))));

        for (var e : new Object[][] {{"add", BinaryOp.ADD}, {"sub", BinaryOp.SUB}, {"subtract", BinaryOp.SUB}}) {
            String name = (String) e[0];
            BinaryOp op = (BinaryOp) e[1];
            r.both(name + "(input, other, *, alpha=1, out=None)", a -> {
                Object alpha = a.get("alpha");
                if (Elementwise.isScalar(alpha) && Elementwise.scalarValue(alpha) == 1)
                    return Elementwise.binary(a.ctx(), name, SAME, operand(a, "input"), operand(a, "other"), op);
                return Elementwise.apply(a.ctx(), name, SAME, List.of(operand(a, "input"), operand(a, "other"), alpha),
                        (xs, t) -> Emit.bin(op, xs.get(0), Emit.bin(BinaryOp.MUL, xs.get(2), xs.get(1))));
            });
        }
        binary(r, "mul", SAME, BinaryOp.MUL);
        binary(r, "multiply", SAME, BinaryOp.MUL);
        for (String name : new String[] {"div", "divide"}) {
            r.both(name + "(input, other, *, rounding_mode=None, out=None)", a -> {
                String mode = a.optStr("rounding_mode");
                Object x = operand(a, "input"), y = operand(a, "other");
                if (mode == null) return Elementwise.binary(a.ctx(), "div", FLOAT, x, y, BinaryOp.DIV);
                if (mode.equals("floor")) return Elementwise.binary(a.ctx(), "div", SAME, x, y, BinaryOp.FLOORDIV);
                if (mode.equals("trunc")) return Elementwise.apply(a.ctx(), "div", SAME, List.of(x, y), (xs, t) -> {
                    ScalarExpr q = t.isFloat() ? Emit.bin(BinaryOp.DIV, xs.get(0), xs.get(1)) : Emit.bin(BinaryOp.DIV, new ScalarExpr.Cast(DType.F64, xs.get(0)), xs.get(1));
                    ScalarExpr tr = Emit.sel(Emit.bin(BinaryOp.LT, q, Emit.c(0, t)), Emit.un(UnaryOp.CEIL, q), Emit.un(UnaryOp.FLOOR, q));
                    return Emit.cast(tr, DType.F64, t);
                });
                throw a.error("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '" + mode + "'");
            });
        }
        binary(r, "true_divide", FLOAT, BinaryOp.DIV);
        binary(r, "floor_divide", SAME, BinaryOp.FLOORDIV);
        binary(r, "remainder", SAME, BinaryOp.MOD);
        r.both("fmod(input, other, *, out=None)", a -> Elementwise.apply(a.ctx(), "fmod", SAME, List.of(operand(a, "input"), operand(a, "other")), (xs, t) -> {
            ScalarExpr m = Emit.bin(BinaryOp.MOD, xs.get(0), xs.get(1));
            // C's fmod takes the dividend's sign: Python's mod adjusted when the signs differ
            ScalarExpr fix = Emit.bin(BinaryOp.AND, Emit.bin(BinaryOp.NE, m, Emit.c(0, t)),
                    Emit.bin(BinaryOp.NE, Emit.bin(BinaryOp.LT, xs.get(0), Emit.c(0, t)), Emit.bin(BinaryOp.LT, xs.get(1), Emit.c(0, t))));
            return Emit.sel(fix, Emit.bin(BinaryOp.SUB, m, xs.get(1)), m);
        }));
        r.both("pow(input, exponent, *, out=None)", a -> {
            Object x = operand(a, "input"), y = operand(a, "exponent");
            if (y instanceof Long e && e == 2) return Elementwise.apply(a.ctx(), "pow", SAME, List.of(x), (xs, t) -> Emit.bin(BinaryOp.MUL, xs.get(0), xs.get(0)));
            return Elementwise.binary(a.ctx(), "pow", SAME, x, y, BinaryOp.POW);
        });
        binary(r, "float_power", SAME, BinaryOp.POW);
        binary(r, "maximum", SAME, BinaryOp.MAX);
        binary(r, "minimum", SAME, BinaryOp.MIN);
        binary(r, "fmax", SAME, BinaryOp.MAX);
        binary(r, "fmin", SAME, BinaryOp.MIN);
        binary(r, "atan2", FLOAT, BinaryOp.ATAN2);
        for (var e : new Object[][] {{"eq", BinaryOp.EQ}, {"ne", BinaryOp.NE}, {"not_equal", BinaryOp.NE}, {"lt", BinaryOp.LT}, {"less", BinaryOp.LT},
                {"le", BinaryOp.LE}, {"less_equal", BinaryOp.LE}, {"gt", BinaryOp.GT}, {"greater", BinaryOp.GT}, {"ge", BinaryOp.GE},
                {"greater_equal", BinaryOp.GE}}) {
            binary(r, (String) e[0], COMPARE, (BinaryOp) e[1]);
        }
        binary(r, "logical_and", LOGICAL, BinaryOp.AND);
        binary(r, "logical_or", LOGICAL, BinaryOp.OR);
        binary(r, "logical_xor", LOGICAL, BinaryOp.NE);
        binary(r, "bitwise_and", LOGICAL, BinaryOp.AND);
        binary(r, "bitwise_or", LOGICAL, BinaryOp.OR);
        binary(r, "bitwise_xor", LOGICAL, BinaryOp.NE);
        r.both("where(condition, input=None, other=None, *, out=None)", a -> {
            if (a.isNone("input")) throw a.error("unsupported: torch.where(condition) with one argument (the result's shape depends on the data)");
            Tensor c = a.tensor("condition");
            Object x = operand(a, "input"), y = operand(a, "other");
            DType t = Elementwise.promote(List.of(x, y));
            return Elementwise.apply(a.ctx(), "where", List.of(c, x, y), null, t, (xs, tt) -> Emit.sel(Emit.cast(xs.get(0), c.dtype(), DType.BOOL),
                    Emit.cast(xs.get(1), Elementwise.typeOf(x), t), Emit.cast(xs.get(2), Elementwise.typeOf(y), t)));
        });
        for (String name : new String[] {"clamp", "clip"}) {
            r.both(name + "(input, min=None, max=None, *, out=None)", a -> clamp(a, name));
        }
        r.both("clamp_min(input, min)", a -> clamp(a, "clamp_min"));
        r.both("clamp_max(input, max)", a -> clamp(a, "clamp_max"));
        r.both("masked_fill(input, mask, value)", a -> {
            Tensor x = a.tensor("input"), m = a.tensor("mask");
            Object v = a.get("value");
            if (v instanceof Tensor vt) {
                if (vt.rank() != 0) throw a.error("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with " + vt.rank() + " dimension(s).");
            } else if (!Elementwise.isScalar(v)) throw a.error("masked_fill(): argument 'value' must be Number or Tensor");
            if (m.dtype() != DType.BOOL) throw a.error("masked_fill_ only supports boolean masks, but got mask with dtype " + m.dtype().torchName());
            Shape out = Elementwise.broadcast(a.ctx(), List.of(x.shape(), m.shape()));
            if (!out.equals(x.shape())) throw a.error("The size of tensor a (" + x.shape() + ") must match the size of tensor b (" + m.shape() + ")");
            return Elementwise.apply(a.ctx(), "masked_fill", List.of(m, v, x), null, x.dtype(), (xs, t) -> Emit.sel(xs.get(0),
                    Emit.cast(xs.get(1), Elementwise.typeOf(v), x.dtype()), xs.get(2)));
        });
        r.both("lerp(input, end, weight)", a -> Elementwise.apply(a.ctx(), "lerp", SAME, List.of(a.tensor("input"), operand(a, "end"), operand(a, "weight")),
                (xs, t) -> Emit.bin(BinaryOp.ADD, xs.get(0), Emit.bin(BinaryOp.MUL, xs.get(2), Emit.bin(BinaryOp.SUB, xs.get(1), xs.get(0))))));
        r.both("addcmul(input, tensor1, tensor2, *, value=1)", a -> Elementwise.apply(a.ctx(), "addcmul", SAME,
                List.of(a.tensor("input"), a.tensor("tensor1"), a.tensor("tensor2"), a.get("value")),
                (xs, t) -> Emit.bin(BinaryOp.ADD, xs.get(0), Emit.bin(BinaryOp.MUL, xs.get(3), Emit.bin(BinaryOp.MUL, xs.get(1), xs.get(2))))));
        r.both("addcdiv(input, tensor1, tensor2, *, value=1)", a -> Elementwise.apply(a.ctx(), "addcdiv", FLOAT,
                List.of(a.tensor("input"), a.tensor("tensor1"), a.tensor("tensor2"), a.get("value")),
                (xs, t) -> Emit.bin(BinaryOp.ADD, xs.get(0), Emit.bin(BinaryOp.MUL, xs.get(3), Emit.bin(BinaryOp.DIV, xs.get(1), xs.get(2))))));
    }

    static Object inplace(Args a, Tensor result) {
        if (a.bool("inplace")) {
            Tensor self = a.tensor("input");
            self.rebind(Elementwise.cast(a.ctx(), result, self.dtype()).value());
            return self;
        }
        return result;
    }

    private static Tensor clamp(Args a, String name) {
        Tensor x = a.tensor("input");
        Object lo = a.get("min") == null ? Py.NONE : a.get("min"), hi = a.get("max") == null ? Py.NONE : a.get("max");
        if (lo == Py.NONE && hi == Py.NONE) throw a.error("torch.clamp: At least one of 'min' or 'max' must not be None");
        List<Object> in = new ArrayList<>(List.of(x));
        if (lo != Py.NONE) in.add(lo);
        if (hi != Py.NONE) in.add(hi);
        boolean hasLo = lo != Py.NONE;
        boolean hasHi = hi != Py.NONE;
        return Elementwise.apply(a.ctx(), name, SAME, in, (xs, t) -> {
            ScalarExpr v = xs.get(0);
            // PyTorch: min(max(x, lo), hi), NaN in x propagates
            if (hasLo) v = Emit.bin(BinaryOp.MAX, v, xs.get(1));
            if (hasHi) v = Emit.bin(BinaryOp.MIN, v, xs.get(hasLo ? 2 : 1));
            return v;
        });
    }

    // ---------------------------------------------------------------- reductions

    static void reductions(Registry r) {
        r.both("sum(input, dim=None, keepdim=False, *, dtype=None, out=None)", a -> {
            Tensor x = a.tensor("input");
            return Reductions.sum(a.ctx(), x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"), a.dtype("dtype"));
        });
        r.both("nansum(input, dim=None, keepdim=False, *, dtype=None)", a -> {
            Tensor x = a.tensor("input");
            DType t = a.dtype("dtype") != null ? a.dtype("dtype") : Reductions.sumType(x.dtype());
            return Reductions.reduce(a.ctx(), "nansum", x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"),
                    kc.ir.graph.Op.Reduction.SUM, t, t, e -> Emit.sel(Emit.bin(BinaryOp.NE, e, e), Emit.c(0, t), e));
        });
        r.both("mean(input, dim=None, keepdim=False, *, dtype=None, out=None)", a -> {
            Tensor x = a.tensor("input");
            return Reductions.mean(a.ctx(), x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"), a.dtype("dtype"));
        });
        r.both("prod(input, dim=None, keepdim=False, *, dtype=None)", a -> {
            Tensor x = a.tensor("input");
            return Reductions.prod(a.ctx(), x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"), a.dtype("dtype"));
        });
        for (String name : new String[] {"amax", "amin"}) {
            r.both(name + "(input, dim=(), keepdim=False, *, out=None)", a -> {
                Tensor x = a.tensor("input");
                return Reductions.amax(a.ctx(), name, x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"), name.equals("amax"));
            });
        }
        for (String name : new String[] {"argmax", "argmin"}) {
            r.both(name + "(input, dim=None, keepdim=False)", a -> {
                Tensor x = a.tensor("input");
                if (a.isNone("dim")) {
                    Tensor flat = Views.reshape(a.ctx(), name, x, new long[] {x.shape().numel()});
                    Tensor i = Reductions.argmax(a.ctx(), name, flat, new boolean[] {true}, false, name.equals("argmax"));
                    return a.bool("keepdim") ? Views.reshape(a.ctx(), name, i, ones(x.rank())) : i;
                }
                return Reductions.argmax(a.ctx(), name, x, Reductions.oneDim(a.ctx(), a.integer("dim"), x.rank()), a.bool("keepdim"), name.equals("argmax"));
            });
        }
        for (String name : new String[] {"max", "min"}) {
            // max(x) / max(x, dim, keepdim) -> (values, indices) / max(x, other). The prelude wraps the pair as a named tuple.
            Registry.Impl impl = a -> {
                Tensor x = a.tensor("input");
                boolean isMax = name.equals("max");
                Object d = a.get("dim");
                if (d instanceof Tensor other) {
                    if (!a.isNone("keepdim") && !(a.get("keepdim") instanceof Boolean b && !b)) throw a.error(name + "(): keepdim is not valid with a tensor");
                    return Elementwise.binary(a.ctx(), isMax ? "maximum" : "minimum", SAME, x, other, isMax ? BinaryOp.MAX : BinaryOp.MIN);
                }
                if (d == Py.NONE) return Reductions.amax(a.ctx(), name, x, Reductions.dims(a.ctx(), Py.NONE, x.rank()), false, isMax);
                boolean[] dims = Reductions.oneDim(a.ctx(), a.integer("dim"), x.rank());
                boolean keep = a.bool("keepdim");
                return Py.Tuple.of(Reductions.amax(a.ctx(), name, x, dims, keep, isMax), Reductions.argmax(a.ctx(), name, x, dims, keep, isMax));
            };
            r.fn("torch", "_kc_" + name + "(input, dim=None, keepdim=False, *, out=None)", impl);
        }
        for (String name : new String[] {"any", "all"}) {
            r.both(name + "(input, dim=None, keepdim=False, *, out=None)", a -> {
                Tensor x = a.tensor("input");
                return Reductions.any(a.ctx(), name, x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"), name.equals("all"));
            });
        }
        for (String name : new String[] {"var", "std"}) {
            r.both(name + "(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None)", a -> {
                Tensor x = a.tensor("input");
                Object dim = a.get("dim");
                boolean unbiased = true;
                // var(x, False): the legacy positional unbiased flag in the dim slot
                if (dim instanceof Boolean b) { unbiased = b; dim = Py.NONE; }
                if (!a.isNone("unbiased")) unbiased = a.bool("unbiased");
                double corr = a.isNone("correction") ? (unbiased ? 1 : 0) : a.dbl("correction");
                Tensor v = Reductions.var(a.ctx(), name, x, Reductions.dims(a.ctx(), dim, x.rank()), a.bool("keepdim"), corr);
                return name.equals("std") ? Elementwise.unary(a.ctx(), "std", FLOAT, v, UnaryOp.SQRT) : v;
            });
        }
        r.both("norm(input, p='fro', dim=None, keepdim=False, dtype=None, *, out=None)", a -> {
            Tensor x = a.tensor("input");
            Object p = a.get("p");
            double pv;
            if (p == Py.NONE || "fro".equals(p)) pv = 2;
            else if (p instanceof String s) throw a.error("unsupported: norm with p='" + s + "'");
            else pv = a.dbl("p");
            Tensor xf = a.dtype("dtype") != null ? Elementwise.cast(a.ctx(), x, a.dtype("dtype")) : x;
            return Reductions.norm(a.ctx(), "norm", xf, pv, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"));
        });
        r.both("logsumexp(input, dim, keepdim=False, *, out=None)", a -> {
            Tensor x = a.tensor("input");
            return Reductions.logsumexp(a.ctx(), x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()), a.bool("keepdim"));
        });
        for (String name : new String[] {"cumsum", "cumprod"}) {
            r.both(name + "(input, dim, *, dtype=None, out=None)", a -> {
                Tensor x = a.tensor("input");
                int d = Emit.dim(a.ctx(), a.integer("dim"), x.rank());
                DType t = a.dtype("dtype") != null ? a.dtype("dtype") : Reductions.sumType(x.dtype());
                Tensor xc = Elementwise.cast(a.ctx(), x, t);
                if (x.rank() == 0) return xc;
                return Emit.scan(a.ctx(), name, xc, d, name.equals("cumsum") ? kc.ir.graph.Op.Reduction.SUM : kc.ir.graph.Op.Reduction.PROD, false, t);
            });
        }
    }

    static long[] ones(int n) {
        long[] r = new long[n];
        java.util.Arrays.fill(r, 1);
        return r;
    }

    // ---------------------------------------------------------------- views

    static void views(Registry r) {
        r.fn("torch", "reshape(input, shape)", a -> Views.reshape(a.ctx(), "reshape", a.tensor("input"), a.intList("shape")));
        r.method("reshape(input, shape, *rest)", a -> Views.reshape(a.ctx(), "reshape", a.tensor("input"), a.sizeArgs("shape")));
        r.method("view(input, shape, *rest)", a -> {
            if (a.get("shape") instanceof DType) throw a.error("unsupported: Tensor.view(dtype)");
            return Views.reshape(a.ctx(), "view", a.tensor("input"), a.sizeArgs("shape"));
        });
        r.method("view_as(input, other)", a -> Views.reshape(a.ctx(), "view", a.tensor("input"), a.tensor("other").shape().toArray()));
        r.method("reshape_as(input, other)", a -> Views.reshape(a.ctx(), "reshape", a.tensor("input"), a.tensor("other").shape().toArray()));
        r.fn("torch", "permute(input, dims)", a -> Views.permute(a.ctx(), "permute", a.tensor("input"), a.intList("dims")));
        r.method("permute(input, dims, *rest)", a -> Views.permute(a.ctx(), "permute", a.tensor("input"), a.sizeArgs("dims")));
        for (String name : new String[] {"transpose", "swapaxes", "swapdims"}) {
            r.both(name + "(input, dim0, dim1)", a -> Views.transpose(a.ctx(), "transpose", a.tensor("input"), a.integer("dim0"), a.integer("dim1")));
        }
        r.both("t(input)", a -> {
            Tensor x = a.tensor("input");
            if (x.rank() > 2) throw a.error("t() expects a tensor with <= 2 dimensions, but self is " + x.rank() + "D");
            return x.rank() < 2 ? x : Views.transpose(a.ctx(), "t", x, 0, 1);
        });
        r.both("adjoint(input)", a -> Views.transpose(a.ctx(), "adjoint", a.tensor("input"), -2, -1));
        r.both("unsqueeze(input, dim)", a -> Views.unsqueeze(a.ctx(), "unsqueeze", a.tensor("input"), a.integer("dim")));
        r.both("squeeze(input, dim=None)", a -> {
            Tensor x = a.tensor("input");
            return Views.squeezeDims(a.ctx(), "squeeze", x, Reductions.dims(a.ctx(), a.get("dim"), x.rank()));
        });
        r.both("flatten(input, start_dim=0, end_dim=-1)", a -> Views.flatten(a.ctx(), "flatten", a.tensor("input"), a.integer("start_dim"), a.integer("end_dim")));
        r.both("ravel(input)", a -> Views.flatten(a.ctx(), "ravel", a.tensor("input"), 0, -1));
        r.both("unflatten(input, dim, sizes)", a -> Views.unflatten(a.ctx(), "unflatten", a.tensor("input"), a.integer("dim"), a.intList("sizes")));
        r.method("expand(input, size, *rest)", a -> Views.expand(a.ctx(), "expand", a.tensor("input"), a.sizeArgs("size")));
        r.method("expand_as(input, other)", a -> Views.expand(a.ctx(), "expand", a.tensor("input"), a.tensor("other").shape().toArray()));
        r.fn("torch", "broadcast_to(input, size)", a -> Views.expand(a.ctx(), "broadcast_to", a.tensor("input"), a.intList("size")));
        r.method("broadcast_to(input, size)", a -> Views.expand(a.ctx(), "broadcast_to", a.tensor("input"), a.intList("size")));
        r.method("repeat(input, repeats, *rest)", a -> Views.repeat(a.ctx(), "repeat", a.tensor("input"), a.sizeArgs("repeats")));
        r.both("tile(input, dims)", a -> {
            Tensor x = a.tensor("input");
            long[] d = a.intList("dims");
            if (d.length < x.rank()) { long[] p = ones(x.rank()); System.arraycopy(d, 0, p, x.rank() - d.length, d.length); d = p; }
            return Views.repeat(a.ctx(), "tile", x, d);
        });
        r.method("contiguous(input, memory_format=None)", a -> a.tensor("input"));
        r.both("clone(input, *, memory_format=None)", a -> new Tensor(a.tensor("input").value()));
        r.both("detach(input)", a -> new Tensor(a.tensor("input").value()));
        r.both("narrow(input, dim, start, length)", a -> Views.narrow(a.ctx(), "narrow", a.tensor("input"), a.integer("dim"), a.integer("start"), a.integer("length")));
        r.both("select(input, dim, index)", a -> Views.select(a.ctx(), "select", a.tensor("input"), a.integer("dim"), a.integer("index")));
        r.both("index_select(input, dim, index)", a -> {
            Tensor x = a.tensor("input");
            return Indexing.gather(a.ctx(), "index_select", x, Emit.dim(a.ctx(), a.integer("dim"), x.rank()), a.tensor("index"));
        });
        r.both("gather(input, dim, index, *, sparse_grad=False, out=None)", a -> {
            Tensor x = a.tensor("input");
            return Indexing.takeAlong(a.ctx(), "gather", x, Emit.dim(a.ctx(), a.integer("dim"), x.rank()), a.tensor("index"));
        });
        r.both("take_along_dim(input, indices, dim)", a -> {
            Tensor x = a.tensor("input");
            return Indexing.takeAlong(a.ctx(), "take_along_dim", x, Emit.dim(a.ctx(), a.integer("dim"), x.rank()), a.tensor("indices"));
        });
        r.both("split(tensor, split_size_or_sections, dim=0)", a -> {
            Tensor x = a.tensor("tensor");
            int d = Emit.dim(a.ctx(), a.integer("dim"), x.rank());
            long n = x.shape().dim(d);
            List<Long> sizes = new ArrayList<>();
            Long each = Args.asInt(a.get("split_size_or_sections"));
            if (each != null) {
                if (each <= 0) throw a.error("split_size can only be 0 if dimension size is 0, but got dimension size of " + n);
                for (long s = 0; s < n; s += each) sizes.add(Math.min(each, n - s));
            } else {
                long total = 0;
                for (long s : a.intList("split_size_or_sections")) { sizes.add(s); total += s; }
                if (total != n) throw a.error("split_with_sizes expects split_sizes to sum exactly to " + n + " (input tensor's size at dimension " + d + "), but got split_sizes=" + sizes);
            }
            return pieces(a.ctx(), "split", x, d, sizes);
        });
        r.both("chunk(input, chunks, dim=0)", a -> {
            Tensor x = a.tensor("input");
            int d = Emit.dim(a.ctx(), a.integer("dim"), x.rank());
            long n = x.shape().dim(d), chunks = a.integer("chunks");
            if (chunks <= 0) throw a.error("chunk expects `chunks` to be greater than 0, got: " + chunks);
            long each = Math.ceilDiv(n, chunks);
            List<Long> sizes = new ArrayList<>();
            for (long s = 0; s < n; s += each) sizes.add(Math.min(each, n - s));
            return pieces(a.ctx(), "chunk", x, d, sizes);
        });
        r.both("unbind(input, dim=0)", a -> {
            Tensor x = a.tensor("input");
            int d = Emit.dim(a.ctx(), a.integer("dim"), x.rank());
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < x.shape().dim(d); i++) out.add(Views.select(a.ctx(), "unbind", x, d, i));
            return new Py.Tuple(out);
        });
        r.both("flip(input, dims)", a -> {
            Tensor x = a.tensor("input");
            return Views.flip(a.ctx(), "flip", x, Reductions.dims(a.ctx(), a.get("dims"), x.rank()));
        });
        r.both("roll(input, shifts, dims=None)", a -> {
            Tensor x = a.tensor("input");
            long[] dims = a.isNone("dims") ? new long[0] : a.intList("dims");
            return Views.roll(a.ctx(), "roll", x, a.intList("shifts"), dims);
        });
        r.both("diag(input, diagonal=0)", a -> Views.diag(a.ctx(), "diag", a.tensor("input"), a.integer("diagonal")));
        r.both("diagonal(input, offset=0, dim1=0, dim2=1)", a -> Views.diagonal(a.ctx(), "diagonal", a.tensor("input"), a.integer("offset"), a.integer("dim1"), a.integer("dim2")));
        r.both("tril(input, diagonal=0)", a -> Views.triangle(a.ctx(), "tril", a.tensor("input"), a.integer("diagonal"), true));
        r.both("triu(input, diagonal=0)", a -> Views.triangle(a.ctx(), "triu", a.tensor("input"), a.integer("diagonal"), false));
        r.method("unfold(input, dimension, size, step)", a -> Views.unfold(a.ctx(), "unfold", a.tensor("input"), a.integer("dimension"), a.integer("size"), a.integer("step")));
        for (String name : new String[] {"cat", "concat", "concatenate"}) {
            r.fn("torch", name + "(tensors, dim=0, *, axis=None, out=None)", a -> Views.cat(a.ctx(), "cat", tensors(a, "tensors"), a.isNone("axis") ? a.integer("dim") : a.integer("axis")));
        }
        r.fn("torch", "stack(tensors, dim=0, *, out=None)", a -> Views.stack(a.ctx(), "stack", tensors(a, "tensors"), a.integer("dim")));
        r.fn("torch", "hstack(tensors)", a -> {
            List<Tensor> ts = tensors(a, "tensors");
            return Views.cat(a.ctx(), "hstack", ts, ts.get(0).rank() == 1 ? 0 : 1);
        });
        r.fn("torch", "vstack(tensors)", a -> Views.cat(a.ctx(), "vstack", tensors(a, "tensors"), 0));
        r.fn("torch", "meshgrid(tensors, *rest, indexing='ij')", a -> {
            List<Tensor> ts = new ArrayList<>();
            if (a.get("tensors") instanceof Tensor t) { ts.add(t); for (Object o : a.varargs()) ts.add((Tensor) o); }
            else ts = tensors(a, "tensors");
            String ix = a.str("indexing");
            long[] shape = new long[ts.size()];
            for (int i = 0; i < ts.size(); i++) shape[i] = ts.get(i).shape().numel();
            boolean xy = ix.equals("xy") && ts.size() >= 2;
            if (xy) { long s0 = shape[0]; shape[0] = shape[1]; shape[1] = s0; }
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < ts.size(); i++) {
                int at = xy && i < 2 ? 1 - i : i;
                List<kc.ir.graph.IndexExpr> e = List.of(kc.ir.graph.IndexExpr.dim(at));
                out.add(Emit.view(a.ctx(), "meshgrid", Views.reshape(a.ctx(), "meshgrid", ts.get(i), new long[] {ts.get(i).shape().numel()}), Shape.of(shape), e, null));
            }
            return new Py.Tuple(out);
        });
    }

    static Py.Tuple pieces(CallContext ctx, String op, Tensor x, int d, List<Long> sizes) {
        List<Object> out = new ArrayList<>();
        long start = 0;
        for (long s : sizes) { out.add(Views.slice(ctx, op, x, d, start, start + s, 1)); start += s; }
        return new Py.Tuple(out);
    }

    static List<Tensor> tensors(Args a, String name) {
        List<Object> items = Args.seq(a.get(name));
        if (items == null) throw a.error("expected a sequence of Tensors for '" + name + "', not " + Args.typeName(a.get(name)));
        List<Tensor> r = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Tensor t)) throw a.error("expected Tensor as element " + i + " in argument '" + name + "', but got " + Args.typeName(items.get(i)));
            r.add(t);
        }
        return r;
    }

    // ---------------------------------------------------------------- contractions

    static void contractions(Registry r) {
        r.both("matmul(input, other, *, out=None)", a -> Contractions.matmul(a.ctx(), "matmul", a.tensor("input"), a.tensor("other")));
        r.both("mm(input, mat2, *, out=None)", a -> Contractions.checked(a.ctx(), "mm", a.tensor("input"), a.tensor("mat2"), 2, 2));
        r.both("bmm(input, mat2, *, out=None)", a -> Contractions.checked(a.ctx(), "bmm", a.tensor("input"), a.tensor("mat2"), 3, 3));
        r.both("mv(input, vec, *, out=None)", a -> Contractions.checked(a.ctx(), "mv", a.tensor("input"), a.tensor("vec"), 2, 1));
        r.both("dot(input, other, *, out=None)", a -> Contractions.checked(a.ctx(), "dot", a.tensor("input"), a.tensor("other"), 1, 1));
        r.both("outer(input, vec2)", a -> Contractions.einsum(a.ctx(), "i,j->ij", List.of(a.tensor("input"), a.tensor("vec2"))));
        r.fn("torch", "einsum(equation, *operands)", a -> {
            List<Object> ops = a.varargs();
            if (ops.size() == 1 && Args.seq(ops.get(0)) != null) ops = Args.seq(ops.get(0));
            List<Tensor> ts = new ArrayList<>();
            for (Object o : ops) {
                if (!(o instanceof Tensor t)) throw a.error("einsum(): expected Tensor operands, got " + Args.typeName(o));
                ts.add(t);
            }
            return Contractions.einsum(a.ctx(), a.str("equation"), ts);
        });
        for (String name : new String[] {"addmm", "baddbmm", "addbmm"}) {
            r.both(name + "(input, mat1, mat2, *, beta=1, alpha=1, out=None)", a -> {
                Tensor p = name.equals("addmm") ? Contractions.checked(a.ctx(), "mm", a.tensor("mat1"), a.tensor("mat2"), 2, 2)
                        : Contractions.checked(a.ctx(), "bmm", a.tensor("mat1"), a.tensor("mat2"), 3, 3);
                if (name.equals("addbmm")) p = Reductions.sum(a.ctx(), p, new boolean[] {true, false, false}, false, null);
                Object beta = a.get("beta"), alpha = a.get("alpha");
                return Elementwise.apply(a.ctx(), name, SAME, List.of(a.tensor("input"), p, beta, alpha),
                        (xs, t) -> Emit.bin(BinaryOp.ADD, Emit.bin(BinaryOp.MUL, xs.get(2), xs.get(0)), Emit.bin(BinaryOp.MUL, xs.get(3), xs.get(1))));
            });
        }
    }

    // ---------------------------------------------------------------- factories

    static DType dtypeOr(Args a, DType d) { return a.dtype("dtype") != null ? a.dtype("dtype") : d; }

    static void factories(Registry r) {
        r.fn("torch", "zeros(size=None, *rest, " + FACTORY_KW + ")", a -> Factories.full(a.ctx(), "zeros", Factories.checkedShape(a.ctx(), a.sizeArgs("size")), 0, dtypeOr(a, DType.F32)));
        r.fn("torch", "ones(size=None, *rest, " + FACTORY_KW + ")", a -> Factories.full(a.ctx(), "ones", Factories.checkedShape(a.ctx(), a.sizeArgs("size")), 1, dtypeOr(a, DType.F32)));
        r.fn("torch", "full(size, fill_value, *, " + FACTORY_KW + ")", a -> {
            Object v = a.get("fill_value");
            if (v instanceof Tensor t) v = ConstEval.item(a.ctx(), t);
            return Factories.full(a.ctx(), "full", Factories.checkedShape(a.ctx(), a.intList("size")), Elementwise.scalarValue(v), dtypeOr(a, Factories.fillType(v)));
        });
        for (String name : new String[] {"empty", "rand", "randn"}) {
            r.fn("torch", name + "(size=None, *rest, " + FACTORY_KW + ")", a -> Factories.random(a.ctx(), name, Factories.checkedShape(a.ctx(), a.sizeArgs("size")), dtypeOr(a, DType.F32)));
        }
        r.fn("torch", "randint(low, high=None, size=None, *, " + FACTORY_KW + ")", a -> {
            Object size = a.isNone("size") ? a.get("high") : a.get("size");
            long[] s = Args.intSeq(size);
            if (s == null) throw a.error("randint() missing required argument 'size'");
            return Factories.random(a.ctx(), "randint", Factories.checkedShape(a.ctx(), s), dtypeOr(a, DType.I64));
        });
        r.fn("torch", "randperm(n, *, " + FACTORY_KW + ")", a -> Factories.random(a.ctx(), "randperm", Shape.of(a.integer("n")), dtypeOr(a, DType.I64)));
        r.fn("torch", "normal(mean=0.0, std=1.0, size=None, *, " + FACTORY_KW + ")", a -> {
            if (!a.isNone("size")) return Factories.random(a.ctx(), "normal", Shape.of(a.intList("size")), dtypeOr(a, DType.F32));
            Tensor like = a.get("mean") instanceof Tensor t ? t : a.tensor("std");
            return Factories.random(a.ctx(), "normal", like.shape(), like.dtype());
        });
        String likeKw = "dtype=None, layout=None, device=None, requires_grad=False, memory_format=None";
        r.fn("torch", "zeros_like(input, *, " + likeKw + ")", a -> Factories.full(a.ctx(), "zeros_like", a.tensor("input").shape(), 0, dtypeOr(a, a.tensor("input").dtype())));
        r.fn("torch", "ones_like(input, *, " + likeKw + ")", a -> Factories.full(a.ctx(), "ones_like", a.tensor("input").shape(), 1, dtypeOr(a, a.tensor("input").dtype())));
        r.fn("torch", "full_like(input, fill_value, *, " + likeKw + ")", a -> Factories.full(a.ctx(), "full_like", a.tensor("input").shape(), a.dbl("fill_value"), dtypeOr(a, a.tensor("input").dtype())));
        for (String name : new String[] {"empty_like", "rand_like", "randn_like"}) {
            r.fn("torch", name + "(input, *, " + likeKw + ")", a -> Factories.random(a.ctx(), name, a.tensor("input").shape(), dtypeOr(a, a.tensor("input").dtype())));
        }
        r.fn("torch", "randint_like(input, low=0, high=None, *, " + likeKw + ")", a -> Factories.random(a.ctx(), "randint_like", a.tensor("input").shape(), dtypeOr(a, a.tensor("input").dtype())));
        r.fn("torch", "arange(start, end=None, step=1, *, " + FACTORY_KW + ")", a -> {
            Object s = a.get("start"), e = a.get("end"), st = a.get("step");
            if (e == Py.NONE) { e = s; s = 0L; }
            for (Object o : new Object[] {s, e, st}) if (!Elementwise.isScalar(o)) throw a.error("arange(): expected numbers, got " + Args.typeName(o));
            boolean anyFloat = s instanceof Double || e instanceof Double || st instanceof Double;
            return Factories.arange(a.ctx(), Elementwise.scalarValue(s), Elementwise.scalarValue(e), Elementwise.scalarValue(st), anyFloat, a.dtype("dtype"));
        });
        r.fn("torch", "linspace(start, end, steps, *, " + FACTORY_KW + ")", a -> Factories.linspace(a.ctx(), a.dbl("start"), a.dbl("end"), a.integer("steps"), a.dtype("dtype")));
        r.fn("torch", "eye(n, m=None, *, " + FACTORY_KW + ")", a -> Factories.eye(a.ctx(), a.integer("n"), a.isNone("m") ? a.integer("n") : a.integer("m"), a.dtype("dtype")));
        for (String name : new String[] {"tensor", "as_tensor"}) {
            r.fn("torch", name + "(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False)", a -> Factories.tensorLiteral(a.ctx(), a.get("data"), a.dtype("dtype")));
        }
        String newKw = "dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False";
        r.method("new_zeros(input, size, *rest, " + newKw + ")", a -> Factories.full(a.ctx(), "zeros", Shape.of(a.sizeArgs("size")), 0, dtypeOr(a, a.tensor("input").dtype())));
        r.method("new_ones(input, size, *rest, " + newKw + ")", a -> Factories.full(a.ctx(), "ones", Shape.of(a.sizeArgs("size")), 1, dtypeOr(a, a.tensor("input").dtype())));
        r.method("new_full(input, size, fill_value, *, " + newKw + ")", a -> Factories.full(a.ctx(), "full", Shape.of(a.intList("size")), a.dbl("fill_value"), dtypeOr(a, a.tensor("input").dtype())));
        r.method("new_empty(input, size, *rest, " + newKw + ")", a -> Factories.random(a.ctx(), "empty", Shape.of(a.sizeArgs("size")), dtypeOr(a, a.tensor("input").dtype())));
        r.method("new_tensor(input, data, *, " + newKw + ")", a -> Factories.tensorLiteral(a.ctx(), a.get("data"), dtypeOr(a, a.tensor("input").dtype())));
    }

    // ---------------------------------------------------------------- tensor-only methods

    static void tensorOnly(Registry r) {
        r.method("size(input, dim=None)", a -> {
            Tensor x = a.tensor("input");
            if (a.isNone("dim")) return shapeTuple(x);
            return x.shape().dim(Emit.dim(a.ctx(), a.integer("dim"), x.rank()));
        });
        r.method("dim(input)", a -> (long) a.tensor("input").rank());
        r.method("ndimension(input)", a -> (long) a.tensor("input").rank());
        r.both("numel(input)", a -> a.tensor("input").shape().numel());
        r.method("nelement(input)", a -> a.tensor("input").shape().numel());
        r.method("element_size(input)", a -> (long) a.tensor("input").dtype().bytes);
        r.method("item(input)", a -> ConstEval.item(a.ctx(), a.tensor("input")));
        r.method("tolist(input)", a -> tolist(a.ctx(), a.tensor("input")));
        r.method("is_contiguous(input, memory_format=None)", a -> Boolean.TRUE);
        r.method("is_floating_point(input)", a -> a.tensor("input").dtype().isFloat());
        r.fn("torch", "is_floating_point(input)", a -> a.tensor("input").dtype().isFloat());
        r.fn("torch", "is_tensor(obj)", a -> a.get("obj") instanceof Tensor);
        r.method("to(input, *args, **kwargs)", a -> {
            Tensor x = a.tensor("input");
            DType d = null;
            List<Object> all = new ArrayList<>(a.varargs());
            all.addAll(a.varkw().values());
            for (Object o : all) {
                if (o instanceof Tensor t) d = t.dtype();
                else if (o != Py.NONE && !(o instanceof String) && !(o instanceof Boolean)) {
                    DType dt = Args.asDType(a.ctx(), o);
                    if (dt != null) d = dt;
                }
            }
            return d == null ? x : Elementwise.cast(a.ctx(), x, d);
        });
        r.method("type(input, dtype=None, non_blocking=False)", a -> {
            if (a.isNone("dtype")) return "torch." + (a.tensor("input").dtype() == DType.F32 ? "FloatTensor" : a.tensor("input").dtype().torchName());
            return Elementwise.cast(a.ctx(), a.tensor("input"), a.dtype("dtype"));
        });
        r.method("type_as(input, other)", a -> Elementwise.cast(a.ctx(), a.tensor("input"), a.tensor("other").dtype()));
        for (Object[] c : new Object[][] {{"float", DType.F32}, {"double", DType.F64}, {"half", DType.F16}, {"bfloat16", DType.BF16},
                {"long", DType.I64}, {"int", DType.I32}, {"bool", DType.BOOL}}) {
            DType d = (DType) c[1];
            r.method(c[0] + "(input, memory_format=None)", a -> Elementwise.cast(a.ctx(), a.tensor("input"), d));
        }
        for (String name : new String[] {"cuda", "cpu", "requires_grad_", "pin_memory", "share_memory_"}) {
            r.method(name + "(input, *args, **kwargs)", a -> a.tensor("input"));
        }
        r.method("fill_(input, value)", a -> {
            Tensor x = a.tensor("input");
            x.rebind(Factories.full(a.ctx(), "fill_", x.shape(), a.dbl("value"), x.dtype()).value());
            return x;
        });
        r.method("zero_(input)", a -> {
            Tensor x = a.tensor("input");
            x.rebind(Factories.full(a.ctx(), "zero_", x.shape(), 0, x.dtype()).value());
            return x;
        });
        r.method("copy_(input, src, non_blocking=False)", a -> {
            Tensor x = a.tensor("input"), s = a.tensor("src");
            x.rebind(Elementwise.cast(a.ctx(), Views.expand(a.ctx(), "copy_", s, x.shape().toArray()), x.dtype()).value());
            return x;
        });
        for (String name : new String[] {"normal_", "uniform_", "random_", "bernoulli_", "exponential_", "geometric_", "log_normal_", "cauchy_"}) {
            r.method(name + "(input, *args, **kwargs)", a -> {
                Tensor x = a.tensor("input");
                x.rebind(Factories.random(a.ctx(), name, x.shape(), x.dtype()).value());
                return x;
            });
        }
    }

    static Py.Tuple shapeTuple(Tensor x) {
        List<Object> dims = new ArrayList<>();
        for (long d : x.shape().toArray()) dims.add(d);
        return new Py.Tuple(dims);
    }

    static Object tolist(CallContext ctx, Tensor x) {
        var h = ConstEval.evaluate(ctx, x, "tolist()");
        return tolistRec(x, h.data(), 0, 0);
    }

    private static Object tolistRec(Tensor x, double[] data, int dim, int offset) {
        if (dim == x.rank()) {
            double v = data[offset];
            return x.dtype() == DType.BOOL ? (Object) (v != 0) : x.dtype().isFloat() ? (Object) v : (Object) (long) v;
        }
        long stride = x.shape().strides()[dim];
        List<Object> items = new ArrayList<>();
        for (long i = 0; i < x.shape().dim(dim); i++) items.add(tolistRec(x, data, dim + 1, (int) (offset + i * stride)));
        return new Py.PyList(items);
    }
}
