package kc.ir.interp;

/**
 * The mutable iteration state of one thread running a {@link GenericKernel}: the current domain point, and for
 * every operand the flat offset of its affine part and its tracked slots (indices to check, dividends to
 * divide; see {@link OperandAccess}). The compiled body reads these; the kernel's odometer updates them
 * incrementally as the point moves.
 */
final class Frame {
    final long[] coord;
    final long[] offset;
    final long[][] index;   // per operand: its tracked slots (see OperandAccess)
    /** The combined value an epilogue reads ({@link kc.ir.graph.ScalarExpr.Reduced}). */
    double acc;

    Frame(int domainRank, int operands, int[] slots) {
        coord = new long[domainRank];
        offset = new long[operands];
        index = new long[operands][];
        for (int k = 0; k < operands; k++) index[k] = new long[slots[k]];
    }
}
