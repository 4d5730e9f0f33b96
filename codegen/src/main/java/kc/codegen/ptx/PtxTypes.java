package kc.codegen.ptx;

import java.util.HexFormat;

import kc.ir.tile.ScalarType;

/** How kc's scalar types live in PTX: register classes, instruction suffixes, memory types and literals. */
final class PtxTypes {
    private PtxTypes() {}

    /** The register declaration type. */
    static String regType(ScalarType t) {
        return switch (t) {
            case F32 -> "f32"; case F64 -> "f64"; case F16, BF16 -> "b16";
            case I32, U32 -> "b32"; case I64 -> "b64"; case BOOL -> "pred";
        };
    }

    /** Register name prefix; one per register class. */
    static String regPrefix(ScalarType t) {
        return switch (t) {
            case F32 -> "%f"; case F64 -> "%fd"; case F16, BF16 -> "%h";
            case I32, U32 -> "%r"; case I64 -> "%rd"; case BOOL -> "%p";
        };
    }

    /** The suffix of arithmetic and comparison instructions (signedness matters for div, rem, shr, min, setp). */
    static String arith(ScalarType t) {
        return switch (t) {
            case F32 -> "f32"; case F64 -> "f64"; case I32 -> "s32"; case U32 -> "u32"; case I64 -> "s64";
            case F16, BF16 -> "b16"; case BOOL -> "pred";
        };
    }

    /** The suffix of bitwise instructions and moves. */
    static String bits(ScalarType t) {
        return switch (t) {
            case F32, I32, U32 -> "b32"; case F64, I64 -> "b64"; case F16, BF16 -> "b16"; case BOOL -> "pred";
        };
    }

    /** The type of loads and stores; bools are bytes, moved through b16 registers. */
    static String mem(ScalarType t) {
        return switch (t) {
            case F32 -> "f32"; case F64 -> "f64"; case F16, BF16 -> "b16";
            case I32 -> "s32"; case U32 -> "u32"; case I64 -> "s64"; case BOOL -> "u8";
        };
    }

    /** A literal of the type, as PTX writes immediates (bools have none: predicates are set, not loaded). */
    static String literal(double v, ScalarType t) {
        return switch (t) {
            case F32 -> f32(v);
            case F64 -> "0d" + HEX.toHexDigits(Double.doubleToRawLongBits(v));
            case F16 -> "0x" + HEX.toHexDigits(Float.floatToFloat16((float) v));
            case BF16 -> "0x" + HEX.toHexDigits((short) bf16Bits((float) v));
            case I32 -> Integer.toString((int) (long) v);
            case U32 -> Long.toString((long) v & 0xffffffffL);
            case I64 -> Long.toString((long) v);
            case BOOL -> v != 0 ? "1" : "0";
        };
    }

    static String f32(double v) { return "0f" + HEX.toHexDigits(Float.floatToRawIntBits((float) v)); }

    /** Upper-case hex digits, all of the width's (String.format was a tenth of rendering an RNN). */
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** The bfloat16 nearest to f (ties to even), NaN kept quiet. */
    static int bf16Bits(float f) {
        int b = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return ((b >>> 16) | 0x40) & 0xffff;
        int rounding = 0x7fff + ((b >>> 16) & 1);
        return ((b + rounding) >>> 16) & 0xffff;
    }
}
