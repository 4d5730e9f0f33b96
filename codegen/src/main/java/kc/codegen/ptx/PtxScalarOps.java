package kc.codegen.ptx;

import kc.ir.tile.ScalarType;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.UnOp;

import static kc.ir.tile.ScalarType.BOOL;
import static kc.ir.tile.ScalarType.F16;
import static kc.ir.tile.ScalarType.BF16;
import static kc.ir.tile.ScalarType.F32;
import static kc.ir.tile.ScalarType.F64;
import static kc.ir.tile.ScalarType.U32;

/**
 * The instructions for one lane of a unary, binary or cast expression. Halves compute in f32 and round back (as
 * PyTorch's half kernels do); f64 transcendentals go through the f32 sequences (accurate to f32, not to f64), and
 * f64 fmod is exact only for quotients below 2^53.
 */
final class PtxScalarOps {
    private PtxScalarOps() {}

    private static boolean half(ScalarType t) { return t == F16 || t == BF16; }

    static String widen(PtxKernelWriter w, String h, ScalarType t) {
        return w.op(t == F16 ? "cvt.f32.f16" : "cvt.f32.bf16", F32, h);
    }

    static String narrow(PtxKernelWriter w, String f, ScalarType t) {
        return w.op(t == F16 ? "cvt.rn.f16.f32" : "cvt.rn.bf16.f32", t, f);
    }

    private static boolean exact(UnOp op) {
        return switch (op) { case NEG, ABS, SQRT, RSQRT, RECIP, FLOOR, CEIL, ROUND_EVEN, SIGN, NOT, IS_NAN, ROUND_TF32, ROUND_TF32_FINITE -> true; default -> false; };
    }

    static String unary(PtxKernelWriter w, UnOp op, String a, ScalarType t) {
        if (half(t)) {
            String r = unary(w, op, widen(w, a, t), F32);
            return op == UnOp.IS_NAN ? r : narrow(w, r, t);
        }
        if (t == F64 && !exact(op)) return w.op("cvt.f64.f32", F64, unary(w, op, w.op("cvt.rn.f32.f64", F32, a), F32));
        String ar = PtxTypes.arith(t);
        var m = w.math(false);
        return switch (op) {
            case NEG -> t == BOOL ? a : w.op(t == U32 ? "neg.s32" : "neg." + ar, t, a);
            case ABS -> t == U32 || t == BOOL ? a : w.op("abs." + ar, t, a);
            case NOT -> w.op("not." + PtxTypes.bits(t), t, a);
            case IS_NAN -> w.op("setp.nan." + ar, BOOL, a, a);
            case ROUND_TF32 -> {
                String bits = w.op("cvt.rna.tf32.f32", U32, a), f = w.op("mov.b32", F32, bits);
                w.roundedToTf32(f, bits);
                yield f;
            }
            case ROUND_TF32_FINITE -> { // half a tf32 ulp added to the magnitude's bits, then the 13 low bits cleared
                String raw = w.op("mov.b32", U32, a);
                String bits = w.op("and.b32", U32, w.op("add.s32", U32, raw, "4096"), "-8192"), f = w.op("mov.b32", F32, bits);
                w.roundedToTf32(f, bits);
                yield f;
            }
            case SQRT -> w.op("sqrt.rn." + ar, t, a);
            case RECIP -> w.op("rcp.rn." + ar, t, a);
            case RSQRT -> w.op("rcp.rn." + ar, t, w.op("sqrt.rn." + ar, t, a));
            case FLOOR -> t.isFloat() ? w.op("cvt.rmi." + ar + "." + ar, t, a) : a;
            case CEIL -> t.isFloat() ? w.op("cvt.rpi." + ar + "." + ar, t, a) : a;
            case ROUND_EVEN -> t.isFloat() ? w.op("cvt.rni." + ar + "." + ar, t, a) : a;
            case SIGN -> sign(w, a, t);
            case EXP -> m.exp(a);
            case LOG -> m.log(a);
            case TANH -> m.tanh(a);
            case SIGMOID -> m.sigmoid(a);
            case ERF -> m.erf(a);
            case SIN -> m.sin(a);
            case COS -> m.cos(a);
            case LOG1P -> m.log1p(a);
            case EXPM1 -> m.expm1(a);
        };
    }

    /** 1 for positive, -1 for negative, the value itself for zeros and NaN. */
    private static String sign(PtxKernelWriter w, String a, ScalarType t) {
        if (t == BOOL) return a;
        String ar = PtxTypes.arith(t);
        String zero = w.constant(0, t), one = w.constant(1, t);
        String pos = w.op("setp.gt." + ar, BOOL, a, zero);
        if (t == U32) return w.select(pos, one, zero, t);
        String neg = w.op("setp.lt." + ar, BOOL, a, zero);
        return w.select(pos, one, w.select(neg, w.constant(-1, t), a, t), t);
    }

