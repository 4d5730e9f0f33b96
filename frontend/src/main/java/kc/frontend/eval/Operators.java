package kc.frontend.eval;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.ast.Expr.BinOpKind;

/**
 * Python arithmetic and ordering on plain values (int, float, bool, str, tuple, list) with Python's semantics:
 * floor division and modulo round toward negative infinity, int ** non-negative int stays an int, true division
 * is always a float, bool behaves as int. Returns null for operand types it does not handle, so the caller can
 * try dunder methods and report a TypeError.
 */
final class Operators {
    private Operators() {}

    static boolean isIntLike(Object v) { return v instanceof Long || v instanceof Boolean; }
    static boolean isNumber(Object v) { return v instanceof Long || v instanceof Double || v instanceof Boolean; }

    static long asLong(Object v) { return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v; }
    static double asDouble(Object v) {
        if (v instanceof Double d) return d;
        if (v instanceof Boolean b) return b ? 1 : 0;
        return (Long) v;
    }

    /** Thrown for ZeroDivisionError and integer overflow; the caller turns it into a Python exception. */
    static final class ArithmeticFailure extends RuntimeException {
        final String pyType;
        ArithmeticFailure(String pyType, String message) { super(message, null, false, false); this.pyType = pyType; }
    }

    static Object binary(BinOpKind op, Object l, Object r) {
        if (isNumber(l) && isNumber(r)) return numeric(op, l, r);
        if (l instanceof String a) {
            if (op == BinOpKind.ADD && r instanceof String b) return a + b;
            if (op == BinOpKind.MUL && isIntLike(r)) return a.repeat((int) Math.max(0, asLong(r)));
            return null;
        }
        if (r instanceof String b && op == BinOpKind.MUL && isIntLike(l)) return b.repeat((int) Math.max(0, asLong(l)));
        if (l instanceof Py.Tuple a) {
            if (op == BinOpKind.ADD && r instanceof Py.Tuple b) return new Py.Tuple(concat(a.items(), b.items()));
            if (op == BinOpKind.MUL && isIntLike(r)) return new Py.Tuple(repeat(a.items(), asLong(r)));
            return null;
        }
        if (r instanceof Py.Tuple b && op == BinOpKind.MUL && isIntLike(l)) return new Py.Tuple(repeat(b.items(), asLong(l)));
        if (l instanceof Py.PyList a) {
            if (op == BinOpKind.ADD && r instanceof Py.PyList b) return new Py.PyList(concat(a.items, b.items));
            if (op == BinOpKind.MUL && isIntLike(r)) return new Py.PyList(repeat(a.items, asLong(r)));
            return null;
        }
        if (r instanceof Py.PyList b && op == BinOpKind.MUL && isIntLike(l)) return new Py.PyList(repeat(b.items, asLong(l)));
        return null;
    }

    private static List<Object> concat(List<Object> a, List<Object> b) {
        List<Object> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return out;
    }

