package kc.codegen.ptx;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * kc's f32 math functions as instruction sequences over {@link MathOps}: accurate to a few ulp (erf: 2e-7 absolute)
 * from exact instructions (fma, div.rn) and the approximate ex2/lg2 units, with C's NaN/infinity behaviour. The
 * same code prints PTX and, in the tests, runs in Java against {@code java.lang.Math}.
 *
 * <p>Written without branches (both sides of a choice are computed, then selected), so every lane of a warp runs
 * the same instructions.
 */
public final class PtxMath<F, I, B> {
    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal LN2 = new BigDecimal("0.693147180559945309417232121458176568075500134360255254120680");
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494");

    static final float LOG2E = (float) (1 / Math.log(2));
    static final float[] LN2_PARTS = split(LN2, 2);
    static final float[] PIO2_PARTS = split(PI.divide(BigDecimal.valueOf(2), MC), 3);
    static final float TWO_OVER_PI = (float) (2 / Math.PI);
    static final float PI_F = (float) Math.PI;
    static final float PIO2_F = (float) (Math.PI / 2);
    static final float PIO4_F = (float) (Math.PI / 4);
    static final float INF = Float.POSITIVE_INFINITY;

    /** A constant as a sum of floats, each the rounding of what the previous ones left (for Cody-Waite reduction). */
    private static float[] split(BigDecimal value, int parts) {
        float[] out = new float[parts];
        BigDecimal rest = value;
        for (int i = 0; i < parts; i++) {
            out[i] = rest.floatValue();
            rest = rest.subtract(new BigDecimal(out[i]), MC);
        }
        return out;
    }

    private final MathOps<F, I, B> m;

    public PtxMath(MathOps<F, I, B> ops) { this.m = ops; }

    private F c(double v) { return m.c((float) v); }

    /** Horner's scheme: coefficients from the highest power down. */
    private F poly(F x, double... coef) {
        F acc = c(coef[0]);
        for (int i = 1; i < coef.length; i++) acc = m.fma(acc, x, c(coef[i]));
        return acc;
    }

    /** 2^k for an integer k in [-252, 254], as two exact power-of-two factors built from exponent bits. */
    private F scaleBy2k(F v, I k) {
        I k1 = m.shr(k, 1);
        I k2 = m.isub(k, k1);
        F s1 = m.fromBits(m.shl(m.iadd(k1, m.ci(127)), 23));
        F s2 = m.fromBits(m.shl(m.iadd(k2, m.ci(127)), 23));
        return m.mul(m.mul(v, s1), s2);
    }

    /** e^x: x = k ln2 + r (|r| <= ln2/2, two-part ln2 with fma), e^r by ex2.approx, 2^k from exponent bits. */
    public F exp(F x) {
        I k = m.imax(m.imin(m.toIntRni(m.mul(x, m.c(LOG2E))), m.ci(254)), m.ci(-252));
        F kf = m.fromInt(k);
        F r = m.fma(kf, m.c(-LN2_PARTS[0]), x);
        r = m.fma(kf, m.c(-LN2_PARTS[1]), r);
        return scaleBy2k(m.ex2(m.mul(r, m.c(LOG2E))), k);
    }

    /**
     * ln x: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m-1)/(m+1), a series in s^2 (|s| <= 0.172,
     * truncation 1e-11). Zero, negatives, subnormals, infinities and NaN take lg2.approx's (IEEE-shaped) result.
     */
    public F log(F x) {
        I bits = m.bits(x);
        I e = m.isub(m.shr(bits, 23), m.ci(127));
        F mant = m.fromBits(m.ior(m.iand(bits, m.ci(0x007fffff)), m.ci(0x3f800000)));
        B big = m.gt(mant, c(Math.sqrt(2)));
        mant = m.sel(big, m.mul(mant, c(0.5)), mant);
        e = m.seli(big, m.iadd(e, m.ci(1)), e);
        F f = m.sub(mant, c(1));
        F s = m.div(f, m.add(f, c(2)));
        F s2 = m.mul(s, s);
        F p = poly(s2, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3);
        F twoS = m.add(s, s);
        F lnM = m.fma(m.mul(twoS, s2), p, twoS);
        F ef = m.fromInt(e);
        F result = m.fma(ef, m.c(LN2_PARTS[0]), m.fma(ef, m.c(LN2_PARTS[1]), lnM));
        B normal = m.and(m.ge(x, m.c(Float.MIN_NORMAL)), m.lt(x, m.c(INF)));
        return m.sel(normal, result, m.mul(m.lg2(x), m.c(LN2_PARTS[0])));
    }

