package kc.codegen.ptx;

import java.math.BigInteger;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import kc.ir.tile.ScalarType;
import kc.ir.tile.TExpr;

/**
 * Signed integer division by a constant as a multiply-high and shifts (Granlund and Montgomery; Warren, Hacker's
 * Delight 10-1), for kc's PTX. {@code div.s32}/{@code div.s64} by a register is a long instruction sequence, and ptxas
 * does not replace a constant divisor; nvcc's front end does, so kc's PTX ran index arithmetic (the div and mod of
 * every flat index's decomposition) several times slower than the same kernel built from CUDA C.
 * <p>For a divisor d >= 2 and an n-bit signed dividend x: q = mulhi(x, M) (+ x where M does not fit the signed
 * word), arithmetic shift right by s, plus 1 when x is negative: C's truncating quotient for every x.
 *
 * @param magic the multiplier M as the word's bits (negative where the true M needs the word's top bit)
 * @param shift s
 * @param addDividend whether x is added after the multiply (M was taken modulo 2^bits)
 */
record ConstantDivision(long magic, int shift, boolean addDividend, int bits) {
    /** By divisor and width: a model divides by its few shapes' sizes thousands of times, and BigInteger is slow. */
    private static final Map<Long, ConstantDivision> KNOWN = new ConcurrentHashMap<>();

    /** The constants for dividing a {@code bits}-bit (32 or 64) signed word by {@code d >= 2}. */
    static ConstantDivision of(long d, int bits) {
        if (d < 2) throw new IllegalArgumentException("divisor " + d + " below 2");
        if (bits != 32 && bits != 64) throw new IllegalArgumentException(bits + "-bit division");
        if (d > 1L << 62) return compute(d, bits); // no room for the width in the key
        return KNOWN.computeIfAbsent(d << 1 | (bits == 64 ? 1 : 0), k -> compute(d, bits));
    }

    private static ConstantDivision compute(long d, int bits) {
        BigInteger two = BigInteger.TWO, ad = BigInteger.valueOf(d), two1 = two.pow(bits - 1);
        BigInteger anc = two1.subtract(BigInteger.ONE).subtract(two1.mod(ad)); // |nc|: the largest multiple-of-d boundary
        int p = bits - 1;
        BigInteger q1 = two1.divide(anc), r1 = two1.subtract(q1.multiply(anc));
        BigInteger q2 = two1.divide(ad), r2 = two1.subtract(q2.multiply(ad));
        BigInteger delta;
        do {
            p++;
            q1 = q1.shiftLeft(1);
            r1 = r1.shiftLeft(1);
            if (r1.compareTo(anc) >= 0) { q1 = q1.add(BigInteger.ONE); r1 = r1.subtract(anc); }
            q2 = q2.shiftLeft(1);
            r2 = r2.shiftLeft(1);
            if (r2.compareTo(ad) >= 0) { q2 = q2.add(BigInteger.ONE); r2 = r2.subtract(ad); }
            delta = ad.subtract(r2);
        } while (q1.compareTo(delta) < 0 || q1.equals(delta) && r1.signum() == 0);
        BigInteger m = q2.add(BigInteger.ONE); // in [2^(bits-1), 2^bits) when it does not fit a signed word
        boolean add = m.compareTo(two1) >= 0;
        return new ConstantDivision(m.longValue() << (64 - bits) >> (64 - bits), p - bits, add, bits);
    }

    /**
     * Whether kc's PTX divides b without a division instruction: an integer DIV or REM of a 32- or 64-bit signed word
     * by a constant of at least 2, or a float DIV by a power of two (whose reciprocal is exact, so the multiply rounds
     * as the division does).
     */
    static boolean applies(TExpr.Binary b) {
        if (b.op() != TExpr.BinOp.DIV && b.op() != TExpr.BinOp.REM || !(b.b() instanceof TExpr.Const c) || b.type().lanes() != b.b().type().lanes()) return false;
        ScalarType t = b.a().type().elem();
        double d = c.value();
        if (t == ScalarType.I32 || t == ScalarType.I64) return d >= 2 && d == Math.rint(d) && d <= (t == ScalarType.I32 ? Integer.MAX_VALUE : 0x1p62);
        if (t != ScalarType.F32 && t != ScalarType.F64 || b.op() != TExpr.BinOp.DIV || d == 0 || Double.isInfinite(d) || Double.isNaN(d)) return false;
        int e = Math.getExponent(d);
        return Math.abs(d) == Math.scalb(1.0, e) && e > (t == ScalarType.F32 ? -126 : -1022) && e < (t == ScalarType.F32 ? 126 : 1022);
    }

    /** What the emitted instructions compute, step for step (for tests): x / d truncated, as C and div.s do. */
    long quotient(long x) {
        long hi = bits == 32 ? (x * magic) >> 32 : Math.multiplyHigh(x, magic);
        if (addDividend) hi = wrap(hi + x);
        long q = hi >> shift;
        return wrap(q + (bits == 32 ? (x >>> 31) & 1 : x >>> 63));
    }

    private long wrap(long v) { return bits == 32 ? (int) v : v; }
}
