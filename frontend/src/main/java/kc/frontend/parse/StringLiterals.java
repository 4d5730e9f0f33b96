package kc.frontend.parse;

import java.util.ArrayList;
import java.util.List;
import kc.frontend.CompileError;
import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Decodes STRING tokens: prefixes, escapes, implicit concatenation of adjacent literals, and the interior of
 * f-strings (literal text, {{ and }}, replacement fields with !conversion, :format specs holding nested fields,
 * and the self-documenting {expr=}). Replacement-field expressions are parsed by the real parser, positioned
 * where they stand in the file.
 */
final class StringLiterals {
    private final String file;
    private final AstBuilder builder;

    StringLiterals(String file, AstBuilder builder) {
        this.file = file;
        this.builder = builder;
    }

    /** One atom of one or more adjacent literals: a Constant, or a JoinedStr when any of them is an f-string. */
    Expr literal(List<TerminalNode> nodes) {
        Token first = nodes.get(0).getSymbol();
        Pos pos = AstBuilder.pos(first);
        Parts parts = new Parts();
        boolean anyBytes = false, anyText = false, anyF = false;
        for (TerminalNode node : nodes) {
            Token t = node.getSymbol();
            String text = t.getText();
            int prefix = 0;
            boolean raw = false, bytes = false, f = false;
            for (char ch; (ch = text.charAt(prefix)) != '\'' && ch != '"'; prefix++) {
                switch (ch) {
                    case 'r', 'R' -> raw = true;
                    case 'b', 'B' -> bytes = true;
                    case 'f', 'F' -> f = true;
                    default -> { }   // u: a no-op in Python 3
                }
            }
            if (bytes) anyBytes = true; else anyText = true;
            if (anyBytes && anyText) throw new CompileError(file, AstBuilder.pos(t), "cannot mix bytes and nonbytes literals");
            char q = text.charAt(prefix);
            int quote = text.startsWith(String.valueOf(q).repeat(3), prefix) && text.length() - prefix >= 6 ? 3 : 1;
            int from = prefix + quote, to = text.length() - quote;
            if (f) {
                anyF = true;
                scan(t, text, from, to, raw, parts, false);
            } else {
                StringBuilder out = new StringBuilder(to - from);
                decode(t, text, from, to, raw, bytes, out);
                parts.text(out, () -> AstBuilder.pos(t));
            }
        }
        if (!anyF) return new Expr.Constant(pos, parts.pending.toString());
        return new Expr.JoinedStr(pos, parts.finish());
    }

    // ---------------------------------------------------------------- escapes

    private void decode(Token t, String text, int from, int to, boolean raw, boolean bytes, StringBuilder out) {
        for (int i = from; i < to; ) {
            char ch = text.charAt(i);
            if (bytes && ch >= 0x80) throw error(t, text, i, "bytes can only contain ASCII literal characters");
            if (ch == '\\' && !raw) {
                i = escape(t, text, i, to, bytes, out);
            } else {
                out.append(ch);
                i++;
            }
        }
    }

