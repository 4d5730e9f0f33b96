package kc.ir.interp;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;

/**
 * One {@link Op.Generic} compiled for the reference interpreter. The body becomes a tree of lambdas
 * ({@link ScalarCompiler}); each operand map becomes an {@link OperandAccess}: a flat offset plus one integer
 * stride per domain dim for its affine part, and tracked slots for the indices that need checking or dividing.
 * An odometer walks the domain (last dim fastest) and updates offsets and slots incrementally, so an affine read
 * is one array access. Result elements are independent, so large ops are split over threads by ranges of
 * result elements.
 */
final class GenericKernel {
    /** Below this many body evaluations the op runs on the calling thread. */
    private static final long PARALLEL_WORK = 1 << 16;

    private final Op.Generic op;
    private final long[] dims;          // the domain: result dims, then reduction dims
    private final int resultRank;
    private final long reduceCount;     // points in the reduction sub-domain
    private final OperandAccess[] access;

    // What moves when domain coord d steps by one: the operands whose offset or slots change, with their offset
    // delta and slot deltas (null when the operand has no slots), flattened for the hot loop.
    private final int[][] moveOperand;
    private final long[][] moveOffset;
    private final long[][][] moveSlots;

    private final ScalarCode body;
    /** The epilogue applied to each combined value, or null. */
    private final ScalarCode epilogue;

    GenericKernel(Op.Generic op, List<TensorType> operandTypes, TensorType resultType, List<double[]> operandData, String where) {
        this.op = op;
        Shape rs = resultType.shape();
        resultRank = rs.rank();
        int q = op.reduceShape().rank();
        dims = new long[resultRank + q];
        for (int d = 0; d < resultRank; d++) dims[d] = rs.dim(d);
        for (int d = 0; d < q; d++) dims[resultRank + d] = op.reduceShape().dim(d);
        reduceCount = op.reduceShape().numel();
        int operands = operandTypes.size();
        if (op.maps().size() != operands)
            throw new IllegalStateException(where + ": " + operands + " operands but " + op.maps().size() + " index maps");
        int domainRank = dims.length;

        access = new OperandAccess[operands];
        ScalarCode[] reads = new ScalarCode[operands];
        for (int k = 0; k < operands; k++) {
            int kk = k;
            IndexMap map = op.maps().get(k);
            Shape shape = operandTypes.get(k).shape();
            if (map.rank() != shape.rank())
                throw new IllegalStateException(where + ": map " + k + " has " + map.rank() + " indices for a rank-" + shape.rank() + " operand");
            access[k] = named(where, () -> OperandAccess.plan(kk, map, shape, operandData.get(kk), dims, where));
            reads[k] = access[k].read;
        }
        moveOperand = new int[domainRank][];
        moveOffset = new long[domainRank][];
        moveSlots = new long[domainRank][][];
        for (int d = 0; d < domainRank; d++) {
            List<Integer> moving = new ArrayList<>();
            for (int k = 0; k < operands; k++) {
                boolean moves = access[k].offsetStride[d] != 0;
                for (long s : access[k].slotStride[d]) moves |= s != 0;
                if (moves) moving.add(k);
            }
            int m = moving.size();
            moveOperand[d] = new int[m];
            moveOffset[d] = new long[m];
            moveSlots[d] = new long[m][];
            for (int j = 0; j < m; j++) {
                OperandAccess a = access[moving.get(j)];
                moveOperand[d][j] = a.operand;
                moveOffset[d][j] = a.offsetStride[d];
                moveSlots[d][j] = a.slots() > 0 ? a.slotStride[d] : null;
            }
        }
        body = named(where, () -> ScalarCompiler.compile(op.body(), reads, domainRank));
        epilogue = op.epilogue() == null ? null : named(where, () -> ScalarCompiler.compile(op.epilogue(), reads, domainRank));
    }

