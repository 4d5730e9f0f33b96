package kc.frontend.torch;

import java.util.List;
import java.util.function.UnaryOperator;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.Shape;

/**
 * A complex tensor while tracing: its real and imaginary parts, two real tensors of one shape and one float dtype
 * (float32 for complex64, float64 for complex128). The Graph IR has no complex dtype: {@link ComplexOps} lowers
 * every op on a complex value to real ops on the parts, so no pass or backend ever sees one.
 *
 * <p>Immutable, unlike {@link Tensor}'s box: in-place ops on a complex value are not modelled (in PyTorch they
 * would write through to the real tensor a view_as_complex came from).
 */
public record ComplexTensor(Tensor real, Tensor imag) implements TensorLike {
    public ComplexTensor {
        if (!real.shape().equals(imag.shape()) || real.dtype() != imag.dtype() || ComplexDType.ofPart(real.dtype()) == null)
            throw new IllegalStateException("complex parts must be float32 or float64 tensors of one type, not " + real.type() + " and " + imag.type());
    }

    /**
     * The complex tensor with these parts, broadcast to one shape and promoted to one dtype: ops compute each part
     * from the operands it needs (an imaginary part may be a real operand's missing zero) and let this line them up.
     */
    static ComplexTensor of(CallContext ctx, Tensor re, Tensor im) {
        Shape shape = Elementwise.broadcast(ctx, List.of(re.shape(), im.shape()));
        DType dtype = re.dtype() == im.dtype() ? re.dtype()
                : re.dtype() == DType.F64 || im.dtype() == DType.F64 ? DType.F64 : re.dtype() == DType.F32 || im.dtype() == DType.F32 ? DType.F32 : re.dtype();
        if (ComplexDType.ofPart(dtype) == null) {
            if (dtype.isFloat()) throw ctx.error("unsupported: complex32 (complex numbers of " + dtype.torchName() + " parts); kc models complex64 and complex128");
            throw ctx.error("expected floating point parts for a complex tensor, got " + re.dtype().torchName() + " and " + im.dtype().torchName());
        }
        return new ComplexTensor(line(ctx, re, shape, dtype), line(ctx, im, shape, dtype));
    }

    private static Tensor line(CallContext ctx, Tensor t, Shape shape, DType dtype) {
        return Elementwise.cast(ctx, Views.expand(ctx, "complex", t, shape.toArray()), dtype);
    }

    /** A real tensor as a complex one with a zero imaginary part, its parts of dtype {@code part}. */
    static ComplexTensor lift(CallContext ctx, Tensor x, DType part) {
        return of(ctx, Elementwise.cast(ctx, x, part), Factories.full(ctx, "complex", x.shape(), 0, part));
    }

    @Override public Shape shape() { return real.shape(); }
    public ComplexDType dtype() { return ComplexDType.ofPart(real.dtype()); }

    /** The same real op on both parts: views, reshapes, slices (any op that moves elements without mixing them). */
    ComplexTensor map(UnaryOperator<Tensor> f) { return new ComplexTensor(f.apply(real), f.apply(imag)); }

    @Override public String toString() { return "tensor(" + dtype().name().toLowerCase() + shape() + ")"; }
}