    /** Decodes the escape sequence starting with the backslash at {@code i}; returns the index after it. */
    private int escape(Token t, String text, int i, int to, boolean bytes, StringBuilder out) {
        if (i + 1 >= to) {
            out.append('\\');
            return i + 1;
        }
        char c = text.charAt(i + 1);
        switch (c) {
            case '\n' -> { }
            case '\\', '\'', '"' -> out.append(c);
            case 'a' -> out.append('\u0007');
            case 'b' -> out.append('\b');
            case 'f' -> out.append('\f');
            case 'n' -> out.append('\n');
            case 'r' -> out.append('\r');
            case 't' -> out.append('\t');
            case 'v' -> out.append('\u000b');
            case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                int end = i + 1, value = 0;
                while (end < to && end < i + 4 && text.charAt(end) >= '0' && text.charAt(end) <= '7') {
                    value = value * 8 + (text.charAt(end++) - '0');
                }
                out.append((char) (bytes ? value & 0xFF : value));
                return end;
            }
            case 'x' -> {
                return hex(t, text, i, to, 2, "truncated \\xXX escape", out);
            }
            case 'u', 'U' -> {
                if (bytes) break;
                return hex(t, text, i, to, c == 'u' ? 4 : 8,
                        c == 'u' ? "truncated \\uXXXX escape" : "truncated \\UXXXXXXXX escape", out);
            }
            case 'N' -> {
                if (bytes) break;
                int close = text.indexOf('}', i);
                if (i + 2 >= to || text.charAt(i + 2) != '{' || close < 0 || close >= to) {
                    throw error(t, text, i, "malformed \\N character escape");
                }
                try {
                    out.appendCodePoint(Character.codePointOf(text.substring(i + 3, close)));
                } catch (IllegalArgumentException e) {
                    throw error(t, text, i, "unknown Unicode character name");
                }
                return close + 1;
            }
            default -> {
                out.append('\\').append(c);   // an unknown escape keeps its backslash, as in Python
            }
        }
        if ((c == 'u' || c == 'U' || c == 'N') && bytes) out.append('\\').append(c);
        return i + 2;
    }

    private int hex(Token t, String text, int i, int to, int digits, String message, StringBuilder out) {
        int start = i + 2, value = 0;
        for (int k = 0; k < digits; k++) {
            int d = start + k < to ? Character.digit(text.charAt(start + k), 16) : -1;
            if (d < 0) throw error(t, text, i, message);
            value = value * 16 + d;
        }
        if (value > Character.MAX_CODE_POINT || value < 0) throw error(t, text, i, "illegal Unicode character");
        out.appendCodePoint(value);
        return start + digits;
    }

    // ---------------------------------------------------------------- f-strings

    /**
     * Scans f-string text from {@code i}: literal text and replacement fields, up to {@code to}, or inside a
     * format spec up to the '}' that closes the enclosing field. Returns where it stopped.
     */
    private int scan(Token t, String text, int i, int to, boolean raw, Parts parts, boolean inSpec) {
        StringBuilder lit = new StringBuilder();
        int litStart = i;
        while (i < to) {
            char ch = text.charAt(i);
            if (ch == '\\' && !raw) {
                i = escape(t, text, i, to, false, lit);
            } else if (ch == '{' && i + 1 < to && text.charAt(i + 1) == '{' && !inSpec) {
                lit.append('{');
                i += 2;
            } else if (ch == '{') {
                flush(t, text, litStart, lit, parts);
                i = field(t, text, i, to, raw, parts);
                litStart = i;
            } else if (ch == '}' && inSpec) {
                break;
            } else if (ch == '}') {
                if (i + 1 >= to || text.charAt(i + 1) != '}') throw error(t, text, i, "f-string: single '}' is not allowed");
                lit.append('}');
                i += 2;
            } else {
                lit.append(ch);
                i++;
            }
        }
        flush(t, text, litStart, lit, parts);
        return i;
    }

    private void flush(Token t, String text, int litStart, StringBuilder lit, Parts parts) {
        if (lit.isEmpty()) return;
        parts.text(lit, () -> at(t, text, litStart));
        lit.setLength(0);
    }

    /** One replacement field; {@code open} is the index of its '{'. Returns the index after its '}'. */
    private int field(Token t, String text, int open, int to, boolean raw, Parts parts) {
        int start = open + 1, i = start, depth = 0;
        while (i < to) {
            char ch = text.charAt(i);
            char next = i + 1 < to ? text.charAt(i + 1) : 0;
            if (ch == '\'' || ch == '"') {
                i = skipQuoted(t, text, i, to);
                continue;
            }
            if (ch == '(' || ch == '[' || ch == '{') {
                depth++;
            } else if (ch == ')' || ch == ']' || ch == '}') {
                if (depth == 0) break;
                depth--;
            } else if (depth == 0) {
                if (ch == '!' && next != '=') break;
                if (ch == ':') break;
                if (ch == '=' && next != '=' && "=!<>".indexOf(text.charAt(i - 1)) < 0) break;
            }
            i++;
        }
        if (i >= to) throw error(t, text, open, "f-string: expecting '}'");
        String source = text.substring(start, i);
        if (source.isBlank()) throw error(t, text, i, "f-string: empty expression not allowed");
        Pos exprPos = at(t, text, start);
        Expr value = PythonSource.parseFStringField(file, "(" + source + ")", exprPos.line(), exprPos.column() - 2, builder);

        String debugText = null;
        if (text.charAt(i) == '=') {
            i++;
            while (i < to && Character.isWhitespace(text.charAt(i))) i++;
            debugText = text.substring(start, i);
        }
        char conversion = 0;
        if (i < to && text.charAt(i) == '!') {
            char c = i + 1 < to ? text.charAt(i + 1) : '}';
            if (c == '}' || c == ':') throw error(t, text, i, "f-string: missing conversion character");
            if (c != 's' && c != 'r' && c != 'a') {
                throw error(t, text, i + 1, "f-string: invalid conversion character '" + c + "': expected 's', 'r', or 'a'");
            }
            conversion = c;
            i += 2;
        }
        Expr spec = null;
        if (i < to && text.charAt(i) == ':') {
            Parts specParts = new Parts();
            Pos specPos = at(t, text, i + 1);
            i = scan(t, text, i + 1, to, raw, specParts, true);
            spec = new Expr.JoinedStr(specPos, specParts.finish());
        }
        if (i >= to || text.charAt(i) != '}') throw error(t, text, open, "f-string: expecting '}'");
        if (debugText != null) {
            String shown = debugText;
            parts.text(new StringBuilder(shown), () -> exprPos);
            if (conversion == 0 && spec == null) conversion = 'r';
        }
        parts.value(new Expr.FormattedValue(at(t, text, open), value, conversion, spec));
        return i + 1;
    }

    /** Skips a string literal inside a replacement field; returns the index after its closing quote. */
    private int skipQuoted(Token t, String text, int i, int to) {
        char q = text.charAt(i);
        boolean triple = i + 2 < to && text.charAt(i + 1) == q && text.charAt(i + 2) == q;
        int j = i + (triple ? 3 : 1);
        while (j < to) {
            char ch = text.charAt(j);
            if (ch == '\\') {
                j += 2;
            } else if (ch == q && (!triple || (j + 2 < to && text.charAt(j + 1) == q && text.charAt(j + 2) == q))) {
                return j + (triple ? 3 : 1);
            } else {
                j++;
            }
        }
        throw error(t, text, i, "f-string: unterminated string");
    }

    /** The file position of {@code offset} within token {@code t}'s text. */
    private static Pos at(Token t, String text, int offset) {
        int line = t.getLine(), col = t.getCharPositionInLine();
        for (int k = 0; k < offset && k < text.length(); k++) {
            char ch = text.charAt(k);
            if (ch == '\n') {
                line++;
                col = 0;
            } else if (!Character.isLowSurrogate(ch)) {
                col++;
            }
        }
        return new Pos(line, col + 1);
    }

    private CompileError error(Token t, String text, int offset, String message) {
        return new CompileError(file, at(t, text, offset), message);
    }

    /** The parts of a JoinedStr under construction; adjacent literal text merges into one Constant. */
    private static final class Parts {
        final List<Expr> done = new ArrayList<>();
        final StringBuilder pending = new StringBuilder();
        Pos pendingPos;

        void text(CharSequence s, java.util.function.Supplier<Pos> where) {
            if (s.isEmpty()) return;
            if (pending.isEmpty()) pendingPos = where.get();
            pending.append(s);
        }

        void value(Expr e) {
            flush();
            done.add(e);
        }

        private void flush() {
            if (pending.isEmpty()) return;
            done.add(new Expr.Constant(pendingPos, pending.toString()));
            pending.setLength(0);
        }

        List<Expr> finish() {
            flush();
            return List.copyOf(done);
        }
    }
}
