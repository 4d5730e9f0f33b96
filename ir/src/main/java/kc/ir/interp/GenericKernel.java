package kc.ir.interp;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import kc.ir.graph.IndexBounds;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/**
 * One {@link Op.Generic} compiled for the reference interpreter. The body becomes a tree of lambdas
 * ({@link ScalarCompiler}); each affine operand map becomes a flat offset plus one integer stride per domain dim,
 * updated incrementally as an odometer walks the domain, so a read is one array access (plus a bounds test per
 * operand dim when the map pads). Maps with FloorDiv/Mod/ExactDiv are evaluated per read from the coordinates.
 * Result elements are independent, so large ops are split over threads by ranges of result elements.
 */
final class GenericKernel {
    /** Below this many body evaluations the op runs on the calling thread. */
    private static final long PARALLEL_WORK = 1 << 16;

    private final Op.Generic op;
    private final String where;
    private final long[] dims;          // the domain: result dims, then reduction dims
    private final int resultRank;
    private final int operands;
    private final int[] trackedDims;    // per operand: how many of its dims are bounds-checked per read
    private final long reduceCount;     // points in the reduction sub-domain

    // Affine operands: offset = base + sum_d coord[d] * offsetStride[k][d]; tracked indices likewise.
    private final boolean[] affine;
    private final long[] baseOffset;
    private final long[][] offsetStride;
    private final boolean[] tracksIndex;
    private final long[][] baseIndex;       // [k][i]
    private final long[][][] indexStride;   // [k][d][i]

    // What moves when domain coord d steps: operands whose offset changes, and their per-dim index deltas.
    private final int[][] movingOperands;

    private final ScalarCode body;

    GenericKernel(Op.Generic op, List<TensorType> operandTypes, TensorType resultType, List<double[]> operandData, String where) {
        this.op = op;
        this.where = where;
        Shape rs = resultType.shape();
        resultRank = rs.rank();
        int q = op.reduceShape().rank();
        dims = new long[resultRank + q];
        for (int d = 0; d < resultRank; d++) dims[d] = rs.dim(d);
        for (int d = 0; d < q; d++) dims[resultRank + d] = op.reduceShape().dim(d);
        reduceCount = op.reduceShape().numel();
        operands = operandTypes.size();
        if (op.maps().size() != operands)
            throw new IllegalStateException(where + ": " + operands + " operands but " + op.maps().size() + " index maps");
        int domainRank = dims.length;
        boolean emptyDomain = IndexBounds.isEmpty(dims);

        trackedDims = new int[operands];
        affine = new boolean[operands];
        baseOffset = new long[operands];
        offsetStride = new long[operands][domainRank];
        tracksIndex = new boolean[operands];
        baseIndex = new long[operands][];
        indexStride = new long[operands][domainRank][];
        ScalarCode[] reads = new ScalarCode[operands];

        for (int k = 0; k < operands; k++) {
            IndexMap map = op.maps().get(k);
            Shape shape = operandTypes.get(k).shape();
            int rank = shape.rank();
            if (map.rank() != rank)
                throw new IllegalStateException(where + ": map " + k + " has " + map.rank() + " indices for a rank-" + rank + " operand");
            long[] strides = shape.strides();
            long[][] forms = new long[rank][];
            boolean isAffine = true;
            for (int i = 0; i < rank; i++) {
                forms[i] = IndexCode.affine(map.exprs().get(i), domainRank);
                if (forms[i] == null) isAffine = false;
            }
            double[] data = operandData.get(k);
            if (isAffine) {
                // Only operand dims that may leave [0, n) need their index tracked and tested per read.
                List<Integer> checked = new ArrayList<>();
                for (int i = 0; i < rank; i++) {
                    if (emptyDomain) break;
                    IndexBounds.Interval iv = IndexBounds.of(map.exprs().get(i), dims);
                    if (iv.lo() < 0 || iv.hi() >= shape.dim(i)) checked.add(i);
                }
                int[] slots = checked.stream().mapToInt(Integer::intValue).toArray();
                affine[k] = true;
                tracksIndex[k] = slots.length > 0;
                trackedDims[k] = slots.length; // the frame keeps one index per checked dim
                baseIndex[k] = new long[slots.length];
                for (int d = 0; d < domainRank; d++) indexStride[k][d] = new long[slots.length];
                for (int i = 0; i < rank; i++) {
                    baseOffset[k] += forms[i][0] * strides[i];
                    for (int d = 0; d < domainRank; d++) offsetStride[k][d] += forms[i][d + 1] * strides[i];
                }
                for (int j = 0; j < slots.length; j++) {
                    baseIndex[k][j] = forms[slots[j]][0];
                    for (int d = 0; d < domainRank; d++) indexStride[k][d][j] = forms[slots[j]][d + 1];
                }
                long[] bound = new long[slots.length];
                for (int j = 0; j < slots.length; j++) bound[j] = shape.dim(slots[j]);
                reads[k] = affineRead(k, data, bound, map.pad());
            } else {
                trackedDims[k] = 0;
                reads[k] = generalRead(k, data, shape, strides, map);
            }
        }
        movingOperands = new int[domainRank][];
        for (int d = 0; d < domainRank; d++) {
            List<Integer> moving = new ArrayList<>();
            for (int k = 0; k < operands; k++) {
                if (!affine[k]) continue;
                boolean moves = offsetStride[k][d] != 0;
                if (tracksIndex[k]) for (long s : indexStride[k][d]) moves |= s != 0;
                if (moves) moving.add(k);
            }
            movingOperands[d] = moving.stream().mapToInt(Integer::intValue).toArray();
        }
        body = ScalarCompiler.compile(op.body(), reads, domainRank);
    }

