package kc.frontend.torch;

import java.util.List;
import java.util.Map;

import kc.frontend.ast.Expr;
import kc.frontend.eval.CallContext;

/**
 * The contract between the evaluator and kc's PyTorch library. The evaluator owns Python semantics; this
 * library owns everything a tensor does, real or complex ({@link TensorLike}). Implemented by {@code TorchLibraryImpl}.
 */
public interface TorchLibrary {
    /**
     * Java-implemented members of Python modules, by module name: "torch", "torch.nn.functional", "math",
     * "torch.nn.init"... Values are NativeFunction, constants (Double for math.pi, DType for torch.float32) or
     * nested module names for submodules are resolved by the evaluator from the dotted keys.
     */
    Map<String, Map<String, Object>> nativeModules();

    /**
     * Prelude sources written in Python (kc's own nn.Module classes and composite functionals) to execute
     * after the native members are installed: module name to classpath resource, executed in order. A prelude
     * module's globals are merged into that module (e.g. "torch.nn" gets Linear, Conv2d, Sequential...).
     */
    List<Map.Entry<String, String>> preludes();

    /** tensor.name: attributes (shape, dtype, T, ndim, device...) and methods as bound NativeFunctions. */
    Object getAttr(CallContext ctx, TensorLike self, String name);

    /** left op right where at least one side is a TensorLike (the other may be a Python number or bool). */
    Object binaryOp(CallContext ctx, Expr.BinOpKind op, Object left, Object right);
    Object unaryOp(CallContext ctx, Expr.UnaryOpKind op, TensorLike operand);
    /** One comparison (==, <, ...) where at least one side is a TensorLike. */
    Object compare(CallContext ctx, Expr.CmpOp op, Object left, Object right);

    /** self[index]; index is any Python value: int, Py.Slice, None, Ellipsis, Tensor, tuples of those. */
    TensorLike getItem(CallContext ctx, TensorLike self, Object index);
    /** self[index] = value, rebinding self to the updated value. */
    void setItem(CallContext ctx, TensorLike self, Object index, Object value);

    /**
     * copy.deepcopy(tensor): a new tensor (a parameter stays one) with a value of its own that equals self's, so that
     * a deep-copied module's state_dict entries are distinct parameters of the graph, not tied to the original's.
     */
    Tensor deepCopy(CallContext ctx, Tensor self);

    /** len(tensor) and iteration over dim 0. */
    long len(CallContext ctx, TensorLike self);
    List<Object> iterate(CallContext ctx, TensorLike self);
}
