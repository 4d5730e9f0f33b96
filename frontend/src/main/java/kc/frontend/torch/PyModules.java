package kc.frontend.torch;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import kc.frontend.eval.Py;
import kc.ir.graph.DType;
import kc.ir.graph.Shape;

/** Non-tensor modules and torch's constants: math, a sliver of numpy, einops, torch.nn.Parameter, torch.nn.init, dtypes. */
final class PyModules {
    private PyModules() {}

    static void register(Registry r) {
        constants(r);
        math(r, "math");
        math(r, "numpy");
        r.fn("einops", "rearrange(tensor, pattern, **axes_lengths)", a -> {
            Object t = a.get("tensor");
            if (Args.seq(t) != null) t = Views.stack(a.ctx(), "rearrange", TensorOps.tensors(a, "tensor"), 0);
            if (!(t instanceof Tensor x)) throw a.error("rearrange: expected a tensor");
            return Einops.rearrange(a.ctx(), x, a.str("pattern"), a.varkw());
        });
        r.fn("einops", "repeat(tensor, pattern, **axes_lengths)", a -> {
            if (!(a.get("tensor") instanceof Tensor x)) throw a.error("repeat: expected a tensor");
            return Einops.transform(a.ctx(), Einops.Kind.REPEAT, x, a.str("pattern"), null, a.varkw());
        });
        r.fn("einops", "reduce(tensor, pattern, reduction, **axes_lengths)", a -> {
            if (!(a.get("tensor") instanceof Tensor x)) throw a.error("reduce: expected a tensor");
            if (!(a.get("reduction") instanceof String red)) throw a.error("reduce: kc supports the named reductions (sum, mean, max, min, prod), not a function");
            return Einops.transform(a.ctx(), Einops.Kind.REDUCE, x, a.str("pattern"), red, a.varkw());
        });
        r.fn("einops", "pack(tensors, pattern)", a -> {
            List<Object> ts = Args.seq(a.get("tensors"));
            if (ts == null) throw a.error("pack: expected a list or tuple of tensors");
            return Einops.pack(a.ctx(), TensorOps.tensors(a, "tensors"), a.str("pattern"));
        });
        r.fn("einops", "unpack(tensor, packed_shapes, pattern)", a -> {
            List<Object> shapes = Args.seq(a.get("packed_shapes"));
            if (shapes == null) throw a.error("unpack: packed_shapes must be a list of shapes");
            return Einops.unpack(a.ctx(), a.tensor("tensor"), shapes, a.str("pattern"));
        });
        r.fn("einops", "einsum(*tensors_and_pattern)", a -> {
            List<Object> all = a.varargs();
            if (all.size() <= 1)
                throw a.error("`einops.einsum` takes at minimum two arguments: the tensors (at least one), followed by the pattern.");
            if (!(all.get(all.size() - 1) instanceof String pattern))
                throw a.error("The last argument passed to `einops.einsum` must be a string, representing the einsum pattern.");
            List<Tensor> ts = new java.util.ArrayList<>();
            for (Object o : all.subList(0, all.size() - 1)) {
                if (!(o instanceof Tensor t)) throw a.error("einsum: expected tensors before the pattern, got " + Args.typeName(o));
                ts.add(t);
            }
            return Einops.einsum(a.ctx(), ts, pattern);
        });
        r.fn("torch.nn", "Parameter(data=None, requires_grad=True)", a -> {
            Tensor t = a.isNone("data") ? Factories.full(a.ctx(), "empty", Shape.of(0), 0, DType.F32) : a.tensor("data");
            return new Tensor(t.value(), true);
        });
        r.fn("torch.nn.parameter", "Parameter(data=None, requires_grad=True)", a -> new Tensor(a.tensor("data").value(), true));
        init(r);
        // The truth of a one-element tensor when it is known at compile time, else None (the prelude's hints, as
        // TransformerEncoder's causal-mask detection, must not fail on a mask given as an input).
        r.fn("torch", "_kc_known_truth(input)", a -> {
            try {
                return TorchLibraryImpl.truth(a.ctx(), a.tensor("input"));
            } catch (kc.frontend.CompileError e) {
                return Py.NONE;
            }
        });
        r.fn("torch", "_kc_tensor_method(name, fn)", a -> {
            r.pyMethods.put(a.str("name"), a.get("fn"));
            return Py.NONE;
        });
    }