    /** @param bound the extent of each tracked (checked) operand dim; empty when every read is proven in range */
    private ScalarCode affineRead(int k, double[] data, long[] bound, Double pad) {
        if (bound.length == 0) return f -> data[(int) f.offset[k]];
        if (pad != null) {
            double p = pad;
            return f -> {
                long[] ix = f.index[k];
                for (int i = 0; i < ix.length; i++) if (ix[i] < 0 || ix[i] >= bound[i]) return p;
                return data[(int) f.offset[k]];
            };
        }
        return f -> {
            long[] ix = f.index[k];
            for (int i = 0; i < ix.length; i++) if (ix[i] < 0 || ix[i] >= bound[i]) throw outOfRange(k, f);
            return data[(int) f.offset[k]];
        };
    }

    private ScalarCode generalRead(int k, double[] data, Shape shape, long[] strides, IndexMap map) {
        IndexCode[] codes = new IndexCode[map.rank()];
        for (int i = 0; i < codes.length; i++) codes[i] = IndexCode.compile(checkDims(map.exprs().get(i)));
        long[] bound = shape.toArray();
        boolean padded = map.pad() != null;
        double p = padded ? map.pad() : 0;
        return f -> {
            long off = 0;
            for (int i = 0; i < codes.length; i++) {
                long x = codes[i].eval(f.coord);
                if (x == IndexCode.INVALID || x < 0 || x >= bound[i]) {
                    if (padded) return p;
                    throw outOfRange(k, f);
                }
                off += x * strides[i];
            }
            return data[(int) off];
        };
    }

    private IndexExpr checkDims(IndexExpr e) {
        IndexCode.affine(stripDivisions(e), dims.length); // throws on a coordinate outside the domain
        return e;
    }

    /** e with divisions replaced by their dividends: the same coordinates, an affine shape. */
    private static IndexExpr stripDivisions(IndexExpr e) {
        return switch (e) {
            case IndexExpr.Dim d -> d;
            case IndexExpr.Const c -> c;
            case IndexExpr.Add a -> new IndexExpr.Add(stripDivisions(a.a()), stripDivisions(a.b()));
            case IndexExpr.Mul m -> new IndexExpr.Mul(stripDivisions(m.a()), m.factor());
            case IndexExpr.FloorDiv q -> stripDivisions(q.a());
            case IndexExpr.Mod m -> stripDivisions(m.a());
            case IndexExpr.ExactDiv q -> stripDivisions(q.a());
        };
    }

    private IllegalStateException outOfRange(int k, Frame f) {
        return new IllegalStateException(where + ": operand " + k + " read out of range at domain point "
                + java.util.Arrays.toString(f.coord) + " through an index map without padding");
    }

