package kc.ir.interp;

/**
 * The mutable iteration state of one thread running a {@link GenericKernel}: the current domain point, and for
 * every operand read through an affine map its current flat offset and (when padded) per-dim indices. The
 * compiled body reads these; the kernel's odometer updates them incrementally as the point moves.
 */
final class Frame {
    final long[] coord;
    final long[] offset;
    final long[][] index;

    Frame(int domainRank, int operands, int[] operandRanks) {
        coord = new long[domainRank];
        offset = new long[operands];
        index = new long[operands][];
        for (int k = 0; k < operands; k++) index[k] = new long[operandRanks[k]];
    }
}