    /** Runs a compile step, prefixing its complaints about a malformed op with the node's name. */
    private static <T> T named(String where, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(where)) throw e;
            throw new IllegalStateException(where + ": " + e.getMessage(), e);
        }
    }

    /** Computes the result, row-major. */
    double[] run() {
        long count = 1;
        for (int d = 0; d < resultRank; d++) count *= dims[d];
        final long outCount = count;
        double[] out = new double[Math.toIntExact(outCount)];
        if (outCount == 0) return out;
        long work = outCount * Math.max(1, reduceCount) * (1 + access.length);
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
        int[] slots = new int[access.length];
        for (int k = 0; k < access.length; k++) slots[k] = access[k].slots();
        Frame f = new Frame(dims.length, access.length, slots);
        // Position the frame at result element `from` (reduction coords 0), then move incrementally.
        long rest = from;
        for (int d = resultRank - 1; d >= 0; d--) { f.coord[d] = rest % dims[d]; rest /= dims[d]; }
        for (int k = 0; k < access.length; k++) {
            OperandAccess a = access[k];
            long off = a.baseOffset;
            for (int d = 0; d < resultRank; d++) off += f.coord[d] * a.offsetStride[d];
            f.offset[k] = off;
            for (int j = 0; j < a.slots(); j++) {
                long x = a.slotBase[j];
                for (int d = 0; d < resultRank; d++) x += f.coord[d] * a.slotStride[d][j];
                f.index[k][j] = x;
            }
        }
        Op.Reduction reduction = op.reduction();
        int components = reduction.components();
        double[] statistics = null;
        for (long o = from; o < to; o++) {
            double combined;
            if (components > 1) { // the body does not depend on the statistic's index: one pass gives them all
                int j = (int) (o % components);
                if (j == 0 || statistics == null) statistics = statistics(reduction, f);
                combined = statistics[j];
            } else {
                combined = reduceCount == 0 ? identity(reduction) : reduce(reduction, f);
            }
            if (epilogue != null) { // the frame is back at the output point: epilogue operands read there
                f.acc = combined;
                combined = epilogue.eval(f);
            }
            out[(int) o] = combined;
            advance(f, 0, resultRank);
        }
    }

    private static double identity(Op.Reduction r) {
        return switch (r) {
            case NONE, SUM, ARGMAX, ARGMIN, MAX_SUMEXP, MEAN_M2 -> 0;
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
            case MAX_SUMEXP, MEAN_M2 -> throw new IllegalStateException("compound reductions go through statistics()");
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
     * A compound reduction's statistics at the frame's result point, exactly in double by two passes: the max (or
     * mean), then the sum over the terms relative to it. Terms relative to a max of -inf count 0, as in the kernels'
     * online recurrence (softmax of an all -inf row still comes out NaN, logsumexp -inf).
     */
    private double[] statistics(Op.Reduction reduction, Frame f) {
        int lo = resultRank, hi = dims.length;
        if (reduceCount == 0) return new double[] {reduction == Op.Reduction.MAX_SUMEXP ? Double.NEGATIVE_INFINITY : 0, 0};
        double first = 0;
        if (reduction == Op.Reduction.MAX_SUMEXP) {
            first = Double.NEGATIVE_INFINITY;
            do first = Math.max(first, body.eval(f)); while (advance(f, lo, hi));
        } else {
            do first += body.eval(f); while (advance(f, lo, hi));
            first /= reduceCount;
        }
        double second = 0;
        if (reduction == Op.Reduction.MAX_SUMEXP) {
            if (first != Double.NEGATIVE_INFINITY) do second += Math.exp(body.eval(f) - first); while (advance(f, lo, hi));
        } else {
            do { double d = body.eval(f) - first; second += d * d; } while (advance(f, lo, hi));
        }
        return new double[] {first, second};
    }

    /**
     * Steps the odometer over domain dims [lo, hi) (the last fastest), updating affine offsets and indices.
     * Returns false when it wrapped around, leaving those dims back at 0.
     */
    private boolean advance(Frame f, int lo, int hi) {
        long[] coord = f.coord;
        long[] offset = f.offset;
        long[][] index = f.index;
        for (int d = hi - 1; d >= lo; d--) {
            int[] ks = moveOperand[d];
            long[] offs = moveOffset[d];
            long[][] idxs = moveSlots[d];
            // step forward by one, or wrap back to 0 (dims[d] - 1 steps back)
            long steps = ++coord[d] < dims[d] ? 1 : -(dims[d] - 1);
            for (int j = 0; j < ks.length; j++) {
                int k = ks[j];
                offset[k] += steps * offs[j];
                long[] s = idxs[j];
                if (s != null) {
                    long[] ix = index[k];
                    for (int i = 0; i < ix.length; i++) ix[i] += steps * s[i];
                }
            }
            if (steps == 1) return true;
            coord[d] = 0;
        }
        return false;
    }
}