    /** Computes the result, row-major. */
    double[] run() {
        long count = 1;
        for (int d = 0; d < resultRank; d++) count *= dims[d];
        final long outCount = count;
        double[] out = new double[Math.toIntExact(outCount)];
        if (outCount == 0) return out;
        long work = outCount * Math.max(1, reduceCount) * (1 + operands);
        int threads = Runtime.getRuntime().availableProcessors();
        if (work < PARALLEL_WORK || threads < 2 || outCount < 2) {
            runRange(out, 0, outCount);
        } else {
            int chunks = (int) Math.min(outCount, threads * 8L);
            IntStream.range(0, chunks).parallel().forEach(c ->
                    runRange(out, outCount * c / chunks, outCount * (c + 1) / chunks));
        }
        return out;
    }

    private void runRange(double[] out, long from, long to) {
        if (from >= to) return;
        Frame f = new Frame(dims.length, operands, trackedDims);
        // Position the frame at result element `from` (reduction coords 0), then move incrementally.
        long rest = from;
        for (int d = resultRank - 1; d >= 0; d--) { f.coord[d] = rest % dims[d]; rest /= dims[d]; }
        for (int k = 0; k < operands; k++) {
            if (!affine[k]) continue;
            long off = baseOffset[k];
            for (int d = 0; d < resultRank; d++) off += f.coord[d] * offsetStride[k][d];
            f.offset[k] = off;
            if (tracksIndex[k]) {
                for (int i = 0; i < trackedDims[k]; i++) {
                    long x = baseIndex[k][i];
                    for (int d = 0; d < resultRank; d++) x += f.coord[d] * indexStride[k][d][i];
                    f.index[k][i] = x;
                }
            }
        }
        Op.Reduction reduction = op.reduction();
        for (long o = from; o < to; o++) {
            out[(int) o] = reduceCount == 0 ? identity(reduction) : reduce(reduction, f);
            advance(f, 0, resultRank);
        }
    }

    private static double identity(Op.Reduction r) {
        return switch (r) {
            case NONE, SUM, ARGMAX, ARGMIN -> 0;
            case PROD -> 1;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    /** Combines the body over the reduction sub-domain at the frame's result point; leaves the frame there. */
    private double reduce(Op.Reduction reduction, Frame f) {
        int lo = resultRank, hi = dims.length;
        switch (reduction) {
            case NONE -> { return body.eval(f); }
            case SUM -> {
                double acc = 0;
                do acc += body.eval(f); while (advance(f, lo, hi));
                return acc;
            }
            case PROD -> {
                double acc = 1;
                do acc *= body.eval(f); while (advance(f, lo, hi));
                return acc;
            }
            case MAX -> {
                // NaN wins, as in torch.max: Math.max propagates it and nothing replaces it afterwards
                double acc = Double.NEGATIVE_INFINITY;
                do acc = Math.max(acc, body.eval(f)); while (advance(f, lo, hi));
                return acc;
            }
            case MIN -> {
                double acc = Double.POSITIVE_INFINITY;
                do acc = Math.min(acc, body.eval(f)); while (advance(f, lo, hi));
                return acc;
            }
            case ARGMAX, ARGMIN -> {
                // the first extreme wins; a NaN counts as the extreme (torch.argmax/argmin)
                boolean max = reduction == Op.Reduction.ARGMAX;
                double best = 0;
                long bestAt = -1, at = 0;
                do {
                    double v = body.eval(f);
                    if (bestAt < 0 || (!Double.isNaN(best) && (Double.isNaN(v) || (max ? v > best : v < best)))) {
                        best = v;
                        bestAt = at;
                    }
                    at++;
                } while (advance(f, lo, hi));
                return bestAt;
            }
        }
        throw new AssertionError(reduction);
    }

    /**
     * Steps the odometer over domain dims [lo, hi) (the last fastest), updating affine offsets and indices.
     * Returns false when it wrapped around, leaving those dims back at 0.
     */
    private boolean advance(Frame f, int lo, int hi) {
        long[] coord = f.coord;
        for (int d = hi - 1; d >= lo; d--) {
            int[] moving = movingOperands[d];
            if (++coord[d] < dims[d]) {
                for (int k : moving) move(f, k, d, 1);
                return true;
            }
            long back = -(dims[d] - 1);
            coord[d] = 0;
            for (int k : moving) move(f, k, d, back);
        }
        return false;
    }

    private void move(Frame f, int k, int d, long steps) {
        f.offset[k] += steps * offsetStride[k][d];
        if (tracksIndex[k]) {
            long[] ix = f.index[k];
            long[] s = indexStride[k][d];
            for (int i = 0; i < ix.length; i++) ix[i] += steps * s[i];
        }
    }
}