    /** ln(1+x) = ln(u) * x / (u-1) with u = 1+x (Goldberg): the rounding of u cancels out. */
    public F log1p(F x) {
        F u = m.add(x, c(1));
        F d = m.sub(u, c(1));
        F r = m.mul(log(u), m.div(x, d));
        r = m.sel(m.eq(d, c(0)), x, r);
        return m.sel(m.eq(u, m.c(INF)), u, r);
    }

    /** e^x - 1 = (u-1) * x / ln(u) with u = e^x (Kahan): exact u-1 and an accurate ln cancel exp's error. */
    public F expm1(F x) {
        F u = exp(x);
        F um1 = m.sub(u, c(1));
        F r = m.mul(um1, m.div(x, log(u)));
        r = m.sel(m.eq(um1, c(0)), x, r);
        r = m.sel(m.eq(um1, c(-1)), um1, r);
        return m.sel(m.eq(u, m.c(INF)), u, r);
    }

    /** Maclaurin coefficients of tanh, from tanh' = 1 - tanh^2: (2k+1) a_k = -sum a_i a_(k-1-i), highest first. */
    static final double[] TANH_SERIES = tanhSeries(12);

    private static double[] tanhSeries(int terms) {
        double[] a = new double[terms];
        a[0] = 1;
        for (int k = 1; k < terms; k++) {
            double sum = 0;
            for (int i = 0; i < k; i++) sum += a[i] * a[k - 1 - i];
            a[k] = -sum / (2 * k + 1);
        }
        double[] highestFirst = new double[terms - 1]; // a_1 .. a_(terms-1), for x + x^3 P(x^2)
        for (int k = 1; k < terms; k++) highestFirst[terms - 1 - k] = a[k];
        return highestFirst;
    }

    /**
     * tanh: the odd Maclaurin series below |x| = 0.55 (truncation 1e-9 relative), 1 - 2/(e^(2|x|)+1) above (exp's
     * error shrinks there); the sign restored last.
     */
    public F tanh(F x) {
        F a = m.abs(x);
        F a2 = m.mul(a, a);
        F series = m.fma(m.mul(a, a2), poly(a2, TANH_SERIES), a);
        F big = m.sub(c(1), m.div(c(2), m.add(exp(m.add(a, a)), c(1))));
        return m.copysign(x, m.sel(m.lt(a, c(0.55)), series, big));
    }

    public F sigmoid(F x) {
        return m.div(c(1), m.add(c(1), exp(m.neg(x))));
    }

    /**
     * erf: Maclaurin series below 0.5 (truncation 3e-9 relative), Abramowitz-Stegun 7.1.26 above (1.5e-7 absolute).
     */
    public F erf(F x) {
        F a = m.abs(x);
        F a2 = m.mul(a, a);
        double k = 2 / Math.sqrt(Math.PI);
        F series = m.mul(a, poly(a2, k / 9360, -k / 1320, k / 216, -k / 42, k / 10, -k / 3, k));
        F t = m.div(c(1), m.fma(c(0.3275911), a, c(1)));
        F q = m.mul(t, poly(t, 1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592));
        F tail = m.fma(m.neg(q), exp(m.neg(a2)), c(1));
        return m.copysign(x, m.sel(m.lt(a, c(0.5)), series, tail));
    }

    /** sin or cos: k = round(x 2/pi), r = x - k pi/2 (three-part pi/2 with fma), Taylor polynomials on |r| <= pi/4. */
    private F sinCos(F x, boolean cos) {
        F k = m.rni(m.mul(x, m.c(TWO_OVER_PI)));
        F r = m.fma(k, m.c(-PIO2_PARTS[0]), x);
        r = m.fma(k, m.c(-PIO2_PARTS[1]), r);
        r = m.fma(k, m.c(-PIO2_PARTS[2]), r);
        I q = m.iand(m.iadd(m.toIntRzi(k), m.ci(cos ? 1 : 0)), m.ci(3));
        F r2 = m.mul(r, r);
        F s = m.fma(m.mul(r, r2), poly(r2, 1.0 / 362880, -1.0 / 5040, 1.0 / 120, -1.0 / 6), r);
        F co = m.fma(r2, poly(r2, -1.0 / 3628800, 1.0 / 40320, -1.0 / 720, 1.0 / 24, -0.5), c(1));
        B odd = m.ieq(m.iand(q, m.ci(1)), m.ci(1));
        B negative = m.ieq(m.iand(q, m.ci(2)), m.ci(2));
        F v = m.sel(odd, co, s);
        return m.sel(negative, m.neg(v), v);
    }

