package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.ast.Expr;
import kc.frontend.eval.Builtin;
import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;
import kc.ir.graph.DType;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.ScalarExpr.UnaryOp;

import static kc.frontend.torch.Elementwise.Kind.COMPARE;
import static kc.frontend.torch.Elementwise.Kind.FLOAT;
import static kc.frontend.torch.Elementwise.Kind.LOGICAL;
import static kc.frontend.torch.Elementwise.Kind.SAME;

/**
 * kc's PyTorch library: native members of torch, torch.nn.functional, math... (tables built by
 * {@link TensorOps}, {@link Functional} and {@link PyModules}), the Python prelude, and the tensor protocol the
 * evaluator calls for attributes, operators and indexing.
 */
public final class TorchLibraryImpl implements TorchLibrary {
    private final Registry registry = new Registry();

    public TorchLibraryImpl() {
        TensorOps.register(registry);
        Functional.register(registry);
        PyModules.register(registry);
        ComplexOps.register(registry);
    }

    @Override
    public Map<String, Map<String, Object>> nativeModules() {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        registry.modules.forEach((k, v) -> copy.put(k, java.util.Collections.unmodifiableMap(v)));
        return copy;
    }

    @Override
    public List<Map.Entry<String, String>> preludes() {
        return List.of(
                Map.entry("torch.nn.functional", "kc/prelude/functional.py"),
                Map.entry("torch.nn", "kc/prelude/nn.py"),
                Map.entry("torch", "kc/prelude/torch.py"),
                Map.entry("einops.layers.torch", "kc/prelude/einops_layers.py"));
    }

    @Override
    public Object getAttr(CallContext ctx, TensorLike self, String name) {
        Object attr = self instanceof ComplexTensor z ? ComplexOps.attribute(ctx, z, name) : attribute(ctx, (Tensor) self, name);
        if (attr != null) return attr;
        Builtin b = registry.methods.get(name);
        if (b != null) return Registry.bind(name, b, self);
        // Methods written in Python (max, softmax...) and their in-place twins: real tensors only.
        String base = name.endsWith("_") ? name.substring(0, name.length() - 1) : null;
        String py = registry.pyMethods.containsKey(name) ? name : base != null && registry.pyMethods.containsKey(base) ? base : null;
        if (py == null) throw ctx.error("'Tensor' object has no attribute '" + name + "'");
        if (!(self instanceof Tensor t)) throw ComplexOps.unsupported(ctx, "Tensor." + name + "() on a complex tensor");
        Object f = registry.pyMethods.get(py);
        if (py.equals(name)) return Registry.bindPython(name, f, t);
        return Registry.bind(name, Registry.inPlace((c, args, kw) -> c.call(f, args, kw)), t);
    }

    /** A real tensor's attributes (not its methods); null when {@code name} is not one. */
    static Object attribute(CallContext ctx, Tensor self, String name) {
        return switch (name) {
            case "shape" -> TensorOps.shapeTuple(self);
            case "dtype" -> self.dtype();
            case "ndim" -> (long) self.rank();
            case "T" -> {
                long[] perm = new long[self.rank()];
                for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
                yield Views.permute(ctx, "T", self, perm);
            }
            case "mT" -> Views.transpose(ctx, "mT", self, -2, -1);
            case "device" -> "cpu";
            case "is_cuda" -> Boolean.FALSE;
            case "data", "real" -> self;
            case "imag" -> throw ctx.error("imag is not implemented for tensors with non-complex dtypes.");
            case "requires_grad" -> self.isParameter();
            case "grad" -> Py.NONE;
            case "is_leaf" -> Boolean.TRUE;
            default -> null;
        };
    }

    private static void checkOperand(CallContext ctx, Object v, String op) {
        if (!(v instanceof TensorLike) && !Elementwise.isScalar(v))
            throw ctx.error("unsupported operand type(s) for " + op + ": " + Args.typeName(v) + " and Tensor");
    }