    static String binary(PtxKernelWriter w, BinOp op, String a, String b, ScalarType t) {
        if (op == BinOp.PACK_BF16X2) return w.op("cvt.rn.bf16x2.f32", U32, b, a); // the first source goes to the high half
        if (half(t)) {
            String r = binary(w, op, widen(w, a, t), widen(w, b, t), F32);
            return comparison(op) ? r : narrow(w, r, t);
        }
        if (t == BOOL) return boolBinary(w, op, a, b);
        if (t == F64 && (op == BinOp.POW || op == BinOp.ATAN2))
            return w.op("cvt.f64.f32", F64, binary(w, op, w.op("cvt.rn.f32.f64", F32, a), w.op("cvt.rn.f32.f64", F32, b), F32));
        String ar = PtxTypes.arith(t);
        if (comparison(op)) return w.op("setp." + cmp(op, t.isFloat()) + "." + ar, BOOL, a, b);
        if (t.isFloat()) {
            return switch (op) {
                case ADD -> w.op("add.rn." + ar, t, a, b);
                case SUB -> w.op("sub.rn." + ar, t, a, b);
                case MUL -> w.op("mul.rn." + ar, t, a, b);
                case DIV -> w.op("div.rn." + ar, t, a, b);
                case REM -> t == F64 ? w.math(true).fmodShortQuotient(a, b) : w.math(false).fmod(a, b);
                case MIN, MAX -> floatMinMax(w, op, a, b, t);
                case POW -> w.math(false).pow(a, b);
                case ATAN2 -> w.math(false).atan2(a, b);
                default -> throw new IllegalStateException("kernel " + w.kernelName() + ": " + op + " of " + t);
            };
        }
        String bits = PtxTypes.bits(t);
        return switch (op) {
            case ADD -> w.op("add." + ar, t, a, b);
            case SUB -> w.op("sub." + ar, t, a, b);
            case MUL -> w.op("mul.lo." + ar, t, a, b);
            case DIV -> w.op("div." + ar, t, a, b);
            case REM -> w.op("rem." + ar, t, a, b);
            case MIN -> w.op("min." + ar, t, a, b);
            case MAX -> w.op("max." + ar, t, a, b);
            case AND -> w.op("and." + bits, t, a, b);
            case OR -> w.op("or." + bits, t, a, b);
            case XOR -> w.op("xor." + bits, t, a, b);
            case SHL -> w.op("shl." + bits, t, a, shiftAmount(w, b, t));
            case SHR -> w.op("shr." + ar, t, a, shiftAmount(w, b, t));
            default -> throw new IllegalStateException("kernel " + w.kernelName() + ": " + op + " of " + t);
        };
    }

    private static boolean comparison(BinOp op) {
        return switch (op) { case EQ, NE, LT, LE, GT, GE -> true; default -> false; };
    }

    /** setp's comparison; float != is the unordered form so that NaN != x holds, as in C. */
    private static String cmp(BinOp op, boolean isFloat) {
        return switch (op) {
            case EQ -> "eq"; case NE -> isFloat ? "neu" : "ne"; case LT -> "lt"; case LE -> "le"; case GT -> "gt"; case GE -> "ge";
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    /** PTX shifts take a u32 amount whatever the operand width. */
    private static String shiftAmount(PtxKernelWriter w, String b, ScalarType t) {
        return t.bytes == 8 ? w.op("cvt.u32.u64", U32, b) : b;
    }

    /** PyTorch's maximum/minimum: NaN if either side is NaN. */
    private static String floatMinMax(PtxKernelWriter w, BinOp op, String a, String b, ScalarType t) {
        String name = op == BinOp.MIN ? "min" : "max";
        if (t == F32) return w.op(name + ".NaN.f32", t, a, b);
        String r = w.op(name + ".f64", t, a, b);
        String anyNan = w.op("setp.nan.f64", BOOL, a, b);
        return w.select(anyNan, w.op("add.rn.f64", t, a, b), r, t);
    }

    private static String boolBinary(PtxKernelWriter w, BinOp op, String a, String b) {
        return switch (op) {
            case AND -> w.op("and.pred", BOOL, a, b);
            case OR -> w.op("or.pred", BOOL, a, b);
            case XOR, NE -> w.op("xor.pred", BOOL, a, b);
            case EQ -> w.op("not.pred", BOOL, w.op("xor.pred", BOOL, a, b));
            case LT, LE, GT, GE -> binary(w, op, cast(w, a, BOOL, U32), cast(w, b, BOOL, U32), U32);
            default -> throw new IllegalStateException("kernel " + w.kernelName() + ": " + op + " of bool");
        };
    }

    /** Conversions with C's meaning: float to int truncates, to bool is != 0 (NaN is true), narrowing floats round to nearest even. */
    static String cast(PtxKernelWriter w, String a, ScalarType from, ScalarType to) {
        if (from == to) return a;
        if (to == BOOL) {
            if (half(from)) return cast(w, widen(w, a, from), F32, BOOL);
            return w.op("setp." + (from.isFloat() ? "neu" : "ne") + "." + PtxTypes.arith(from), BOOL, a, w.constant(0, from));
        }
        if (from == BOOL) return w.select(a, w.constant(1, to), w.constant(0, to), to);
        if (from == BF16) return cast(w, widen(w, a, from), F32, to);
        if (to == BF16) return narrow(w, from == F32 ? a : cast(w, a, from, F32), BF16);
        String src = cvtType(from), dst = cvtType(to);
        if (from.isFloat() && to.isFloat()) {
            boolean narrowing = to.bytes < from.bytes;
            return w.op("cvt" + (narrowing ? ".rn." : ".") + dst + "." + src, to, a);
        }
        if (from.isFloat()) return w.op("cvt.rzi." + dst + "." + src, to, a);
        if (to.isFloat()) return w.op("cvt.rn." + dst + "." + src, to, a);
        // integer to integer: widen by the source's signedness, narrow by truncation
        if (from.bytes == to.bytes) return w.op("mov.b" + (8 * to.bytes), to, a);
        if (to.bytes > from.bytes) return w.op("cvt." + (from == U32 ? "u64.u32" : "s64.s32"), to, a);
        return w.op("cvt.u32.u64", to, a);
    }

    private static String cvtType(ScalarType t) {
        return switch (t) {
            case F32 -> "f32"; case F64 -> "f64"; case F16 -> "f16"; case BF16 -> "bf16";
            case I32 -> "s32"; case U32 -> "u32"; case I64 -> "s64"; case BOOL -> "pred";
        };
    }
}
