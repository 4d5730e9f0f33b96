package kc.passes.schedule;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;

/**
 * A windowed reduction: pooling, a stencil, a depthwise convolution. Some operands are read at an affine function of
 * result and reduction dims (max-pool's {@code in0[d0, d1, d2+d4-1, d3+d5-1]}), so neighbouring outputs read
 * overlapping windows. Strategy WINDOW gives each block a tile of outputs and first copies the part of those operands
 * the tile reads, its footprint, into shared memory: each element then comes from DRAM once per tile rather than
 * once per window covering it, and the windows are read from shared memory.
 *
 * <p>The tile: along the innermost result dim {@code cols} consecutive outputs; along the second-innermost,
 * {@code rows} when that dim is windowed too (a 2-D pool), else 1. With {@code threads} and {@code items}: a 2-D
 * window takes rows = items and cols = threads, a 1-D one rows = 1 and cols = threads x items. Thread t computes
 * tile outputs t, t + threads, ... in row-major order, so a warp stores consecutive outputs and reads consecutive
 * shared words. A staged operand's footprint is the box of its indices over the tile: per operand dim
 * {@code 1 + sum over the tile's and the reduction's dims of |coefficient| x (extent - 1)}.
 *
 * @param dims       the domain: result dims, then reduction dims
 * @param resultRank how many of dims are result dims
 * @param staged     the operands read through the window, in operand order
 */
public record Window(long[] dims, int resultRank, List<Staged> staged) {

    /**
     * An operand read through the window: per operand dim, its index as {@code constants[i] + sum over d of
     * coefficients[i][d] x coordinate d}.
     */
    public record Staged(int operand, long[][] coefficients, long[] constants) {}

    /** The window form of node n, or null when it has none (see the class comment). */
    public static Window of(Node n) {
        if (!(n.op() instanceof Op.Generic g) || g.reduction() == Op.Reduction.NONE || g.reduction().components() != 1) return null;
        int resultRank = n.result().type().rank(), rank = resultRank + g.reduceShape().rank();
        if (resultRank == 0) return null;
        long[] dims = new long[rank];
        for (int d = 0; d < resultRank; d++) dims[d] = n.result().type().shape().dim(d);
        for (int d = resultRank; d < rank; d++) dims[d] = g.reduceShape().dim(d - resultRank);
        List<Staged> staged = new ArrayList<>();
        for (int k = 0; k < g.maps().size(); k++) {
            IndexMap map = g.maps().get(k);
            boolean reduces = false;
            for (IndexExpr e : map.exprs()) reduces |= IndexExpr.anyDim(e, d -> d >= resultRank);
            if (!reduces) continue;
            long[][] coefficients = new long[map.rank()][];
            long[] constants = new long[map.rank()];
            for (int i = 0; i < map.rank(); i++) {
                long[] affine = new long[rank + 1];
                if (!affine(map.exprs().get(i), 1, affine)) return null; // a reshape's division: no box to stage
                coefficients[i] = java.util.Arrays.copyOf(affine, rank);
                constants[i] = affine[rank];
            }
            staged.add(new Staged(k, coefficients, constants));
        }
        Window w = new Window(dims, resultRank, List.copyOf(staged));
        if (staged.isEmpty() || !(w.windowed(resultRank - 1) || w.rowsWindowed())) return null;
        return w;
    }

    /** Adds factor x e into acc (coefficients per dim, the constant last); false where e is not affine. */
    private static boolean affine(IndexExpr e, long factor, long[] acc) {
        return switch (e) {
            case IndexExpr.Dim d -> { acc[d.d()] += factor; yield true; }
            case IndexExpr.Const c -> { acc[acc.length - 1] += factor * c.value(); yield true; }
            case IndexExpr.Add a -> affine(a.a(), factor, acc) && affine(a.b(), factor, acc);
            case IndexExpr.Mul m -> affine(m.a(), factor * m.factor(), acc);
            default -> false;
        };
    }

    /**
     * A window that can be reduced in two passes (a max-pool's rows, then its columns): a single staged operand that
     * the body alone reads (no index, no other operand), one operand dim ({@code column}) that holds the innermost
     * result dim and the reduction dims {@code columnTerms}, which move no other operand dim, while the other
     * reduction dims ({@code rowTerms}) leave {@code column} alone. Then each thread, which owns one column of the
     * tile, reduces every staged row along the column terms once, in registers, and each of its outputs combines
     * the row partials its window covers: a 4 x 4 max-pool over 8 rows reads 11 x 4 staged elements, not 8 x 16.
     */
    public record Separable(Staged operand, int column, int[] columnTerms, int[] rowTerms) {}

    /** Partials a thread keeps in registers at most (one per staged row it reduces). */
    public static final int MAX_ROW_PARTIALS = 64;