    @Override
    public Object binaryOp(CallContext ctx, Expr.BinOpKind op, Object left, Object right) {
        return guard(ctx, "operator", () -> binary(ctx, op, left, right));
    }

    private Object binary(CallContext ctx, Expr.BinOpKind op, Object left, Object right) {
        String sym = switch (op) {
            case ADD -> "+"; case SUB -> "-"; case MUL -> "*"; case DIV -> "/"; case FLOORDIV -> "//"; case MOD -> "%";
            case POW -> "**"; case MATMUL -> "@"; case LSHIFT -> "<<"; case RSHIFT -> ">>"; case BITAND -> "&"; case BITOR -> "|"; case BITXOR -> "^";
        };
        checkOperand(ctx, left, sym);
        checkOperand(ctx, right, sym);
        if (left instanceof ComplexTensor || right instanceof ComplexTensor) return ComplexOps.operator(ctx, op, sym, left, right);
        return switch (op) {
            case ADD -> Elementwise.binary(ctx, "add", SAME, left, right, BinaryOp.ADD);
            case SUB -> {
                if (Elementwise.typeOf(left) == DType.BOOL && Elementwise.typeOf(right) == DType.BOOL)
                    throw ctx.error("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.");
                yield Elementwise.binary(ctx, "sub", SAME, left, right, BinaryOp.SUB);
            }
            case MUL -> Elementwise.binary(ctx, "mul", SAME, left, right, BinaryOp.MUL);
            case DIV -> Elementwise.binary(ctx, "div", FLOAT, left, right, BinaryOp.DIV);
            case FLOORDIV -> Elementwise.binary(ctx, "floor_divide", SAME, left, right, BinaryOp.FLOORDIV);
            case MOD -> Elementwise.binary(ctx, "remainder", SAME, left, right, BinaryOp.MOD);
            case POW -> right instanceof Long e && e == 2
                    ? Elementwise.apply(ctx, "pow", SAME, List.of(left), (xs, t) -> kc.frontend.torch.Emit.bin(BinaryOp.MUL, xs.get(0), xs.get(0)))
                    : Elementwise.binary(ctx, "pow", SAME, left, right, BinaryOp.POW);
            case MATMUL -> {
                if (!(left instanceof Tensor a) || !(right instanceof Tensor b)) throw ctx.error("unsupported operand type(s) for @: a Python number and a Tensor");
                yield Contractions.matmul(ctx, "matmul", a, b);
            }
            case BITAND, BITOR, BITXOR -> {
                if (Elementwise.typeOf(left) != DType.BOOL || Elementwise.typeOf(right) != DType.BOOL)
                    throw ctx.error("unsupported: bitwise " + sym + " on non-bool tensors");
                yield Elementwise.binary(ctx, "bitwise", LOGICAL, left, right, op == Expr.BinOpKind.BITAND ? BinaryOp.AND : op == Expr.BinOpKind.BITOR ? BinaryOp.OR : BinaryOp.NE);
            }
            case LSHIFT, RSHIFT -> throw ctx.error("unsupported: the " + sym + " operator on tensors");
        };
    }

