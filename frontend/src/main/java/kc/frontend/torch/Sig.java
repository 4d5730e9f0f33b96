package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;

/**
 * A PyTorch-style signature, parsed from text such as
 * {@code "conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)"}, that binds a call's
 * positional and keyword arguments the way Python does, with Python's error messages.
 * Supports {@code *} (keyword-only marker), {@code *name} (extra positionals) and {@code **name} (extra keywords).
 */
public final class Sig {
    private record Param(String name, boolean required, Object defaultValue, boolean keywordOnly) {}

    private final String name;
    private final List<Param> params;
    private final String varargs;   // name of *args, or null
    private final String varkw;     // name of **kwargs, or null

    private Sig(String name, List<Param> params, String varargs, String varkw) {
        this.name = name;
        this.params = params;
        this.varargs = varargs;
        this.varkw = varkw;
    }

    public String name() { return name; }

    public static Sig parse(String text) {
        int open = text.indexOf('(');
        if (open < 0 || !text.endsWith(")")) throw new IllegalArgumentException("bad signature: " + text);
        String fn = text.substring(0, open).trim();
        List<Param> params = new ArrayList<>();
        String varargs = null, varkw = null;
        boolean kwOnly = false;
        for (String part : splitTopLevel(text.substring(open + 1, text.length() - 1))) {
            part = part.trim();
            if (part.isEmpty()) continue;
            if (part.startsWith("**")) { varkw = part.substring(2).trim(); continue; }
            if (part.equals("*")) { kwOnly = true; continue; }
            if (part.startsWith("*")) { varargs = part.substring(1).trim(); kwOnly = true; continue; }
            int eq = part.indexOf('=');
            if (eq < 0) params.add(new Param(part, true, null, kwOnly));
            else params.add(new Param(part.substring(0, eq).trim(), false, parseLiteral(part.substring(eq + 1).trim()), kwOnly));
        }
        return new Sig(fn, List.copyOf(params), varargs, varkw);
    }

    /** Binds a call; errors read like Python's TypeErrors. */
    public Args bind(CallContext ctx, List<Object> args, Map<String, Object> kwargs) {
        Map<String, Object> bound = new LinkedHashMap<>();
        List<Object> extra = new ArrayList<>();
        Map<String, Object> extraKw = new LinkedHashMap<>();
        int positional = 0;
        for (Param p : params) if (!p.keywordOnly) positional++;
        for (int i = 0; i < args.size(); i++) {
            if (i < positional) bound.put(params.get(i).name, args.get(i));
            else if (varargs != null) extra.add(args.get(i));
            else throw ctx.error(name + "() takes " + positional + " positional argument" + (positional == 1 ? "" : "s")
                    + " but " + args.size() + (args.size() == 1 ? " was" : " were") + " given");
        }
        for (var e : kwargs.entrySet()) {
            Param p = find(e.getKey());
            if (p == null) {
                if (varkw != null) { extraKw.put(e.getKey(), e.getValue()); continue; }
                throw ctx.error(name + "() got an unexpected keyword argument '" + e.getKey() + "'");
            }
            if (bound.containsKey(p.name)) throw ctx.error(name + "() got multiple values for argument '" + p.name + "'");
            bound.put(p.name, e.getValue());
        }
        for (Param p : params) {
            if (bound.containsKey(p.name)) continue;
            if (p.required) throw ctx.error(name + "() missing 1 required " + (p.keywordOnly ? "keyword-only" : "positional")
                    + " argument: '" + p.name + "'");
            bound.put(p.name, p.defaultValue);
        }
        return new Args(ctx, name, bound, extra, extraKw);
    }

    private Param find(String n) {
        for (Param p : params) if (p.name.equals(n)) return p;
        return null;
    }

    private static List<String> splitTopLevel(String s) {
        List<String> parts = new ArrayList<>();
        int depth = 0, start = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') quoted = !quoted;
            else if (!quoted && (c == '(' || c == '[')) depth++;
            else if (!quoted && (c == ')' || c == ']')) depth--;
            else if (!quoted && c == ',' && depth == 0) { parts.add(s.substring(start, i)); start = i + 1; }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** Default values: None, True, False, ints, floats, quoted strings, tuples/lists of those. */
    static Object parseLiteral(String s) {
        switch (s) {
            case "None": return Py.NONE;
            case "True": return Boolean.TRUE;
            case "False": return Boolean.FALSE;
            default: break;
        }
        if (s.startsWith("'") || s.startsWith("\"")) return s.substring(1, s.length() - 1);
        if (s.startsWith("(") || s.startsWith("[")) {
            List<Object> items = new ArrayList<>();
            for (String p : splitTopLevel(s.substring(1, s.length() - 1))) if (!p.isBlank()) items.add(parseLiteral(p.trim()));
            return s.startsWith("(") ? new Py.Tuple(items) : new Py.PyList(items);
        }
        if (s.matches("-?\\d+")) return Long.parseLong(s);
        return Double.parseDouble(s);
    }
}
