package kc.ir.graph;

import java.util.List;
import java.util.Objects;

/**
 * The primitive Graph IR operations. Deliberately few: every PyTorch op kc understands is one of these or a
 * small composition of them (the composition's PyTorch name is kept in {@link Origin#composite()}).
 */
public sealed interface Op {

    /** Short name used by printers. */
    String name();

    /**
     * A structured op (MLIR linalg.generic, a Halide Func): an iteration domain, one index map per operand and a
     * scalar body. The domain is the result's shape followed by {@code reduceShape}; a domain point's
     * coordinates are {@link ScalarExpr.Index}{@code (d)}. For each result element the body is evaluated at
     * every point of the reduction sub-domain and combined with {@code reduction} (NONE: no reduction dims).
     * Elementwise ops, broadcasting, matmul, convolution, pooling, reductions, views (permute, slice, expand,
     * reshape through div/mod maps, pad, roll) and index-generated constants (arange, tril) are all Generics.
     *
     * <p>
     * An {@code epilogue}, when present, is applied to each combined value before it is stored: a scalar expression
     * over {@link ScalarExpr.Reduced} (the combined value) and reads of operands whose maps use result dims only
     * (read at the output point). That is how a bias, an activation or a residual add after a matmul, and the
     * {@code log(sum) + max} of a logsumexp, live in the reduction's op (fusion makes them; the frontend does not).
     *
     * @param maps     one per operand: where operand k is read for a domain point
     * @param epilogue null, or the expression stored in place of the combined value
     */
    record Generic(Shape reduceShape, List<IndexMap> maps, ScalarExpr body, Reduction reduction, ScalarExpr epilogue) implements Op {
        public Generic {
            maps = List.copyOf(maps);
            if (reduction == Reduction.NONE && reduceShape.rank() != 0)
                throw new IllegalArgumentException("reduction dims without a reduction");
            if (reduction == Reduction.NONE && epilogue != null)
                throw new IllegalArgumentException("an epilogue without a reduction (fold it into the body)");
        }

        public Generic(Shape reduceShape, List<IndexMap> maps, ScalarExpr body, Reduction reduction) {
            this(reduceShape, maps, body, reduction, null);
        }
        @Override public String name() { return reduction == Reduction.NONE ? "generic" : "generic." + reduction.name().toLowerCase(); }

        // Spelled out for speed under the C1 JIT (see IndexExpr); the same values as the generated methods.
        @Override public boolean equals(Object o) {
            return o instanceof Generic g && reduction == g.reduction && reduceShape.equals(g.reduceShape)
                    && body.equals(g.body) && maps.equals(g.maps) && Objects.equals(epilogue, g.epilogue);
        }
        @Override public int hashCode() {
            return (((31 * reduceShape.hashCode() + maps.hashCode()) * 31 + body.hashCode()) * 31 + Objects.hashCode(reduction)) * 31
                    + Objects.hashCode(epilogue);
        }
    }

    /** Inclusive scan along {@code dim} (cumsum, cumprod); {@code reverse} scans from the end. One operand, same shape. */
    record Scan(int dim, Reduction combiner, boolean reverse) implements Op {
        @Override public String name() { return "scan." + combiner.name().toLowerCase(); }
    }

    /** A literal tensor (torch.tensor([...]) and other small constants), row-major. */
    record Constant(List<Double> values) implements Op {
        public Constant { values = List.copyOf(values); }
        @Override public String name() { return "constant"; }
    }

    /**
     * How a Generic combines the body over its reduction domain, and how a Scan combines along its dim.
     *
     * <p>The compound reductions give several statistics of the body in one pass, stacked along the result's last
     * dim (its size is {@link #components()}; the body and the maps do not use that dim, an epilogue may). They are
     * what a row kernel keeps: softmax's max and sum of exponentials, a norm's mean and squared deviations.
     */
    enum Reduction {
        NONE, SUM, PROD, MAX, MIN,
        /** Result is the flat index (over the reduction domain) of the first maximum of the body. */
        ARGMAX,
        /** Result is the flat index (over the reduction domain) of the first minimum of the body. */
        ARGMIN,
        /** [max(v), sum(exp(v - max(v)))], by the online softmax recurrence (Milakov and Gimelshein, 2018). */
        MAX_SUMEXP,
        /** [mean(v), sum((v - mean(v))^2)], by Welford's update and Chan's merge of partial states. */
        MEAN_M2;

        /** How many statistics the reduction gives per output point (1 for the plain ones). */
        public int components() { return this == MAX_SUMEXP || this == MEAN_M2 ? 2 : 1; }

        public boolean compound() { return components() > 1; }
    }
}
