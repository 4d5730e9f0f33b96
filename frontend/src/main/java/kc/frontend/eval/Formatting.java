package kc.frontend.eval;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Python's text forms: float repr, the format-spec mini-language, str.format and printf-style %. */
final class Formatting {
    private Formatting() {}

    /** repr(float) as Python prints it: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int exp = digits.length() - 1 - bd.scale(); // decimal exponent of the first digit
        String sign = d < 0 ? "-" : "";
        if (exp < -4 || exp >= 16) {
            String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (exp >= digits.length() - 1) return sign + digits + "0".repeat(exp - digits.length() + 1) + ".0";
        if (exp >= 0) return sign + digits.substring(0, exp + 1) + "." + digits.substring(exp + 1);
        return sign + "0." + "0".repeat(-exp - 1) + digits;
    }

    /** Python string literal form. */
    static String strRepr(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c == q) sb.append('\\').append(c);
                    else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\x%02x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append(q).toString();
    }

    /**
     * format(value, spec): [[fill]align][sign][#][0][width][,|_][.precision][type] for ints, floats and strings.
     * {@code str} renders any other value (used when spec is empty or for non-numbers).
     */
    static String format(Object value, String spec, Function<Object, String> str) {
        if (spec.isEmpty()) return str.apply(value);
        int i = 0, n = spec.length();
        char fill = ' ', align = 0;
        if (n >= 2 && "<>=^".indexOf(spec.charAt(1)) >= 0) { fill = spec.charAt(0); align = spec.charAt(1); i = 2; }
        else if (n >= 1 && "<>=^".indexOf(spec.charAt(0)) >= 0) { align = spec.charAt(0); i = 1; }
        char sign = '-';
        if (i < n && "+- ".indexOf(spec.charAt(i)) >= 0) sign = spec.charAt(i++);
        boolean alt = false;
        if (i < n && spec.charAt(i) == '#') { alt = true; i++; }
        if (i < n && spec.charAt(i) == '0') { if (align == 0) { fill = '0'; align = '='; } i++; }
        int width = 0;
        while (i < n && Character.isDigit(spec.charAt(i))) width = width * 10 + (spec.charAt(i++) - '0');
        char grouping = 0;
        if (i < n && (spec.charAt(i) == ',' || spec.charAt(i) == '_')) grouping = spec.charAt(i++);
        int precision = -1;
        if (i < n && spec.charAt(i) == '.') {
            i++;
            precision = 0;
            while (i < n && Character.isDigit(spec.charAt(i))) precision = precision * 10 + (spec.charAt(i++) - '0');
        }
        char type = i < n ? spec.charAt(i) : 0;
        String body;
        boolean numeric = Operators.isNumber(value);
        if (numeric && value instanceof Double && "dxXobc".indexOf(type) >= 0 && type != 0)
            throw new IllegalArgumentException("Unknown format code '" + type + "' for object of type 'float'");
        if (numeric) {
            boolean neg;
            String prefix = ""; // 0x/0o/0b: zero padding goes between it and the digits
            if (type == 0 && Operators.isIntLike(value) || type == 'd' || type == 'n') {
                long v = Operators.asLong(value instanceof Double d ? (Object) (long) (double) d : value);
                neg = v < 0;
                body = group(Long.toString(Math.abs(v)), grouping);
            } else if (type == 'x' || type == 'X' || type == 'o' || type == 'b') {
                long v = Operators.asLong(value);
                neg = v < 0;
                body = switch (type) {
                    case 'x' -> Long.toHexString(Math.abs(v));
                    case 'X' -> Long.toHexString(Math.abs(v)).toUpperCase();
                    case 'o' -> Long.toOctalString(Math.abs(v));
                    default -> Long.toBinaryString(Math.abs(v));
                };
                if (alt) prefix = "0" + type;
            } else {
                double v = Operators.asDouble(value);
                neg = v < 0 || (v == 0 && 1 / v < 0);
                double a = Math.abs(v);
                body = switch (type) {
                    case 'f', 'F' -> fixed(a, precision < 0 ? 6 : precision);
                    case 'e', 'E' -> sci(a, precision < 0 ? 6 : precision, type == 'E');
                    case '%' -> fixed(a * 100, precision < 0 ? 6 : precision) + "%";
                    case 'g', 'G' -> general(a, precision < 0 ? 6 : Math.max(precision, 1), alt);
                    default -> precision < 0 ? floatRepr(a) : general(a, Math.max(precision, 1), true);
                };
                if (Double.isNaN(v)) body = "nan";
                else if (Double.isInfinite(v)) body = "inf";
                if (grouping != 0 && !Double.isNaN(v) && !Double.isInfinite(v)) {
                    int end = 0;
                    while (end < body.length() && Character.isDigit(body.charAt(end))) end++;
                    body = group(body.substring(0, end), grouping) + body.substring(end);
                }
            }
            String signStr = (neg ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "") + prefix;
            return pad(signStr, body, width, fill, align == 0 ? '>' : align);
        }
        body = str.apply(value);
        if (precision >= 0 && body.length() > precision) body = body.substring(0, precision);
        return pad("", body, width, fill, align == 0 ? '<' : align);
    }

    private static String group(String digits, char sep) {
        if (sep == 0) return digits;
        StringBuilder sb = new StringBuilder();
        int len = digits.length();
        for (int i = 0; i < len; i++) {
            if (i > 0 && (len - i) % 3 == 0) sb.append(sep);
            sb.append(digits.charAt(i));
        }
        return sb.toString();
    }

    private static String pad(String sign, String body, int width, char fill, char align) {
        int padding = width - sign.length() - body.length();
        if (padding <= 0) return sign + body;
        String f = String.valueOf(fill).repeat(padding);
        return switch (align) {
            case '<' -> sign + body + f;
            case '=' -> sign + f + body;
            case '^' -> String.valueOf(fill).repeat(padding / 2) + sign + body + String.valueOf(fill).repeat(padding - padding / 2);
            default -> f + sign + body;
        };
    }

    private static String fixed(double a, int precision) {
        return new BigDecimal(a).setScale(precision, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String sci(double a, int precision, boolean upper) {
        String s = String.format("%." + precision + "e", a); // Java: 1.500000e+00
        if (upper) s = s.toUpperCase();
        return s;
    }

    private static String general(double a, int precision, boolean keepZeros) {
        if (a == 0) return "0";
        int exp = (int) Math.floor(Math.log10(a));
        String s;
        if (exp < -4 || exp >= precision) {
            s = sci(a, precision - 1, false);
            if (!keepZeros) s = s.replaceAll("\\.?0+e", "e");
        } else {
            s = fixed(a, Math.max(precision - 1 - exp, 0));
            if (!keepZeros && s.contains(".")) s = s.replaceAll("\\.?0+$", "");
        }
        return s;
    }

    /** The fields of a str.format template, resolved through {@code lookup} (positional index or name). */
    interface FieldResolver {
        Object field(String name, int autoIndex);
        Object attr(Object value, String attr);
        Object item(Object value, Object key);
        String convert(Object value, char conversion, String spec);
    }

    static String strFormat(String template, FieldResolver r) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{') {
                if (i + 1 < template.length() && template.charAt(i + 1) == '{') { out.append('{'); i++; continue; }
                int depth = 1, j = i + 1;
                while (j < template.length() && depth > 0) {
                    if (template.charAt(j) == '{') depth++;
                    else if (template.charAt(j) == '}') depth--;
                    if (depth > 0) j++;
                }
                if (j >= template.length()) throw new IllegalArgumentException("Single '{' encountered in format string");
                String field = template.substring(i + 1, j);
                String spec = "";
                char conv = 0;
                int colon = field.indexOf(':');
                if (colon >= 0) { spec = field.substring(colon + 1); field = field.substring(0, colon); }
                int bang = field.indexOf('!');
                if (bang >= 0) { conv = field.charAt(bang + 1); field = field.substring(0, bang); }
                if (spec.contains("{")) spec = strFormat(spec, r);
                int end = 0;
                while (end < field.length() && field.charAt(end) != '.' && field.charAt(end) != '[') end++;
                String head = field.substring(0, end);
                Object v = r.field(head, head.isEmpty() ? auto++ : -1);
                while (end < field.length()) {
                    if (field.charAt(end) == '.') {
                        int k = end + 1;
                        while (k < field.length() && field.charAt(k) != '.' && field.charAt(k) != '[') k++;
                        v = r.attr(v, field.substring(end + 1, k));
                        end = k;
                    } else {
                        int k = field.indexOf(']', end);
                        String key = field.substring(end + 1, k);
                        v = r.item(v, key.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(key) : key);
                        end = k + 1;
                    }
                }
                out.append(r.convert(v, conv, spec));
                i = j;
            } else if (c == '}') {
                if (i + 1 < template.length() && template.charAt(i + 1) == '}') i++;
                out.append('}');
            } else out.append(c);
        }
        return out.toString();
    }

    /** printf-style {@code template % args}: %s %r %d %i %f %e %g %x %% with flags, width and precision. */
    static String percent(String template, List<Object> args, Map<Object, Object> mapping,
                          Function<Object, String> str, Function<Object, String> repr) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c != '%') { out.append(c); continue; }
            int j = i + 1;
            Object keyed = null;
            if (j < template.length() && template.charAt(j) == '(') {
                int close = template.indexOf(')', j);
                keyed = mapping == null ? null : mapping.get(template.substring(j + 1, close));
                j = close + 1;
            }
            int specStart = j;
            while (j < template.length() && "-+ #0123456789.".indexOf(template.charAt(j)) >= 0) j++;
            if (j >= template.length()) throw new IllegalArgumentException("incomplete format");
            char type = template.charAt(j);
            if (type == '%') { out.append('%'); i = j; continue; }
            String flags = template.substring(specStart, j);
            Object v = keyed != null ? keyed : argi < args.size() ? args.get(argi++) : null;
            if (v == null) throw new IllegalArgumentException("not enough arguments for format string");
            String spec = flags.replace("-", "<");
            if (flags.startsWith("-")) spec = "<" + flags.substring(1);
            String rendered = switch (type) {
                case 's' -> format(str.apply(v), spec, str);
                case 'r' -> format(repr.apply(v), spec, str);
                case 'd', 'i', 'u' -> format(v instanceof Double d ? (Object) Operators.truncate(d) : v, spec + "d", str);
                default -> format(v, spec + type, str);
            };
            out.append(rendered);
            i = j;
        }
        if (argi < args.size() && mapping == null)
            throw new IllegalArgumentException("not all arguments converted during string formatting");
        return out.toString();
    }
}
