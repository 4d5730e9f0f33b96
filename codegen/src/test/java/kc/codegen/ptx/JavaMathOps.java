package kc.codegen.ptx;

/**
 * {@link MathOps} evaluated in Java with PTX's f32 semantics. The approximate units (ex2, lg2) are modelled as the
 * exact value plus an error at the bound PTX documents, with a sign that varies from call to call, so the tests
 * show that the sequences stay accurate whatever the hardware's rounding.
 */
final class JavaMathOps implements MathOps<Float, Integer, Boolean> {
    private int calls;

    /** +1 or -1, alternating pseudo-randomly. */
    private int errorSign() { calls = calls * 1103515245 + 12345; return (calls & 0x10000) != 0 ? 1 : -1; }

    @Override public Float c(float v) { return v; }
    @Override public Integer ci(int v) { return v; }
    @Override public Float add(Float a, Float b) { return a + b; }
    @Override public Float sub(Float a, Float b) { return a - b; }
    @Override public Float mul(Float a, Float b) { return a * b; }
    @Override public Float fma(Float a, Float b, Float c) { return Math.fma((float) a, (float) b, (float) c); }
    @Override public Float div(Float a, Float b) { return a / b; }
    @Override public Float neg(Float a) { return -a; }
    @Override public Float abs(Float a) { return Math.abs(a); }

    @Override public Float ex2(Float a) {
        double exact = Math.pow(2, a);
        if (Double.isNaN(exact) || Double.isInfinite(exact) || exact == 0) return (float) exact;
        float v = (float) (exact * (1 + errorSign() * 0x1p-22));
        return Math.abs(v) < Float.MIN_NORMAL ? 0f : v;
    }

    @Override public Float lg2(Float a) {
        double exact = Math.log(a) / Math.log(2);
        if (Double.isNaN(exact) || Double.isInfinite(exact)) return (float) exact;
        return (float) (exact + errorSign() * 0x1p-22);
    }

    @Override public Float rni(Float a) { return (float) Math.rint(a); }
    @Override public Float rzi(Float a) { return a < 0 ? (float) Math.ceil(a) : (float) Math.floor(a); }
    @Override public Float min(Float a, Float b) { return Math.min(a, b); }
    @Override public Float max(Float a, Float b) { return Math.max(a, b); }
    @Override public Float copysign(Float sign, Float mag) { return Math.copySign(mag, sign); }
    @Override public Float sel(Boolean cond, Float a, Float b) { return cond ? a : b; }
    @Override public Float fromInt(Integer a) { return (float) a; }
    @Override public Float fromBits(Integer a) { return Float.intBitsToFloat(a); }
    @Override public Integer toIntRzi(Float a) { return (int) (float) a; }
    @Override public Integer toIntRni(Float a) { return (int) Math.rint(a); }
    @Override public Integer bits(Float a) { return Float.floatToRawIntBits(a); }
    @Override public Integer iadd(Integer a, Integer b) { return a + b; }
    @Override public Integer isub(Integer a, Integer b) { return a - b; }
    @Override public Integer iand(Integer a, Integer b) { return a & b; }
    @Override public Integer ior(Integer a, Integer b) { return a | b; }
    @Override public Integer shl(Integer a, int n) { return a << n; }
    @Override public Integer shr(Integer a, int n) { return a >> n; }
    @Override public Integer imin(Integer a, Integer b) { return Math.min(a, b); }
    @Override public Integer imax(Integer a, Integer b) { return Math.max(a, b); }
    @Override public Integer seli(Boolean cond, Integer a, Integer b) { return cond ? a : b; }
    @Override public Boolean eq(Float a, Float b) { return (float) a == (float) b; }
    @Override public Boolean ne(Float a, Float b) { return (float) a != (float) b; }
    @Override public Boolean lt(Float a, Float b) { return a < b; }
    @Override public Boolean le(Float a, Float b) { return a <= b; }
    @Override public Boolean gt(Float a, Float b) { return a > b; }
    @Override public Boolean ge(Float a, Float b) { return a >= b; }
    @Override public Boolean ieq(Integer a, Integer b) { return (int) a == (int) b; }
    @Override public Boolean ilt(Integer a, Integer b) { return a < b; }
    @Override public Boolean and(Boolean a, Boolean b) { return a && b; }
    @Override public Boolean or(Boolean a, Boolean b) { return a || b; }
    @Override public Boolean not(Boolean a) { return !a; }
}
