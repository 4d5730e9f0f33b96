package kc.codegen.ptx;

/**
 * {@link MathOps} printed as PTX into a kernel's code: values are register names or immediates. The float width is
 * f32, or f64 for the sequences that use only exact operations (fmod).
 */
final class PtxOps implements MathOps<String, String, String> {
    private final PtxCode code;
    private final boolean f64;
    private final String ft, fp;

    PtxOps(PtxCode code, boolean f64) {
        this.code = code;
        this.f64 = f64;
        this.ft = f64 ? "f64" : "f32";
        this.fp = f64 ? "%fd" : "%f";
    }

    private String f() { return code.reg(fp, ft); }
    private String i() { return code.reg("%r", "b32"); }
    private String p() { return code.reg("%p", "pred"); }

    private String f(String op, String... args) {
        String d = f();
        code.emit(op, d, args);
        return d;
    }

    private String i(String op, String... args) {
        String d = i();
        code.emit(op, d, args);
        return d;
    }

    private String p(String op, String a, String b) {
        String d = p();
        code.emit(op, d, a, b);
        return d;
    }

    private void need32(String what) { if (f64) throw new IllegalStateException(what + " has no f64 form"); }

    @Override public String c(float v) { return f64 ? PtxTypes.literal(v, kc.ir.tile.ScalarType.F64) : PtxTypes.f32(v); }
    @Override public String ci(int v) { return Integer.toString(v); }
    @Override public String add(String a, String b) { return f("add.rn." + ft, a, b); }
    @Override public String sub(String a, String b) { return f("sub.rn." + ft, a, b); }
    @Override public String mul(String a, String b) { return f("mul.rn." + ft, a, b); }
    @Override public String fma(String a, String b, String c) { return f("fma.rn." + ft, a, b, c); }
    @Override public String div(String a, String b) { return f("div.rn." + ft, a, b); }
    @Override public String neg(String a) { return f("neg." + ft, a); }
    @Override public String abs(String a) { return f("abs." + ft, a); }
    @Override public String ex2(String a) { need32("ex2"); return f("ex2.approx.ftz.f32", a); }
    @Override public String lg2(String a) { need32("lg2"); return f("lg2.approx.f32", a); }
    @Override public String rni(String a) { return f("cvt.rni." + ft + "." + ft, a); }
    @Override public String rzi(String a) { return f("cvt.rzi." + ft + "." + ft, a); }
    @Override public String min(String a, String b) { need32("min.NaN"); return f("min.NaN.f32", a, b); }
    @Override public String max(String a, String b) { need32("max.NaN"); return f("max.NaN.f32", a, b); }
    @Override public String copysign(String sign, String mag) { return f("copysign." + ft, sign, mag); }
    @Override public String sel(String cond, String a, String b) { return f("selp." + ft, a, b, cond); }
    @Override public String fromInt(String a) { need32("fromInt"); return f("cvt.rn.f32.s32", a); }
    @Override public String fromBits(String a) { need32("fromBits"); return f("mov.b32", a); }
    @Override public String toIntRzi(String a) { need32("toIntRzi"); return i("cvt.rzi.s32.f32", a); }
    @Override public String toIntRni(String a) { need32("toIntRni"); return i("cvt.rni.s32.f32", a); }
    @Override public String bits(String a) { need32("bits"); return i("mov.b32", a); }
    @Override public String iadd(String a, String b) { return i("add.s32", a, b); }
    @Override public String isub(String a, String b) { return i("sub.s32", a, b); }
    @Override public String iand(String a, String b) { return i("and.b32", a, b); }
    @Override public String ior(String a, String b) { return i("or.b32", a, b); }
    @Override public String shl(String a, int n) { return i("shl.b32", a, Integer.toString(n)); }
    @Override public String shr(String a, int n) { return i("shr.s32", a, Integer.toString(n)); }
    @Override public String imin(String a, String b) { return i("min.s32", a, b); }
    @Override public String imax(String a, String b) { return i("max.s32", a, b); }
    @Override public String seli(String cond, String a, String b) { return i("selp.b32", a, b, cond); }
    @Override public String eq(String a, String b) { return p("setp.eq." + ft, a, b); }
    @Override public String ne(String a, String b) { return p("setp.neu." + ft, a, b); }
    @Override public String lt(String a, String b) { return p("setp.lt." + ft, a, b); }
    @Override public String le(String a, String b) { return p("setp.le." + ft, a, b); }
    @Override public String gt(String a, String b) { return p("setp.gt." + ft, a, b); }
    @Override public String ge(String a, String b) { return p("setp.ge." + ft, a, b); }
    @Override public String ieq(String a, String b) { return p("setp.eq.s32", a, b); }
    @Override public String ilt(String a, String b) { return p("setp.lt.s32", a, b); }
    @Override public String and(String a, String b) { return p("and.pred", a, b); }
    @Override public String or(String a, String b) { return p("or.pred", a, b); }
    @Override public String not(String a) { String d = p(); code.emit("not.pred", d, a); return d; }
}
