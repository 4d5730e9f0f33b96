package kc.ir.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader (recursive descent) and string quoting, so the IR module needs no library. Values parse
 * to {@link Map} (insertion-ordered), {@link List}, {@link String}, {@link Number} (a {@link JsonNumber} that
 * keeps its text, so integers and doubles both come back exactly), {@link Boolean} and null.
 */
public final class Json {
    private final String text;
    private int pos;

    private Json(String text) { this.text = text; }

    /** A JSON number as written; converts exactly to long or double on demand. */
    public static final class JsonNumber extends Number {
        private final String text;

        JsonNumber(String text) { this.text = text; }

        @Override public long longValue() {
            try { return Long.parseLong(text); } catch (NumberFormatException e) { return (long) doubleValue(); }
        }
        @Override public int intValue() { return Math.toIntExact(longValue()); }
        @Override public double doubleValue() { return Double.parseDouble(text); }
        @Override public float floatValue() { return (float) doubleValue(); }
        @Override public String toString() { return text; }
    }

    /** Thrown for malformed JSON, with the offset where reading stopped. */
    public static final class JsonException extends IllegalArgumentException {
        public JsonException(String message) { super(message); }
    }

    /** Parses one JSON document. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("trailing characters");
        return v;
    }

    /**
     * A value as JSON: maps (keys as strings), lists, strings, numbers (a non-finite double as null, JSON having
     * none), booleans and null, as {@link #parse} gives them back.
     */
    public static String write(Object value) {
        if (value instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            for (var e : m.entrySet()) sb.append(sb.length() > 1 ? ", " : "").append(quote(String.valueOf(e.getKey()))).append(": ").append(write(e.getValue()));
            return sb.append('}').toString();
        }
        if (value instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object o : l) sb.append(sb.length() > 1 ? ", " : "").append(write(o));
            return sb.append(']').toString();
        }
        if (value instanceof String str) return quote(str);
        if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) return "null";
        return String.valueOf(value); // numbers (JsonNumber keeps its text), booleans, null
    }

    /** s as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    private JsonException error(String what) {
        return new JsonException("bad JSON at offset " + pos + ": " + what);
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') pos++; else break;
        }
    }

    private char peek() {
        if (pos >= text.length()) throw error("unexpected end");
        return text.charAt(pos);
    }

    private void expect(char c) {
        if (peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private Object value() {
        char c = peek();
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected '" + c + "'");
            }
        };
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) throw error("expected " + word);
        pos += word.length();
        return v;
    }

    private Map<String, Object> object() {
        expect('{');
        Map<String, Object> m = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') { pos++; return m; }
        while (true) {
            skipSpace();
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            if (m.containsKey(key)) throw error("duplicate key " + key);
            m.put(key, value());
            skipSpace();
            if (peek() == ',') { pos++; continue; }
            expect('}');
            return m;
        }
    }

    private List<Object> array() {
        expect('[');
        List<Object> l = new ArrayList<>();
        skipSpace();
        if (peek() == ']') { pos++; return l; }
        while (true) {
            skipSpace();
            l.add(value());
            skipSpace();
            if (peek() == ',') { pos++; continue; }
            expect(']');
            return l;
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek();
            pos++;
            if (c == '"') return sb.toString();
            if (c < 0x20) throw error("control character in string");
            if (c != '\\') { sb.append(c); continue; }
            char e = peek();
            pos++;
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw error("short \\u escape");
                    try { sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16)); }
                    catch (NumberFormatException x) { throw error("bad \\u escape"); }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private JsonNumber number() {
        int start = pos;
        if (peek() == '-') pos++;
        digits();
        if (pos < text.length() && text.charAt(pos) == '.') { pos++; digits(); }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) pos++;
            digits();
        }
        return new JsonNumber(text.substring(start, pos));
    }

    private void digits() {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos)) && text.charAt(pos) < 128) pos++;
        if (pos == start) throw error("expected a digit");
    }
}
