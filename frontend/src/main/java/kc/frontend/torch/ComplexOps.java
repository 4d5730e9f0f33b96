package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.CompileError;
import kc.frontend.ast.Expr;
import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;
import kc.ir.graph.DType;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;

import static kc.frontend.torch.Elementwise.Kind.FLOAT;
import static kc.frontend.torch.Elementwise.Kind.SAME;

/**
 * Complex tensors, lowered in the frontend to pairs of real tensors ({@link ComplexTensor}): torch.polar,
 * torch.complex and view_as_complex make them, view_as_real, .real, .imag, abs and angle turn them back into real
 * tensors, and arithmetic and conj compute each part with real elementwise ops. Ops that move elements without
 * mixing them (views, reshapes, slices, cat) and the linear reductions run their real implementation on each part.
 *
 * <p>Every native function meets a complex argument in one place, {@link Registry}'s dispatch, which looks the
 * function's name up in the table {@link #register} fills; a name not there is an error at the user's line. To
 * support another op on complex tensors, add its name to {@link #PER_PART} or give it an entry of its own.
 */
final class ComplexOps {
    private ComplexOps() {}

    /** A function or method on complex arguments; {@code real} is the op's implementation for real tensors. */
    @FunctionalInterface
    interface Impl { Object apply(Args a, Registry.Impl real); }

    private static final String SUPPORTED = "torch.polar, torch.complex, view_as_complex, view_as_real, .real, .imag, "
            + "abs, angle, conj, + - * /, sum, mean, .to, .type_as and view and shape ops";

    /** The error for what kc does not model on complex values: {@code what} says what, e.g. "exp() with complex values". */
    static CompileError unsupported(CallContext ctx, String what) {
        return ctx.error("unsupported: " + what + " (kc lowers a complex tensor to a pair of real tensors and supports " + SUPPORTED + ")");
    }

    /**
     * Ops whose real implementation, run on the real part and on the imaginary part alike, gives the parts of
     * the complex result: the complex values must all be in the first argument (the tensor, or cat's sequence).
     */
    static final List<String> PER_PART = List.of("view", "reshape", "permute", "transpose", "swapaxes", "swapdims", "t",
            "unsqueeze", "squeeze", "flatten", "ravel", "unflatten", "expand", "broadcast_to", "repeat", "tile", "contiguous",
            "clone", "detach", "narrow", "select", "split", "chunk", "unbind", "flip", "roll", "index_select", "gather",
            "diag", "diagonal", "tril", "triu", "unfold", "cat", "concat", "concatenate", "stack", "hstack", "vstack",
            "cuda", "cpu", "rearrange", "sum", "mean");

    /** Queries of the shape alone, which the parts share: answered by the real part. */
    static final List<String> SHAPE_QUERIES = List.of("size", "dim", "ndimension", "numel", "nelement", "is_contiguous");