    public F sin(F x) { return sinCos(x, false); }

    public F cos(F x) { return sinCos(x, true); }

    /** atan on [0, 1]: past tan(pi/8), atan a = pi/4 + atan((a-1)/(a+1)); then the series to u^17 (|u| <= 0.4143). */
    private F atanUnit(F a) {
        B big = m.gt(a, c(0.41421356237309503));
        F u = m.sel(big, m.div(m.sub(a, c(1)), m.add(a, c(1))), a);
        F base = m.sel(big, m.c(PIO4_F), c(0));
        F u2 = m.mul(u, u);
        F p = poly(u2, 1.0 / 17, -1.0 / 15, 1.0 / 13, -1.0 / 11, 1.0 / 9, -1.0 / 7, 1.0 / 5, -1.0 / 3);
        return m.add(base, m.fma(m.mul(u, u2), p, u));
    }

    /** C's atan2, signed zeros and infinities included. */
    public F atan2(F y, F x) {
        F ax = m.abs(x), ay = m.abs(y);
        F hi = m.max(ax, ay), lo = m.min(ax, ay);
        F a = m.div(lo, hi);
        a = m.sel(m.and(m.eq(hi, m.c(INF)), m.eq(lo, m.c(INF))), c(1), a);
        a = m.sel(m.eq(hi, c(0)), c(0), a);
        F t = atanUnit(a);
        t = m.sel(m.gt(ay, ax), m.sub(m.c(PIO2_F), t), t);
        t = m.sel(m.ilt(m.bits(x), m.ci(0)), m.sub(m.c(PI_F), t), t);
        return m.copysign(y, t);
    }

    /** A value as an unevaluated sum hi + lo of two floats (about 44 significant bits). */
    private record Pair<F>(F hi, F lo) {}

    /** hi + lo = a + b exactly, given |a| >= |b| (or a = 0). */
    private Pair<F> fastTwoSum(F a, F b) {
        F s = m.add(a, b);
        return new Pair<>(s, m.sub(b, m.sub(s, a)));
    }

    /** hi + lo = a + b exactly, any magnitudes (Knuth). */
    private Pair<F> twoSum(F a, F b) {
        F s = m.add(a, b);
        F bb = m.sub(s, a);
        return new Pair<>(s, m.add(m.sub(a, m.sub(s, bb)), m.sub(b, bb)));
    }

    /**
     * ln x for a positive finite x to about 2^-40 relative, as a pair: like {@link #log}, but s = f/(2+f) and the sum
     * e ln2 + 2s carried with their rounding errors; the series tail (at most 1% of the result) needs no such care.
     * Subnormals are scaled by 2^24 first.
     */
    private Pair<F> logPair(F x) {
        B subnormal = m.lt(x, m.c(Float.MIN_NORMAL));
        x = m.sel(subnormal, m.mul(x, c(0x1p24)), x);
        I bits = m.bits(x);
        I e = m.isub(m.shr(bits, 23), m.seli(subnormal, m.ci(127 + 24), m.ci(127)));
        F mant = m.fromBits(m.ior(m.iand(bits, m.ci(0x007fffff)), m.ci(0x3f800000)));
        B big = m.gt(mant, c(Math.sqrt(2)));
        mant = m.sel(big, m.mul(mant, c(0.5)), mant);
        e = m.seli(big, m.iadd(e, m.ci(1)), e);
        F f = m.sub(mant, c(1));
        Pair<F> d = fastTwoSum(c(2), f);
        F sHi = m.div(f, d.hi());
        F rem = m.fma(m.neg(sHi), d.hi(), f);
        rem = m.fma(m.neg(sHi), d.lo(), rem);
        F sLo = m.div(rem, d.hi());
        F s2 = m.mul(sHi, sHi);
        F twoS = m.add(sHi, sHi);
        F tail = m.mul(m.mul(twoS, s2), poly(s2, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3));
        Pair<F> lnM = fastTwoSum(twoS, m.add(m.add(sLo, sLo), tail));
        F ef = m.fromInt(e);
        F eHi = m.mul(ef, m.c(LN2_PARTS[0]));
        F eLo = m.fma(ef, m.c(LN2_PARTS[1]), m.fma(ef, m.c(LN2_PARTS[0]), m.neg(eHi)));
        Pair<F> sum = twoSum(eHi, lnM.hi());
        return fastTwoSum(sum.hi(), m.add(sum.lo(), m.add(eLo, lnM.lo())));
    }

