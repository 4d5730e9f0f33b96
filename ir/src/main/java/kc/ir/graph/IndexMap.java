package kc.ir.graph;

import java.util.List;
import java.util.Objects;

/**
 * Where an operand is read: one index expression per operand dimension, over the op's domain coordinates.
 * When {@code pad} is non-null a read whose index falls outside the operand (or is not exact, see
 * {@link IndexExpr.ExactDiv}) yields {@code pad} (convolution padding, max-pool's -inf, concatenation);
 * when it is null every read must be in range (the verifier checks this with interval bounds).
 */
public record IndexMap(List<IndexExpr> exprs, Double pad) {
    public IndexMap {
        exprs = List.copyOf(exprs);
    }

    public static IndexMap of(IndexExpr... exprs) { return new IndexMap(List.of(exprs), null); }

    /** The identity map of a rank-n operand over the first n domain dims (the common ranks' maps are shared). */
    public static IndexMap identity(int rank) {
        if (rank >= 0 && rank < IDENTITIES.length) return IDENTITIES[rank];
        IndexExpr[] e = new IndexExpr[rank];
        for (int i = 0; i < rank; i++) e[i] = IndexExpr.dim(i);
        return of(e);
    }

    private static final IndexMap[] IDENTITIES = new IndexMap[8];
    static {
        for (int r = 0; r < IDENTITIES.length; r++) {
            IndexExpr[] e = new IndexExpr[r];
            for (int i = 0; i < r; i++) e[i] = IndexExpr.dim(i);
            IDENTITIES[r] = of(e);
        }
    }

    public int rank() { return exprs.size(); }

    // Spelled out for speed under the C1 JIT (see IndexExpr); the same values as the generated methods.
    @Override public boolean equals(Object o) { return o instanceof IndexMap m && exprs.equals(m.exprs) && Objects.equals(pad, m.pad); }
    @Override public int hashCode() { return 31 * exprs.hashCode() + Objects.hashCode(pad); }
}
