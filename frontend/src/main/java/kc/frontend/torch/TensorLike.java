package kc.frontend.torch;

import kc.ir.graph.Shape;

/**
 * A Python-visible tensor value: a real {@link Tensor}, or a {@link ComplexTensor} (a pair of real tensors). The
 * evaluator hands every value of this type to the {@link TorchLibrary}; only the library tells the two apart.
 */
public sealed interface TensorLike permits Tensor, ComplexTensor {
    Shape shape();

    default int rank() { return shape().rank(); }
}