    private static List<Object> repeat(List<Object> a, long n) {
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < n; i++) out.addAll(a);
        return out;
    }

    private static Object numeric(BinOpKind op, Object l, Object r) {
        boolean ints = isIntLike(l) && isIntLike(r);
        if (ints) {
            long a = asLong(l), b = asLong(r);
            boolean bools = l instanceof Boolean && r instanceof Boolean;
            try {
                return switch (op) {
                    case ADD -> Math.addExact(a, b);
                    case SUB -> Math.subtractExact(a, b);
                    case MUL -> Math.multiplyExact(a, b);
                    case DIV -> {
                        if (b == 0) throw new ArithmeticFailure("ZeroDivisionError", "division by zero");
                        yield (double) a / (double) b;
                    }
                    case FLOORDIV -> {
                        if (b == 0) throw new ArithmeticFailure("ZeroDivisionError", "integer division or modulo by zero");
                        yield Math.floorDiv(a, b);
                    }
                    case MOD -> {
                        if (b == 0) throw new ArithmeticFailure("ZeroDivisionError", "integer modulo by zero");
                        yield Math.floorMod(a, b);
                    }
                    case POW -> {
                        if (b >= 0) yield intPow(a, b);
                        if (a == 0) throw new ArithmeticFailure("ZeroDivisionError", "0.0 cannot be raised to a negative power");
                        yield Math.pow(a, b);
                    }
                    case LSHIFT -> {
                        if (b < 0) throw new ArithmeticFailure("ValueError", "negative shift count");
                        if (b >= 63 || (a != 0 && Long.numberOfLeadingZeros(Math.abs(a)) <= b + 1))
                            throw new ArithmeticFailure("OverflowError", "integer too large for kc (64-bit)");
                        yield a << b;
                    }
                    case RSHIFT -> {
                        if (b < 0) throw new ArithmeticFailure("ValueError", "negative shift count");
                        yield a >> Math.min(b, 63);
                    }
                    case BITAND -> bools ? (Object) ((a & b) != 0) : (Object) (a & b);
                    case BITOR -> bools ? (Object) ((a | b) != 0) : (Object) (a | b);
                    case BITXOR -> bools ? (Object) ((a ^ b) != 0) : (Object) (a ^ b);
                    case MATMUL -> null;
                };
            } catch (ArithmeticException overflow) {
                throw new ArithmeticFailure("OverflowError", "integer too large for kc (64-bit)");
            }
        }
        double a = asDouble(l), b = asDouble(r);
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> {
                if (b == 0) throw new ArithmeticFailure("ZeroDivisionError", "float division by zero");
                yield a / b;
            }
            case FLOORDIV -> {
                if (b == 0) throw new ArithmeticFailure("ZeroDivisionError", "float floor division by zero");
                yield floorDiv(a, b);
            }
            case MOD -> {
                if (b == 0) throw new ArithmeticFailure("ZeroDivisionError", "float modulo");
                double m = a % b;
                if (m != 0 && (m < 0) != (b < 0)) m += b;
                yield m == 0 ? Math.copySign(0.0, b) : m;
            }
            case POW -> {
                if (a == 0 && b < 0) throw new ArithmeticFailure("ZeroDivisionError", "0.0 cannot be raised to a negative power");
                if (a < 0 && b != Math.rint(b))
                    throw new ArithmeticFailure("ValueError", "negative number raised to a fractional power (complex result)");
                double p = Math.pow(a, b);
                if (Double.isInfinite(p) && Double.isFinite(a) && Double.isFinite(b))
                    throw new ArithmeticFailure("OverflowError", "(34, 'Numerical result out of range')");
                yield p;
            }
            default -> null;
        };
    }

    /** CPython's float floor division: exact for cases like 7 // 0.1 == 69.0 (not floor(7 / 0.1) == 70.0). */
    static double floorDiv(double a, double b) {
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1.0;
        if (div == 0) return Math.copySign(0.0, a / b);
        double floor = Math.floor(div);
        if (div - floor > 0.5) floor += 1.0;
        return floor;
    }

    /** int(float): truncation, with NaN, infinities and values beyond 64 bits as Python's errors. */
    static long truncate(double d) {
        if (Double.isNaN(d)) throw new ArithmeticFailure("ValueError", "cannot convert float NaN to integer");
        if (Double.isInfinite(d)) throw new ArithmeticFailure("OverflowError", "cannot convert float infinity to integer");
        if (d >= 0x1p63 || d < -0x1p63) throw new ArithmeticFailure("OverflowError", "integer too large for kc (64-bit)");
        return (long) d;
    }

    private static long intPow(long base, long exp) {
        long result = 1;
        while (exp > 0) {
            if ((exp & 1) != 0) result = Math.multiplyExact(result, base);
            exp >>= 1;
            if (exp > 0) base = Math.multiplyExact(base, base);
        }
        return result;
    }

    /**
     * Three-way comparison of orderable plain values (numbers, strings, tuples and lists of those), or null
     * when Python would raise a TypeError. {@code eq} compares elements of sequences for equality.
     */
    static Integer order(Object l, Object r, java.util.function.BiPredicate<Object, Object> eq,
                         java.util.function.BiFunction<Object, Object, Integer> elementOrder) {
        if (isNumber(l) && isNumber(r)) {
            if (isIntLike(l) && isIntLike(r)) return Long.compare(asLong(l), asLong(r));
            return Double.compare(asDouble(l), asDouble(r));
        }
        if (l instanceof String a && r instanceof String b) return Integer.signum(a.compareTo(b));
        List<Object> a = null, b = null;
        if (l instanceof Py.Tuple t && r instanceof Py.Tuple u) { a = t.items(); b = u.items(); }
        if (l instanceof Py.PyList t && r instanceof Py.PyList u) { a = t.items; b = u.items; }
        if (a == null) return null;
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            if (eq.test(a.get(i), b.get(i))) continue;
            return elementOrder.apply(a.get(i), b.get(i));
        }
        return Integer.compare(a.size(), b.size());
    }
}