    @Override
    public Object unaryOp(CallContext ctx, Expr.UnaryOpKind op, TensorLike self) {
        if (self instanceof ComplexTensor z) return ComplexOps.unary(ctx, op, z);
        Tensor operand = (Tensor) self;
        return switch (op) {
            case NEG -> {
                if (operand.dtype() == DType.BOOL) throw ctx.error("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
                yield Elementwise.unary(ctx, "neg", SAME, operand, UnaryOp.NEG);
            }
            case POS -> operand;
            case INVERT -> {
                if (operand.dtype() != DType.BOOL) throw ctx.error("unsupported: bitwise not (~) on a non-bool tensor");
                yield Elementwise.unary(ctx, "bitwise_not", LOGICAL, operand, UnaryOp.NOT);
            }
            case NOT -> !truth(ctx, operand);
        };
    }

    /** bool(tensor): only for deterministic one-element tensors. */
    static boolean truth(CallContext ctx, Tensor t) {
        if (t.shape().numel() != 1) throw ctx.error("Boolean value of Tensor with more than one value is ambiguous");
        try {
            return ConstEval.scalar(ctx, t) != 0;
        } catch (kc.frontend.CompileError e) {
            throw ctx.error("data-dependent control flow is not supported: the truth value of a tensor computed from the inputs");
        }
    }

    @Override
    public Object compare(CallContext ctx, Expr.CmpOp op, Object left, Object right) {
        BinaryOp b = switch (op) {
            case EQ -> BinaryOp.EQ; case NE -> BinaryOp.NE; case LT -> BinaryOp.LT; case LE -> BinaryOp.LE; case GT -> BinaryOp.GT; case GE -> BinaryOp.GE;
            case IS -> null; case IS_NOT -> null; case IN -> null; case NOT_IN -> null;
        };
        if (b == null) {
            if (op == Expr.CmpOp.IS) return left == right;
            if (op == Expr.CmpOp.IS_NOT) return left != right;
            throw ctx.error("unsupported: the 'in' operator with a tensor");
        }
        if ((!(left instanceof TensorLike) && !Elementwise.isScalar(left)) || (!(right instanceof TensorLike) && !Elementwise.isScalar(right))) {
            if (op == Expr.CmpOp.EQ) return Boolean.FALSE;
            if (op == Expr.CmpOp.NE) return Boolean.TRUE;
            throw ctx.error("'" + op.name().toLowerCase() + "' not supported between instances of '" + Args.typeName(left) + "' and '" + Args.typeName(right) + "'");
        }
        if (left instanceof ComplexTensor || right instanceof ComplexTensor) throw ComplexOps.unsupported(ctx, "comparing complex tensors");
        return Elementwise.binary(ctx, op.name().toLowerCase(), COMPARE, left, right, b);
    }

    @Override
    public TensorLike getItem(CallContext ctx, TensorLike self, Object index) {
        if (self instanceof ComplexTensor z) return guard(ctx, "__getitem__", () -> ComplexOps.getItem(ctx, z, index));
        if (Args.isComplex(index)) throw ComplexOps.unsupported(ctx, "indexing with a complex tensor");
        return guard(ctx, "__getitem__", () -> Indexing.getItem(ctx, (Tensor) self, index));
    }

    @Override
    public void setItem(CallContext ctx, TensorLike self, Object index, Object value) {
        if (!(self instanceof Tensor t) || Args.isComplex(index) || Args.isComplex(value)) throw ComplexOps.unsupported(ctx, "assignment into a complex tensor, or of a complex value into a real one");
        guard(ctx, "__setitem__", () -> { Indexing.setItem(ctx, t, index, value); return null; });
    }

    /** Turns a shape or value problem the checks missed into an error at the user's position. */
    private static <T> T guard(CallContext ctx, String what, java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (IllegalArgumentException | ArithmeticException | IndexOutOfBoundsException | ClassCastException e) {
            throw ctx.error(what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    @Override
    public Tensor deepCopy(CallContext ctx, Tensor self) {
        Tensor copy = Emit.view(ctx, "deepcopy", self, self.shape(), Emit.dims(self.rank()), null);
        return new Tensor(copy.value(), self.isParameter());
    }

    @Override
    public long len(CallContext ctx, TensorLike self) {
        if (self.rank() == 0) throw ctx.error("len() of a 0-d tensor");
        return self.shape().dim(0);
    }

    @Override
    public List<Object> iterate(CallContext ctx, TensorLike self) {
        if (self.rank() == 0) throw ctx.error("iteration over a 0-d tensor");
        if (self instanceof ComplexTensor z) return ComplexOps.iterate(ctx, z);
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < self.shape().dim(0); i++) out.add(Views.select(ctx, "unbind", (Tensor) self, 0, i));
        return out;
    }
}
