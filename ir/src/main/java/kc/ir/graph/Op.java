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

    /**
     * A row kernel: {@code stats}, a reduction (often compound) per row, kept on chip, then {@code then}, elementwise,
     * over the rows. The node's operands are the statistics' ({@code statsOperands} of them), then the rest of
     * then's; then's remaining operands (one per statistic it uses) are the statistics, read at its row point: their
     * maps use the dims of its domain that name the row (one per dim of the statistics' points) and a constant for
     * the statistic's index; every other domain dim is the row's inside. The statistics never reach memory, and the
     * row, read twice, comes from cache the second time: a softmax or a norm whose rows fit reads its input once.
     *
     * @param statsType the statistics' type, as the unfused node stored them
     */
    record RowFused(Generic stats, TensorType statsType, int statsOperands, Generic then) implements Op {
        @Override public String name() { return "row." + stats.name() + "." + then.name(); }

        /** Of then's operands, the first that reads the statistics, given the node's operand count. */
        public int firstStatistic(int nodeOperands) { return nodeOperands - statsOperands; }

        /**
         * The dims of then's domain that name the row, one per dim of the statistics' points (-1 where that dim has
         * size 1 and is read at 0); null when a read of the statistics is not at then's row point.
         */
        public int[] rowDims(int nodeOperands) {
            int components = stats.reduction().components(), pointRank = statsType.rank() - (components > 1 ? 1 : 0);
            int[] dims = null;
            for (int k = firstStatistic(nodeOperands); k < then.maps().size(); k++) {
                int[] mine = rowDims(then.maps().get(k), components, pointRank);
                if (mine == null || dims != null && !java.util.Arrays.equals(dims, mine)) return null;
                dims = mine;
            }
            return dims;
        }

        private int[] rowDims(IndexMap m, int components, int pointRank) {
            if (m.rank() != statsType.rank() || m.pad() != null) return null;
            int[] dims = new int[pointRank];
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < pointRank; i++) {
                IndexExpr e = m.exprs().get(i);
                if (e instanceof IndexExpr.Dim d && seen.add(d.d())) dims[i] = d.d();
                else if (e instanceof IndexExpr.Const c && c.value() == 0 && statsType.shape().dim(i) == 1) dims[i] = -1;
                else return null;
            }
            if (components > 1 && !(m.exprs().get(pointRank) instanceof IndexExpr.Const c && c.value() >= 0 && c.value() < components))
                return null;
            return dims;
        }

        /** Which statistic then's operand k (a read of the statistics) reads. */
        public int statistic(int k) {
            IndexMap m = then.maps().get(k);
            return stats.reduction().compound() ? (int) ((IndexExpr.Const) m.exprs().get(m.rank() - 1)).value() : 0;
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
