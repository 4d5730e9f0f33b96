package kc.frontend.parse;

import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.List;
import kc.frontend.ast.Expr;
import kc.frontend.ast.Pos;

/**
 * A complete, canonical text form of an AST (every record component, positions as {@code @line:col}), used to
 * compare kc's trees with CPython's {@code ast} module (see ast_dump.py next to this class). Positions inside
 * f-strings are left out: CPython 3.11 does not record them precisely.
 */
final class AstDump {
    private AstDump() {}

    static String dump(Object node) {
        StringBuilder out = new StringBuilder();
        dump(node, out, false);
        return out.toString();
    }

    private static void dump(Object node, StringBuilder out, boolean inFString) {
        switch (node) {
            case null -> out.append("null");
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) out.append(", ");
                    dump(list.get(i), out, inFString);
                }
                out.append(']');
            }
            case String s -> quote(s, out);
            case Long l -> out.append(l);
            case BigInteger b -> out.append(b);
            case Double d -> out.append("f:").append(Long.toHexString(Double.doubleToRawLongBits(d)));
            case Boolean b -> out.append(b ? "True" : "False");
            case Character c -> out.append((int) c);
            case Integer i -> out.append(i);
            case Enum<?> e -> out.append(e.name());
            case Record r -> {
                boolean f = inFString || r instanceof Expr.JoinedStr;
                out.append(r.getClass().getSimpleName());
                StringBuilder fields = new StringBuilder();
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    Object value;
                    try {
                        value = c.getAccessor().invoke(r);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                    if (value instanceof Pos p) {
                        if (!inFString) out.append('@').append(p.line()).append(':').append(p.column());
                        continue;
                    }
                    if (!fields.isEmpty()) fields.append(", ");
                    dump(value, fields, f);
                }
                out.append('(').append(fields).append(')');
            }
            default -> throw new IllegalArgumentException("unexpected node " + node.getClass());
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') out.append('\\').append(ch);
            else if (ch < 0x20 || ch > 0x7e) out.append(String.format("\\u%04x", (int) ch));
            else out.append(ch);
        }
        out.append('"');
    }

    /** Prints the dump of each file given on the command line, one line per top-level statement. */
    public static void main(String[] args) throws java.io.IOException {
        for (String file : args) {
            System.out.println("## " + file);
            for (var stmt : PythonSource.parse(file, java.nio.file.Files.readString(java.nio.file.Path.of(file))).body()) {
                System.out.println(dump(stmt));
            }
        }
    }
}