    /** This window's two-pass form for a tile of this span, or null (see {@link Separable}). */
    public Separable separable(Op.Generic g, long[] span) {
        if (!rowsWindowed() || staged.size() != 1 || hasIndex(g.body())) return null;
        Staged s = staged.get(0);
        java.util.BitSet reads = VectorAccess.reads(g.body());
        if (reads.cardinality() != 1 || !reads.get(s.operand())) return null;
        int inner = resultRank - 1, column = -1;
        for (int i = 0; i < s.coefficients().length; i++) if (s.coefficients()[i][inner] != 0) column = column < 0 ? i : -2;
        if (column < 0) return null;
        List<Integer> columnTerms = new ArrayList<>(), rowTerms = new ArrayList<>();
        for (int d = resultRank; d < dims.length; d++) {
            boolean inColumn = s.coefficients()[column][d] != 0, elsewhere = false;
            for (int i = 0; i < s.coefficients().length; i++) elsewhere |= i != column && s.coefficients()[i][d] != 0;
            if (inColumn && elsewhere) return null;
            (inColumn ? columnTerms : rowTerms).add(d);
        }
        long partials = 1;
        long[] extents = extents(s, span);
        for (int i = 0; i < extents.length; i++) if (i != column) partials *= extents[i];
        if (columnTerms.isEmpty() || rowTerms.isEmpty() || partials > MAX_ROW_PARTIALS) return null;
        return new Separable(s, column, columnTerms.stream().mapToInt(Integer::intValue).toArray(), rowTerms.stream().mapToInt(Integer::intValue).toArray());
    }

    private static boolean hasIndex(kc.ir.graph.ScalarExpr e) {
        return switch (e) {
            case kc.ir.graph.ScalarExpr.Index i -> true;
            case kc.ir.graph.ScalarExpr.Cast c -> hasIndex(c.a());
            case kc.ir.graph.ScalarExpr.Unary u -> hasIndex(u.a());
            case kc.ir.graph.ScalarExpr.Binary b -> hasIndex(b.a()) || hasIndex(b.b());
            case kc.ir.graph.ScalarExpr.Select x -> hasIndex(x.cond()) || hasIndex(x.a()) || hasIndex(x.b());
            default -> false;
        };
    }

    /** Whether result dim r moves some staged index together with a reduction dim (the window slides along r). */
    boolean windowed(int r) {
        if (r < 0) return false;
        for (Staged s : staged)
            for (long[] c : s.coefficients()) {
                if (c[r] == 0) continue;
                for (int d = resultRank; d < dims.length; d++) if (c[d] != 0) return true;
            }
        return false;
    }

    /** Whether the tile spans rows of the second-innermost result dim (a window sliding along it too). */
    public boolean rowsWindowed() { return windowed(resultRank - 2); }

    public int rows(int threads, int items) { return rowsWindowed() ? items : 1; }

    public int cols(int threads, int items) { return rowsWindowed() ? threads : threads * items; }

    /** Per domain dim, the extent a tile spans: rows and cols on the tile's dims, whole reduction dims, else 1. */
    public long[] span(int threads, int items) {
        long[] span = new long[dims.length];
        for (int d = 0; d < dims.length; d++) span[d] = d >= resultRank ? dims[d] : 1;
        span[resultRank - 1] = cols(threads, items);
        if (rowsWindowed()) span[resultRank - 2] = rows(threads, items);
        return span;
    }

    /** Staged operand s's footprint over a tile of this span: the extent of each operand dim's index range. */
    public static long[] extents(Staged s, long[] span) {
        long[] e = new long[s.coefficients().length];
        for (int i = 0; i < e.length; i++) {
            e[i] = 1;
            for (int d = 0; d < span.length; d++) e[i] += Math.abs(s.coefficients()[i][d]) * (span[d] - 1);
        }
        return e;
    }

    /**
     * How far below its value at the tile's origin (tile dims at their first output, reduction dims at 0) each of
     * s's indices reaches over the tile: the negative coefficients' share, so the footprint starts there.
     */
    public static long[] reach(Staged s, long[] span) {
        long[] r = new long[s.coefficients().length];
        for (int i = 0; i < r.length; i++)
            for (int d = 0; d < span.length; d++) r[i] += Math.min(0, s.coefficients()[i][d]) * (span[d] - 1);
        return r;
    }

    /** Row-major strides of a footprint with these extents (how the staged copy is laid out). */
    public static long[] strides(long[] extents) {
        long[] strides = new long[extents.length];
        long stride = 1;
        for (int i = extents.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= extents[i];
        }
        return strides;
    }

    /** Elements of the footprint of s over a tile of this span. */
    public static long elements(Staged s, long[] span) {
        long n = 1;
        for (long e : extents(s, span)) n *= e;
        return n;
    }

    /** Bytes of shared memory every staged operand's footprint takes together, with their element sizes. */
    public long sharedBytes(Node n, long[] span) {
        long bytes = 0;
        for (Staged s : staged) bytes += elements(s, span) * n.operands().get(s.operand()).type().dtype().bytes;
        return bytes;
    }

    /** Tiles of the given span (per domain dim) over the first resultRank of dims: the blocks WINDOW launches. */
    public static long tilesOf(long[] dims, long[] span, int resultRank) {
        long t = 1;
        for (int d = 0; d < resultRank; d++) t *= (dims[d] + span[d] - 1) / span[d];
        return t;
    }

    /**
     * Reads a tile's windows make per footprint element staged, over every staged operand: how often shared
     * memory saves a global read. Overlapping windows (stride below the window) give more than 1.
     */
    public double reuse(long[] span) {
        long outputs = 1, terms = 1;
        for (int d = 0; d < resultRank; d++) outputs *= Math.min(span[d], dims[d]);
        for (int d = resultRank; d < dims.length; d++) terms *= dims[d];
        long staging = 0;
        for (Staged s : staged) staging += elements(s, span);
        return (double) outputs * terms * staged.size() / staging;
    }
}