    /**
     * C's powf: |a|^b = e^(b ln|a|) with ln|a| and the product carried to about 44 bits (so the error stays that of
     * exp however large b ln|a| is), the sign for negative a and odd integer b, and C's special cases.
     */
    public F pow(F a, F b) {
        F ax = m.abs(a);
        Pair<F> l = logPair(ax);
        F t = m.mul(b, l.hi());
        F tErr = m.fma(b, l.lo(), m.fma(b, l.hi(), m.neg(t)));
        tErr = m.sel(m.lt(m.abs(t), m.c(INF)), tErr, c(0));
        F e = exp(t);
        F r = m.sel(m.lt(e, m.c(INF)), m.fma(e, tErr, e), e); // inf * tErr + inf could be NaN
        B finitePositive = m.and(m.gt(ax, c(0)), m.lt(ax, m.c(INF)));
        r = m.sel(finitePositive, r, exp(m.mul(b, log(ax)))); // zero, infinite or NaN bases
        B integral = m.eq(m.rni(b), b);
        F half = m.mul(b, c(0.5));
        B odd = m.and(integral, m.ne(m.rni(half), half));
        B signBit = m.ilt(m.bits(a), m.ci(0));
        r = m.sel(m.and(signBit, odd), m.neg(r), r);
        B finiteNegative = m.and(m.lt(a, c(0)), m.gt(a, m.c(-INF)));
        r = m.sel(m.and(finiteNegative, m.not(integral)), m.c(Float.NaN), r);
        r = m.sel(m.eq(b, c(0)), c(1), r);
        r = m.sel(m.eq(a, c(1)), c(1), r);
        return m.sel(m.and(m.eq(a, c(-1)), m.eq(m.abs(b), m.c(INF))), c(1), r);
    }

    /**
     * fmod by one quotient: exact while |a/b| stays below 2^(mantissa bits); kc uses it for f64, whose sequences may
     * use only exact float operations (no bit tricks).
     */
    public F fmodShortQuotient(F a, F b) {
        F r = reduceStep(m.abs(a), m.abs(b));
        B finiteA = m.lt(m.abs(a), m.c(INF));
        r = m.sel(m.and(m.eq(m.abs(b), m.c(INF)), finiteA), m.abs(a), r);
        B invalid = m.or(m.or(m.eq(b, c(0)), m.not(finiteA)), m.ne(b, b));
        return m.sel(invalid, m.c(Float.NaN), m.copysign(a, r));
    }

    /** Unbiased exponent field of a float (-127 for zeros and subnormals, 128 for infinities and NaN). */
    private I exponent(F x) {
        return m.isub(m.iand(m.shr(m.bits(x), 23), m.ci(0xff)), m.ci(127));
    }

    /**
     * x - trunc(x/d) d for x, d >= 0 with x/d < 2^24: exact, since rn(x/d) never falls below the true quotient's
     * integer part, so the fma's result lies in (-d, d) on d's grid, and one +d repairs a quotient one too large.
     */
    private F reduceStep(F x, F d) {
        F q = m.rzi(m.div(x, d));
        F r = m.fma(m.neg(q), d, x);
        return m.sel(m.lt(r, c(0)), m.add(r, d), r);
    }

    /**
     * C's fmodf, exact like C's: |a| is reduced by |b| scaled by powers of two (an exact multiple of |b|) so that each
     * quotient stays below 2^24; 12 steps cover the whole exponent range, a last one with |b| itself finishes.
     */
    public F fmod(F a, F b) {
        F x = m.abs(a), y = m.abs(b);
        F yn = m.sel(m.lt(y, m.c(Float.MIN_NORMAL)), m.mul(y, c(0x1p24)), y); // subnormal divisors scaled to normal
        I ey = exponent(yn);
        for (int step = 0; step < 12; step++) {
            I gap = m.imax(m.isub(m.isub(exponent(x), ey), m.ci(23)), m.ci(0));
            x = reduceStep(x, scaleBy2k(yn, gap));
        }
        x = reduceStep(x, y);
        B finiteA = m.lt(m.abs(a), m.c(INF));
        x = m.sel(m.and(m.eq(y, m.c(INF)), finiteA), m.abs(a), x); // fmod(a, inf) = a
        B invalid = m.or(m.or(m.eq(y, c(0)), m.not(finiteA)), m.ne(b, b)); // b = 0, a infinite or NaN, b NaN
        return m.sel(invalid, m.c(Float.NaN), m.copysign(a, x));
    }
}