    private static void constants(Registry r) {
        Object[][] dtypes = {{"float32", DType.F32}, {"float", DType.F32}, {"float64", DType.F64}, {"double", DType.F64},
                {"float16", DType.F16}, {"half", DType.F16}, {"bfloat16", DType.BF16}, {"int64", DType.I64}, {"long", DType.I64},
                {"int32", DType.I32}, {"int", DType.I32}, {"bool", DType.BOOL}};
        for (Object[] d : dtypes) r.constant("torch", (String) d[0], d[1]);
        r.constant("torch", "inf", Double.POSITIVE_INFINITY);
        r.constant("torch", "nan", Double.NaN);
        r.constant("torch", "pi", Math.PI);
        r.constant("torch", "e", Math.E);
        r.fn("torch", "device(type, index=None)", a -> a.get("type") instanceof String s ? s : a.ctx().repr(a.get("type")));
        r.fn("torch", "Size(sizes=())", a -> new Py.Tuple(List.copyOf(Args.seq(a.get("sizes")))));
        r.fn("torch", "manual_seed(seed)", a -> Py.NONE);
        r.fn("torch", "get_default_dtype()", a -> DType.F32);
        r.fn("torch", "set_grad_enabled(mode)", a -> Py.NONE);
        r.fn("torch", "is_grad_enabled()", a -> Boolean.FALSE);
        r.fn("torch.cuda", "is_available()", a -> Boolean.TRUE);
        r.fn("torch.cuda", "manual_seed(seed)", a -> Py.NONE);
        r.fn("torch.cuda", "synchronize(device=None)", a -> Py.NONE);
        r.fn("torch.cuda", "current_device()", a -> 0L);
        r.fn("torch.cuda", "device_count()", a -> 1L);
    }

    private static void math(Registry r, String m) {
        r.constant(m, "pi", Math.PI);
        r.constant(m, "e", Math.E);
        r.constant(m, "inf", Double.POSITIVE_INFINITY);
        r.constant(m, "nan", Double.NaN);
        r.constant(m, "tau", 2 * Math.PI);
        Object[][] fns = {{"sqrt", (DoubleUnaryOperator) Math::sqrt}, {"exp", (DoubleUnaryOperator) Math::exp},
                {"log2", (DoubleUnaryOperator) v -> Math.log(v) / Math.log(2)}, {"log10", (DoubleUnaryOperator) Math::log10},
                {"log1p", (DoubleUnaryOperator) Math::log1p}, {"expm1", (DoubleUnaryOperator) Math::expm1},
                {"sin", (DoubleUnaryOperator) Math::sin}, {"cos", (DoubleUnaryOperator) Math::cos}, {"tan", (DoubleUnaryOperator) Math::tan},
                {"tanh", (DoubleUnaryOperator) Math::tanh}, {"atan", (DoubleUnaryOperator) Math::atan}, {"asin", (DoubleUnaryOperator) Math::asin},
                {"acos", (DoubleUnaryOperator) Math::acos}, {"fabs", (DoubleUnaryOperator) Math::abs}, {"erf", (DoubleUnaryOperator) PyModules::erf},
                {"degrees", (DoubleUnaryOperator) Math::toDegrees}, {"radians", (DoubleUnaryOperator) Math::toRadians}};
        for (Object[] f : fns) {
            DoubleUnaryOperator op = (DoubleUnaryOperator) f[1];
            String name = (String) f[0];
            r.fn(m, name + "(x)", a -> {
                double x = a.dbl("x");
                if (name.equals("sqrt") && x < 0 && m.equals("math")) throw a.error("math domain error");
                return op.applyAsDouble(x);
            });
        }
        r.fn(m, "log(x, base=None)", a -> {
            double x = a.dbl("x");
            if (x <= 0 && m.equals("math")) throw a.error("math domain error");
            return a.isNone("base") ? Math.log(x) : Math.log(x) / Math.log(a.dbl("base"));
        });
        r.fn(m, "pow(x, y)", a -> Math.pow(a.dbl("x"), a.dbl("y")));
        r.fn(m, "atan2(y, x)", a -> Math.atan2(a.dbl("y"), a.dbl("x")));
        if (m.equals("math")) {
            r.fn(m, "floor(x)", a -> a.get("x") instanceof Long l ? l : (long) Math.floor(a.dbl("x")));
            r.fn(m, "ceil(x)", a -> a.get("x") instanceof Long l ? l : (long) Math.ceil(a.dbl("x")));
            r.fn(m, "trunc(x)", a -> (long) a.dbl("x"));
            r.fn(m, "isinf(x)", a -> Double.isInfinite(a.dbl("x")));
            r.fn(m, "isnan(x)", a -> Double.isNaN(a.dbl("x")));
            r.fn(m, "isfinite(x)", a -> Double.isFinite(a.dbl("x")));
            r.fn(m, "gcd(a, b)", a -> java.math.BigInteger.valueOf(a.integer("a")).gcd(java.math.BigInteger.valueOf(a.integer("b"))).longValue());
            r.fn(m, "factorial(x)", a -> { long f = 1; for (long i = 2; i <= a.integer("x"); i++) f *= i; return f; });
            r.fn(m, "prod(iterable, *, start=1)", a -> {
                List<Object> items = Args.seq(a.get("iterable"));
                if (items == null) throw a.error("math.prod(): expected a tuple or list");
                boolean allInt = a.get("start") instanceof Long;
                for (Object o : items) allInt &= o instanceof Long || o instanceof Boolean;
                if (allInt) { long p = a.integer("start"); for (Object o : items) p *= Args.asInt(o); return p; }
                double p = a.dbl("start");
                for (Object o : items) p *= Elementwise.scalarValue(o);
                return p;
            });
            r.fn(m, "isclose(a, b, *, rel_tol=1e-09, abs_tol=0.0)", a -> {
                double x = a.dbl("a"), y = a.dbl("b");
                return Math.abs(x - y) <= Math.max(a.dbl("rel_tol") * Math.max(Math.abs(x), Math.abs(y)), a.dbl("abs_tol"));
            });
        } else {
            r.fn(m, "floor(x)", a -> Math.floor(a.dbl("x")));
            r.fn(m, "ceil(x)", a -> Math.ceil(a.dbl("x")));
            r.constant(m, "float32", DType.F32);
            r.constant(m, "float64", DType.F64);
            r.constant(m, "int64", DType.I64);
        }
    }