    static void register(Registry r) {
        // Making complex tensors, and the real-tensor forms of the functions that take them apart.
        r.fn("torch", "polar(abs, angle, *, out=None)", a -> {
            Tensor abs = a.tensor("abs"), angle = a.tensor("angle");
            sameFloatParts(a, abs, angle);
            return ComplexTensor.of(a.ctx(),
                    Elementwise.apply(a.ctx(), "polar", SAME, List.of(abs, angle), (p, t) -> Emit.bin(BinaryOp.MUL, p.get(0), Emit.un(UnaryOp.COS, p.get(1)))),
                    Elementwise.apply(a.ctx(), "polar", SAME, List.of(abs, angle), (p, t) -> Emit.bin(BinaryOp.MUL, p.get(0), Emit.un(UnaryOp.SIN, p.get(1)))));
        });
        r.fn("torch", "complex(real, imag, *, out=None)", a -> {
            Tensor re = a.tensor("real"), im = a.tensor("imag");
            sameFloatParts(a, re, im);
            return ComplexTensor.of(a.ctx(), re, im);
        });
        r.fn("torch", "view_as_complex(input)", a -> {
            Tensor x = a.tensor("input");
            if (!x.dtype().isFloat())
                throw a.error("view_as_complex is only supported for half, float and double tensors, but got a tensor of scalar type: " + x.dtype().torchName());
            if (x.rank() == 0) throw a.error("Input tensor must have one or more dimensions");
            if (x.shape().dim(x.rank() - 1) != 2) throw a.error("Tensor must have a last dimension of size 2");
            return ComplexTensor.of(a.ctx(), Views.select(a.ctx(), "view_as_complex", x, -1, 0), Views.select(a.ctx(), "view_as_complex", x, -1, 1));
        });
        r.fn("torch", "view_as_real(input)", a -> { throw a.error("view_as_real is only supported for complex tensors"); });
        r.fn("torch", "real(input)", a -> a.tensor("input"));
        r.fn("torch", "imag(input)", a -> { throw a.error("imag is not implemented for tensors with non-complex dtypes."); });
        r.both("conj(input)", a -> a.tensor("input"));
        r.both("conj_physical(input)", a -> a.tensor("input"));
        r.both("resolve_conj(input)", a -> a.tensor("input"));
        r.both("resolve_neg(input)", a -> a.tensor("input"));
        r.both("is_complex(input)", a -> { a.tensor("input"); return Boolean.FALSE; });
        // angle of a real number: pi below zero, else 0 (NaN stays NaN)
        r.both("angle(input, *, out=None)", a -> Elementwise.apply(a.ctx(), "angle", FLOAT, List.of(a.tensor("input")), (p, t) ->
                Emit.sel(Emit.bin(BinaryOp.NE, p.get(0), p.get(0)), p.get(0),
                        Emit.sel(Emit.bin(BinaryOp.LT, p.get(0), Emit.c(0, t)), Emit.c(Math.PI, t), Emit.c(0, t)))));
        for (var d : ComplexDType.values()) r.constant("torch", d.name().toLowerCase(), d);
        r.constant("torch", "cfloat", ComplexDType.COMPLEX64);
        r.constant("torch", "cdouble", ComplexDType.COMPLEX128);

        // What the functions and methods do with complex arguments.
        for (String name : PER_PART) r.complexImpls.put(name, ComplexOps::perPart);
        for (String name : SHAPE_QUERIES) r.complexImpls.put(name, (a, real) -> real.apply(a.with(a.first(), self(a).real())));
        put(r, a -> view_as_real(a.ctx(), self(a)), "view_as_real");
        put(r, a -> self(a).real(), "real");
        put(r, a -> self(a).imag(), "imag");
        put(r, a -> abs(a.ctx(), self(a)), "abs", "absolute");
        put(r, a -> angle(a.ctx(), self(a)), "angle");
        put(r, a -> conj(a.ctx(), self(a)), "conj", "conj_physical");
        put(r, a -> self(a), "resolve_conj", "resolve_neg");
        put(r, a -> neg(a.ctx(), self(a)), "neg", "negative");
        put(r, a -> { self(a); return Boolean.TRUE; }, "is_complex");
        put(r, a -> { self(a); return Boolean.FALSE; }, "is_floating_point");
        put(r, a -> (long) (2 * self(a).real().dtype().bytes), "element_size");
        for (String name : List.of("add", "sub", "subtract")) {
            put(r, a -> {
                Object x = operand(a, "input"), other = operand(a, "other"), alpha = a.get("alpha");
                if (!(Elementwise.isScalar(alpha) && Elementwise.scalarValue(alpha) == 1))
                    other = other instanceof ComplexTensor w ? mul(a.ctx(), w, alpha) : Elementwise.mul(a.ctx(), other, alpha);
                return addSub(a.ctx(), x, other, !name.equals("add"));
            }, name);
        }
        put(r, a -> mul(a.ctx(), operand(a, "input"), operand(a, "other")), "mul", "multiply");
        put(r, a -> {
            if (a.get("rounding_mode") != null && !a.isNone("rounding_mode")) throw unsupported(a.ctx(), "div() of complex values with a rounding_mode");
            return div(a.ctx(), operand(a, "input"), operand(a, "other"));
        }, "div", "divide", "true_divide");
        put(r, a -> convert(a.ctx(), a.get("input"), dtypeIn(a)), "to");
        put(r, a -> {
            if (!(a.get("other") instanceof TensorLike other)) throw a.error("type_as(): argument 'other' must be Tensor, not " + Args.typeName(a.get("other")));
            return convert(a.ctx(), a.get("input"), dtypeOf(other));
        }, "type_as");
        put(r, a -> a.get("obj") instanceof ComplexTensor, "is_tensor");
    }

