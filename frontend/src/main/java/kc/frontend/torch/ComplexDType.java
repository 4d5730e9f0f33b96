package kc.frontend.torch;

import kc.ir.graph.DType;

/**
 * torch.complex64 and torch.complex128: dtypes of the frontend only. The Graph IR has real dtypes alone, so a
 * complex tensor is two real tensors of {@link #part}'s dtype (see {@link ComplexTensor}).
 */
public enum ComplexDType {
    COMPLEX64(DType.F32), COMPLEX128(DType.F64);

    /** The dtype of the real and the imaginary part. */
    public final DType part;

    ComplexDType(DType part) { this.part = part; }

    /** The complex dtype whose parts are {@code part}, or null when PyTorch's has none kc models (complex32). */
    static ComplexDType ofPart(DType part) {
        return part == DType.F32 ? COMPLEX64 : part == DType.F64 ? COMPLEX128 : null;
    }

    @Override public String toString() { return "torch." + name().toLowerCase(); }
}