    /** erf to double precision (Abramowitz-Stegun 7.1.26 is too coarse; use the complementary series). */
    static double erf(double x) {
        // W. J. Cody's rational approximations would be longer; a high-order series/continued fraction suffices here.
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // continued fraction for erfc
            double f = 0;
            for (int n = 60; n >= 1; n--) f = n / 2.0 / (ax + f);
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }

    private static void init(Registry r) {
        String I = "torch.nn.init";
        r.fn(I, "zeros_(tensor)", a -> fill(a, 0));
        r.fn(I, "ones_(tensor)", a -> fill(a, 1));
        r.fn(I, "constant_(tensor, val)", a -> fill(a, a.dbl("val")));
        r.fn(I, "eye_(tensor)", a -> {
            Tensor t = a.tensor("tensor");
            t.rebind(Factories.eye(a.ctx(), t.shape().dim(0), t.shape().dim(1), t.dtype()).value());
            return t;
        });
        for (String name : new String[] {"normal_", "uniform_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
                "trunc_normal_", "orthogonal_", "sparse_", "dirac_"}) {
            r.fn(I, name + "(tensor, *args, **kwargs)", a -> {
                Tensor t = a.tensor("tensor");
                t.rebind(Factories.random(a.ctx(), name, t.shape(), t.dtype()).value());
                return t;
            });
        }
        r.fn(I, "calculate_gain(nonlinearity, param=None)", a -> switch (a.str("nonlinearity")) {
            case "relu" -> Math.sqrt(2);
            case "tanh" -> 5.0 / 3;
            case "selu" -> 3.0 / 4;
            case "leaky_relu" -> { double s = a.isNone("param") ? 0.01 : a.dbl("param"); yield Math.sqrt(2 / (1 + s * s)); }
            default -> 1.0;
        });
        r.fn(I, "_calculate_fan_in_and_fan_out(tensor)", a -> {
            Tensor t = a.tensor("tensor");
            if (t.rank() < 2) throw a.error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
            long field = 1;
            for (int i = 2; i < t.rank(); i++) field *= t.shape().dim(i);
            return Py.Tuple.of(t.shape().dim(1) * field, t.shape().dim(0) * field);
        });
    }

    private static Object fill(Args a, double v) {
        Tensor t = a.tensor("tensor");
        t.rebind(Factories.full(a.ctx(), "init", t.shape(), v, t.dtype()).value());
        return t;
    }
}