    private static void put(Registry r, Registry.Impl impl, String... names) {
        for (String name : names) r.complexImpls.put(name, (a, real) -> impl.apply(a));
    }

    /** The complex tensor an op applies to: its first argument, the only complex one. */
    private static ComplexTensor self(Args a) {
        if (!(a.get(a.first()) instanceof ComplexTensor z) || !a.complexOnlyIn(a.first()))
            throw unsupported(a.ctx(), a.fn() + "() with a complex value beyond its first argument");
        return z;
    }

    /** An operand of complex arithmetic: a tensor, real or complex, or a Python number; an out= is not modelled. */
    private static Object operand(Args a, String name) {
        Object v = a.get(name);
        if (a.get("out") != null && !a.isNone("out")) throw unsupported(a.ctx(), a.fn() + "(out=...) with complex values");
        if (v instanceof TensorLike || Elementwise.isScalar(v)) return v;
        throw a.error(a.ctx().repr(v) + " is not a Tensor or a number (argument '" + name + "')");
    }

    /** polar's and complex's rule: two float tensors of one dtype (PyTorch does not promote them). */
    private static void sameFloatParts(Args a, Tensor x, Tensor y) {
        if (x.dtype() != y.dtype())
            throw a.error("Expected object of scalar type " + x.dtype().torchName() + " but got scalar type " + y.dtype().torchName() + " for second argument");
        if (!x.dtype().isFloat())
            throw a.error(a.fn() + "(): expected float or double tensors, got " + x.dtype().torchName());
    }

    // ---------------------------------------------------------------- per part

    private static Object perPart(Args a, Registry.Impl real) {
        String self = a.first();
        if (!a.complexOnlyIn(self)) throw unsupported(a.ctx(), a.fn() + "() with a complex value beyond its first argument");
        Object re = real.apply(a.with(self, part(a.ctx(), a.get(self), true)));
        Object im = real.apply(a.with(self, part(a.ctx(), a.get(self), false)));
        return zip(a.ctx(), re, im);
    }

    /** The real or imaginary part of a complex value, or of each of a sequence's (a real tensor's is zero there). */
    private static Object part(CallContext ctx, Object v, boolean real) {
        if (v instanceof ComplexTensor z) return real ? z.real() : z.imag();
        List<Object> items = Args.seq(v);
        if (items == null) return v;
        List<Object> parts = new ArrayList<>();
        for (Object o : items) {
            if (o instanceof ComplexTensor z) parts.add(real ? z.real() : z.imag());
            else if (o instanceof Tensor t && !real) parts.add(Factories.full(ctx, "complex", t.shape(), 0, t.dtype()));
            else parts.add(o);
        }
        return v instanceof Py.Tuple ? new Py.Tuple(parts) : new Py.PyList(parts);
    }

    /** Pairs the per-part results: a tensor each, or sequences of them (split, chunk, unbind). */
    private static Object zip(CallContext ctx, Object re, Object im) {
        if (re instanceof Tensor r && im instanceof Tensor i) return ComplexTensor.of(ctx, r, i);
        List<Object> rs = Args.seq(re), is = Args.seq(im);
        if (rs == null || is == null || rs.size() != is.size())
            throw new IllegalStateException("per-part results do not pair up: " + re + " and " + im);
        List<Object> out = new ArrayList<>();
        for (int k = 0; k < rs.size(); k++) out.add(zip(ctx, rs.get(k), is.get(k)));
        return re instanceof Py.Tuple ? new Py.Tuple(out) : new Py.PyList(out);
    }

    // ---------------------------------------------------------------- the tensor protocol

    /** z.NAME for attributes; null when NAME is not one (methods come from the registry, as a real tensor's do). */
    static Object attribute(CallContext ctx, ComplexTensor z, String name) {
        return switch (name) {
            case "real" -> z.real();
            case "imag" -> z.imag();
            case "dtype" -> z.dtype();
            case "data" -> z;
            case "T", "mT" -> z.map(t -> (Tensor) TorchLibraryImpl.attribute(ctx, t, name));
            case "shape", "ndim", "device", "is_cuda", "requires_grad", "grad", "is_leaf" -> TorchLibraryImpl.attribute(ctx, z.real(), name);
            default -> null;
        };
    }

