package kc.codegen.ptx;

/**
 * The instructions kc's f32 math sequences ({@link PtxMath}) are written in. The PTX renderer implements it by
 * printing instructions; a plain-Java implementation in the tests evaluates the very same sequences, so their
 * accuracy is proven against {@code java.lang.Math} without a GPU.
 *
 * @param <F> an f32 value, @param <I> an s32 value, @param <B> a predicate
 */
public interface MathOps<F, I, B> {
    F c(float v);
    I ci(int v);

    F add(F a, F b);
    F sub(F a, F b);
    F mul(F a, F b);
    F fma(F a, F b, F c);
    /** div.rn.f32: correctly rounded. */
    F div(F a, F b);
    F neg(F a);
    F abs(F a);
    /** ex2.approx.ftz.f32: about 2 ulp relative error, subnormal results flushed to zero. */
    F ex2(F a);
    /** lg2.approx.f32: absolute error about 2^-22. */
    F lg2(F a);
    /** cvt.rni.f32.f32: round to the nearest integer, ties to even. */
    F rni(F a);
    /** cvt.rzi.f32.f32: round toward zero to an integer. */
    F rzi(F a);
    /** min/max.NaN.f32: NaN in, NaN out. */
    F min(F a, F b);
    F max(F a, F b);
    /** The magnitude of {@code mag} with the sign of {@code sign}. */
    F copysign(F sign, F mag);
    F sel(B cond, F a, F b);
    /** cvt.rn.f32.s32. */
    F fromInt(I a);
    /** The float whose bits are {@code a} (mov.b32). */
    F fromBits(I a);

    /** cvt.rzi.s32.f32: truncates, saturates, NaN gives 0. */
    I toIntRzi(F a);
    /** cvt.rni.s32.f32: rounds to nearest even, saturates, NaN gives 0. */
    I toIntRni(F a);
    I bits(F a);
    I iadd(I a, I b);
    I isub(I a, I b);
    I iand(I a, I b);
    I ior(I a, I b);
    I shl(I a, int n);
    /** Arithmetic shift right. */
    I shr(I a, int n);
    I imin(I a, I b);
    I imax(I a, I b);
    I seli(B cond, I a, I b);

    /** Ordered comparisons (false when either side is NaN), except {@link #ne}, which is true for NaN. */
    B eq(F a, F b);
    B ne(F a, F b);
    B lt(F a, F b);
    B le(F a, F b);
    B gt(F a, F b);
    B ge(F a, F b);
    B ieq(I a, I b);
    B ilt(I a, I b);
    B and(B a, B b);
    B or(B a, B b);
    B not(B a);
}
