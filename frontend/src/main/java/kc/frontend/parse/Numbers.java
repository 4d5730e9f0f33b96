package kc.frontend.parse;

import java.math.BigInteger;
import kc.frontend.CompileError;
import kc.frontend.ast.Pos;

/** The value of a NUMBER token: Long when an int fits, BigInteger when not, Double for floats. */
final class Numbers {
    private Numbers() {}

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    static Object value(String file, Pos pos, String token) {
        String s = token.indexOf('_') < 0 ? token : token.replace("_", "");
        char last = s.charAt(s.length() - 1);
        if (last == 'j' || last == 'J') throw new CompileError(file, pos, "complex numbers are not supported");
        if (s.length() > 1 && s.charAt(0) == '0') {
            int radix = switch (s.charAt(1)) {
                case 'x', 'X' -> 16;
                case 'o', 'O' -> 8;
                case 'b', 'B' -> 2;
                default -> 0;
            };
            if (radix != 0) return integer(new BigInteger(s.substring(2), radix));
        }
        boolean isFloat = s.indexOf('.') >= 0 || s.indexOf('e') >= 0 || s.indexOf('E') >= 0;
        if (isFloat) return Double.parseDouble(s);
        if (s.length() < 19) return Long.parseLong(s);
        return integer(new BigInteger(s));
    }

    private static Object integer(BigInteger v) {
        return v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0 ? (Object) v.longValue() : v;
    }
}