    /** left op right where one side is complex and the other a tensor or a Python number. */
    static ComplexTensor operator(CallContext ctx, Expr.BinOpKind op, String symbol, Object left, Object right) {
        return switch (op) {
            case ADD -> addSub(ctx, left, right, false);
            case SUB -> addSub(ctx, left, right, true);
            case MUL -> mul(ctx, left, right);
            case DIV -> div(ctx, left, right);
            default -> throw unsupported(ctx, "the " + symbol + " operator with complex values");
        };
    }

    static ComplexTensor unary(CallContext ctx, Expr.UnaryOpKind op, ComplexTensor z) {
        return switch (op) {
            case NEG -> neg(ctx, z);
            case POS -> z;
            case INVERT, NOT -> throw unsupported(ctx, "the " + (op == Expr.UnaryOpKind.NOT ? "not" : "~") + " operator on a complex tensor");
        };
    }

    static ComplexTensor getItem(CallContext ctx, ComplexTensor z, Object index) {
        if (Args.isComplex(index)) throw unsupported(ctx, "indexing with a complex tensor");
        return z.map(t -> Indexing.getItem(ctx, t, index));
    }

    static List<Object> iterate(CallContext ctx, ComplexTensor z) {
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < z.shape().dim(0); i++) {
            long at = i;
            out.add(z.map(t -> Views.select(ctx, "unbind", t, 0, at)));
        }
        return out;
    }

    // ---------------------------------------------------------------- arithmetic on the parts

    private static Object realOf(Object v) { return v instanceof ComplexTensor z ? z.real() : v; }

    /** x ± y: the real parts combine; a real operand adds nothing to the imaginary part. */
    private static ComplexTensor addSub(CallContext ctx, Object x, Object y, boolean subtract) {
        String name = subtract ? "sub" : "add";
        BinaryOp op = subtract ? BinaryOp.SUB : BinaryOp.ADD;
        Tensor re = Elementwise.binary(ctx, name, SAME, realOf(x), realOf(y), op);
        Tensor im;
        if (x instanceof ComplexTensor z && y instanceof ComplexTensor w) im = Elementwise.binary(ctx, name, SAME, z.imag(), w.imag(), op);
        else if (x instanceof ComplexTensor z) im = z.imag();
        else im = subtract ? Elementwise.unary(ctx, "neg", SAME, ((ComplexTensor) y).imag(), UnaryOp.NEG) : ((ComplexTensor) y).imag();
        return ComplexTensor.of(ctx, re, im);
    }

    /** (a + bi)(c + di) = (ac − bd) + (ad + bc)i, each part one elementwise op; a real factor scales both parts. */
    private static ComplexTensor mul(CallContext ctx, Object x, Object y) {
        if (x instanceof ComplexTensor z && y instanceof ComplexTensor w) {
            List<Object> p = List.of(z.real(), z.imag(), w.real(), w.imag());
            Tensor re = Elementwise.apply(ctx, "complex_mul", SAME, p, (s, t) ->
                    Emit.bin(BinaryOp.SUB, Emit.bin(BinaryOp.MUL, s.get(0), s.get(2)), Emit.bin(BinaryOp.MUL, s.get(1), s.get(3))));
            Tensor im = Elementwise.apply(ctx, "complex_mul", SAME, p, (s, t) ->
                    Emit.bin(BinaryOp.ADD, Emit.bin(BinaryOp.MUL, s.get(0), s.get(3)), Emit.bin(BinaryOp.MUL, s.get(1), s.get(2))));
            return ComplexTensor.of(ctx, re, im);
        }
        ComplexTensor z = x instanceof ComplexTensor c ? c : (ComplexTensor) y;
        Object factor = z == x ? y : x;
        return ComplexTensor.of(ctx, Elementwise.mul(ctx, z.real(), factor), Elementwise.mul(ctx, z.imag(), factor));
    }

    /**
     * x / w = x·conj(w) / |w|², the textbook formula (PyTorch also scales by the larger part, which matters only
     * for magnitudes near the ends of the float range); a real divisor divides both parts.
     */
    private static ComplexTensor div(CallContext ctx, Object x, Object y) {
        if (!(y instanceof ComplexTensor w)) {
            ComplexTensor z = (ComplexTensor) x;
            return ComplexTensor.of(ctx, Elementwise.div(ctx, z.real(), y), Elementwise.div(ctx, z.imag(), y));
        }
        Tensor norm = Elementwise.apply(ctx, "complex_div", SAME, List.of(w.real(), w.imag()), (s, t) ->
                Emit.bin(BinaryOp.ADD, Emit.bin(BinaryOp.MUL, s.get(0), s.get(0)), Emit.bin(BinaryOp.MUL, s.get(1), s.get(1))));
        ComplexTensor num = mul(ctx, x, conj(ctx, w));
        return ComplexTensor.of(ctx, Elementwise.div(ctx, num.real(), norm), Elementwise.div(ctx, num.imag(), norm));
    }

    private static ComplexTensor neg(CallContext ctx, ComplexTensor z) {
        return z.map(t -> Elementwise.unary(ctx, "neg", SAME, t, UnaryOp.NEG));
    }

    private static ComplexTensor conj(CallContext ctx, ComplexTensor z) {
        return new ComplexTensor(z.real(), Elementwise.unary(ctx, "conj", SAME, z.imag(), UnaryOp.NEG));
    }

    /** |z| = sqrt(re² + im²) (PyTorch's hypot differs only where re² overflows). */
    private static Tensor abs(CallContext ctx, ComplexTensor z) {
        return Elementwise.apply(ctx, "abs", FLOAT, List.of(z.real(), z.imag()), (s, t) -> Emit.un(UnaryOp.SQRT,
                Emit.bin(BinaryOp.ADD, Emit.bin(BinaryOp.MUL, s.get(0), s.get(0)), Emit.bin(BinaryOp.MUL, s.get(1), s.get(1)))));
    }

    private static Tensor angle(CallContext ctx, ComplexTensor z) {
        return Elementwise.apply(ctx, "angle", FLOAT, List.of(z.imag(), z.real()), (s, t) -> Emit.bin(BinaryOp.ATAN2, s.get(0), s.get(1)));
    }

    /** A last dim of 2 holding the real and the imaginary part, as PyTorch's view lays them out. */
    private static Tensor view_as_real(CallContext ctx, ComplexTensor z) {
        return Views.stack(ctx, "view_as_real", List.of(z.real(), z.imag()), z.rank());
    }

    // ---------------------------------------------------------------- dtype conversions

    /** The dtype .to(...) asks for among its arguments (a dtype or a tensor's), or null for a device move alone. */
    private static Object dtypeIn(Args a) {
        Object target = null;
        List<Object> all = new ArrayList<>(a.varargs());
        all.addAll(a.varkw().values());
        for (Object o : all) {
            if (o instanceof ComplexDType || o instanceof DType) target = o;
            else if (o instanceof TensorLike t) target = dtypeOf(t);
            else if (o != Py.NONE && !(o instanceof String) && !(o instanceof Boolean)) {
                DType d = Args.asDType(a.ctx(), o);
                if (d != null) target = d;
            }
        }
        return target;
    }

    private static Object dtypeOf(Object t) {
        return t instanceof ComplexTensor z ? z.dtype() : ((Tensor) t).dtype();
    }

    /** x converted to a DType or ComplexDType (null: unchanged); a real tensor becomes complex with a zero imaginary part. */
    private static Object convert(CallContext ctx, Object x, Object to) {
        if (to == null) return x;
        if (to instanceof ComplexDType d)
            return x instanceof ComplexTensor z ? z.map(t -> Elementwise.cast(ctx, t, d.part)) : ComplexTensor.lift(ctx, (Tensor) x, d.part);
        if (x instanceof ComplexTensor)
            throw ctx.error("unsupported: casting a complex tensor to torch." + ((DType) to).torchName()
                    + " (PyTorch would drop the imaginary part); take .real, .abs() or torch.view_as_real of it instead");
        return Elementwise.cast(ctx, (Tensor) x, (DType) to);
    }
}
