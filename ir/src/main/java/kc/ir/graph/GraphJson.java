package kc.ir.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The complete JSON form of a {@link Graph}: {@code read(write(g)).equals(g)}. Values are written in full where
 * they are declared (inputs, params, node results) and referred to by id elsewhere. Doubles that JSON cannot
 * hold are the strings "inf", "-inf" and "nan". Index expressions are one-key objects ({"dim":2},
 * {"add":[a,b]}, {"mul":[a,3]}, {"floordiv":[a,3]}, {"mod":[a,3]}, {"exactdiv":[a,3]}, {"const":5}); scalar
 * bodies likewise ({"read":0}, {"index":1}, {"const":1.5,"dtype":"F32"}, {"unary":"EXP","a":..},
 * {"binary":"ADD","a":..,"b":..}, {"select":[c,a,b]}, {"cast":"I64","a":..}).
 */
public final class GraphJson {
    private GraphJson() {}

    // ---- writing -----------------------------------------------------------------------------------------

    public static String write(Graph g) {
        Map<Integer, Value> declared = new HashMap<>();
        StringBuilder sb = new StringBuilder("{\n");
        sb.append("  \"name\": ").append(str(g.name())).append(",\n");
        sb.append("  \"inputs\": ").append(declarations(g.inputs(), declared)).append(",\n");
        sb.append("  \"params\": ").append(declarations(g.params(), declared)).append(",\n");
        sb.append("  \"nodes\": [");
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            sb.append(i == 0 ? "\n" : ",\n").append("    {\"result\": ").append(value(n.result()))
                    .append(", \"op\": ").append(op(n.op()))
                    .append(", \"operands\": ").append(references(n.operands(), declared))
                    .append(", \"origin\": ").append(origin(n.origin()));
            if (!n.absorbed().isEmpty()) {
                StringJoiner a = new StringJoiner(", ", "[", "]");
                for (Origin o : n.absorbed()) a.add(origin(o));
                sb.append(", \"absorbed\": ").append(a);
            }
            sb.append('}');
            declared.putIfAbsent(n.result().id(), n.result());
        }
        sb.append(g.nodes().isEmpty() ? "],\n" : "\n  ],\n");
        sb.append("  \"outputs\": ").append(references(g.outputs(), declared)).append("\n}\n");
        return sb.toString();
    }

    private static String str(String s) { return s == null ? "null" : Json.quote(s); }

    private static String declarations(List<Value> vs, Map<Integer, Value> declared) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (Value v : vs) { j.add(value(v)); declared.putIfAbsent(v.id(), v); }
        return j.toString();
    }

    /** A reference by id when it names a declared value exactly, else the value in full. */
    private static String references(List<Value> vs, Map<Integer, Value> declared) {
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (Value v : vs) j.add(v.equals(declared.get(v.id())) ? Integer.toString(v.id()) : value(v));
        return j.toString();
    }

    private static String value(Value v) {
        return "{\"id\": " + v.id() + ", \"name\": " + str(v.name()) + ", \"type\": " + type(v.type()) + "}";
    }

    private static String type(TensorType t) {
        if (t == null) return "null";
        return "{\"dtype\": \"" + t.dtype().name() + "\", \"shape\": " + shape(t.shape()) + "}";
    }

    private static String shape(Shape s) {
        if (s == null) return "null";
        StringJoiner j = new StringJoiner(", ", "[", "]");
        for (long d : s.toArray()) j.add(Long.toString(d));
        return j.toString();
    }

    private static String origin(Origin o) {
        if (o == null) return "null";
        String pos = o.pos() == null ? "null"
                : "{\"file\": " + str(o.pos().file()) + ", \"line\": " + o.pos().line() + ", \"column\": " + o.pos().column() + "}";
        return "{\"composite\": " + str(o.composite()) + ", \"instance\": " + o.instance()
                + ", \"module\": " + str(o.module()) + ", \"pos\": " + pos + "}";
    }

    /** A double as JSON: a number, or "inf"/"-inf"/"nan". */
    static String number(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "\"" + ExprText.number(v) + "\"";
        return Double.toString(v);
    }

    private static String op(Op op) {
        return switch (op) {
            case Op.RowFused r -> "{\"kind\": \"row\", \"stats\": " + op(r.stats()) + ", \"statsType\": " + type(r.statsType())
                    + ", \"statsOperands\": " + r.statsOperands() + ", \"then\": " + op(r.then()) + "}";
            case Op.Generic g -> {
                StringJoiner maps = new StringJoiner(", ", "[", "]");
                for (IndexMap m : g.maps()) {
                    StringJoiner es = new StringJoiner(", ", "[", "]");
                    for (IndexExpr e : m.exprs()) es.add(index(e));
                    maps.add("{\"exprs\": " + es + ", \"pad\": " + (m.pad() == null ? "null" : number(m.pad())) + "}");
                }
                yield "{\"kind\": \"generic\", \"reduction\": \"" + g.reduction().name() + "\", \"reduceShape\": "
                        + shape(g.reduceShape()) + ", \"maps\": " + maps + ", \"body\": " + scalar(g.body())
                        + (g.epilogue() == null ? "" : ", \"epilogue\": " + scalar(g.epilogue())) + "}";
            }
            case Op.Scan s -> "{\"kind\": \"scan\", \"dim\": " + s.dim() + ", \"combiner\": \"" + s.combiner().name()
                    + "\", \"reverse\": " + s.reverse() + "}";
            case Op.Constant c -> {
                StringJoiner vs = new StringJoiner(", ", "[", "]");
                for (double v : c.values()) vs.add(number(v));
                yield "{\"kind\": \"constant\", \"values\": " + vs + "}";
            }
        };
    }

    private static String index(IndexExpr e) {
        return switch (e) {
            case IndexExpr.Dim d -> "{\"dim\": " + d.d() + "}";
            case IndexExpr.Const c -> "{\"const\": " + c.value() + "}";
            case IndexExpr.Add a -> "{\"add\": [" + index(a.a()) + ", " + index(a.b()) + "]}";
            case IndexExpr.Mul m -> "{\"mul\": [" + index(m.a()) + ", " + m.factor() + "]}";
            case IndexExpr.FloorDiv f -> "{\"floordiv\": [" + index(f.a()) + ", " + f.divisor() + "]}";
            case IndexExpr.Mod m -> "{\"mod\": [" + index(m.a()) + ", " + m.divisor() + "]}";
            case IndexExpr.ExactDiv q -> "{\"exactdiv\": [" + index(q.a()) + ", " + q.divisor() + "]}";
        };
    }

    private static String scalar(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Read r -> "{\"read\": " + r.operand() + "}";
            case ScalarExpr.Index i -> "{\"index\": " + i.dim() + "}";
            case ScalarExpr.Reduced r -> "{\"acc\": \"" + r.dtype().name() + "\"}";
            case ScalarExpr.Const c -> "{\"const\": " + number(c.value()) + ", \"dtype\": \"" + c.dtype().name() + "\"}";
            case ScalarExpr.Unary u -> "{\"unary\": \"" + u.op().name() + "\", \"a\": " + scalar(u.a()) + "}";
            case ScalarExpr.Binary b -> "{\"binary\": \"" + b.op().name() + "\", \"a\": " + scalar(b.a()) + ", \"b\": " + scalar(b.b()) + "}";
            case ScalarExpr.Select s -> "{\"select\": [" + scalar(s.cond()) + ", " + scalar(s.a()) + ", " + scalar(s.b()) + "]}";
            case ScalarExpr.Cast c -> "{\"cast\": \"" + c.to().name() + "\", \"a\": " + scalar(c.a()) + "}";
        };
    }

    // ---- reading -----------------------------------------------------------------------------------------

    /** @throws IllegalArgumentException (a {@link Json.JsonException} for bad syntax) when text is not a graph */
    public static Graph read(String text) {
        Map<String, Object> root = obj(Json.parse(text), "graph");
        Map<Integer, Value> declared = new HashMap<>();
        List<Value> inputs = declare(list(root, "inputs"), declared);
        List<Value> params = declare(list(root, "params"), declared);
        List<Node> nodes = new ArrayList<>();
        for (Object o : list(root, "nodes")) {
            Map<String, Object> n = obj(o, "node");
            Value result = value(n.get("result"));
            List<Value> operands = resolve(list(n, "operands"), declared);
            List<Origin> absorbed = new ArrayList<>();
            if (n.get("absorbed") != null) for (Object a : list(n, "absorbed")) absorbed.add(origin(a));
            nodes.add(new Node(result, op(obj(n.get("op"), "op")), operands, origin(n.get("origin")), absorbed));
            declared.putIfAbsent(result.id(), result);
        }
        return new Graph(string(root.get("name")), inputs, params, nodes, resolve(list(root, "outputs"), declared));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o, String what) {
        if (o instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException("expected a JSON object for " + what + ", got " + o);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        if (o instanceof List<?> l) return (List<Object>) l;
        throw new IllegalArgumentException("expected a JSON array for " + what + ", got " + o);
    }

    private static List<Object> list(Map<String, Object> m, String key) { return list(m.get(key), key); }

    private static long integer(Object o, String what) {
        if (o instanceof Number n) return n.longValue();
        throw new IllegalArgumentException("expected an integer for " + what + ", got " + o);
    }

    private static String string(Object o) {
        if (o == null || o instanceof String) return (String) o;
        throw new IllegalArgumentException("expected a string, got " + o);
    }

    private static double dbl(Object o) {
        if (o instanceof Number n) return n.doubleValue();
        if (o instanceof String s) return switch (s) {
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            case "nan" -> Double.NaN;
            default -> throw new IllegalArgumentException("expected a number, got \"" + s + "\"");
        };
        throw new IllegalArgumentException("expected a number, got " + o);
    }

    private static List<Value> declare(List<Object> vs, Map<Integer, Value> declared) {
        List<Value> out = new ArrayList<>();
        for (Object o : vs) {
            Value v = value(o);
            out.add(v);
            declared.putIfAbsent(v.id(), v);
        }
        return out;
    }

    private static List<Value> resolve(List<Object> refs, Map<Integer, Value> declared) {
        List<Value> out = new ArrayList<>();
        for (Object o : refs) {
            if (o instanceof Number n) {
                Value v = declared.get(n.intValue());
                if (v == null) throw new IllegalArgumentException("reference to undeclared value %" + n);
                out.add(v);
            } else out.add(value(o));
        }
        return out;
    }

    private static Value value(Object o) {
        Map<String, Object> m = obj(o, "value");
        return new Value((int) integer(m.get("id"), "id"), type(m.get("type")), string(m.get("name")));
    }

    private static TensorType type(Object o) {
        if (o == null) return null;
        Map<String, Object> m = obj(o, "type");
        return new TensorType(DType.valueOf(string(m.get("dtype"))), shape(m.get("shape")));
    }

    private static Shape shape(Object o) {
        List<Object> l = list(o, "shape");
        long[] dims = new long[l.size()];
        for (int i = 0; i < dims.length; i++) dims[i] = integer(l.get(i), "dim");
        return Shape.of(dims);
    }

    private static Origin origin(Object o) {
        if (o == null) return null;
        Map<String, Object> m = obj(o, "origin");
        SourcePos pos = null;
        if (m.get("pos") != null) {
            Map<String, Object> p = obj(m.get("pos"), "pos");
            pos = new SourcePos(string(p.get("file")), (int) integer(p.get("line"), "line"), (int) integer(p.get("column"), "column"));
        }
        return new Origin(string(m.get("composite")), (int) integer(m.get("instance"), "instance"), string(m.get("module")), pos);
    }

    private static Op op(Map<String, Object> m) {
        String kind = string(m.get("kind"));
        return switch (kind == null ? "" : kind) {
            case "generic" -> {
                List<IndexMap> maps = new ArrayList<>();
                for (Object mo : list(m, "maps")) {
                    Map<String, Object> mm = obj(mo, "map");
                    List<IndexExpr> es = new ArrayList<>();
                    for (Object e : list(mm, "exprs")) es.add(index(e));
                    maps.add(new IndexMap(es, mm.get("pad") == null ? null : dbl(mm.get("pad"))));
                }
                yield new Op.Generic(shape(m.get("reduceShape")), maps, scalar(m.get("body")),
                        Op.Reduction.valueOf(string(m.get("reduction"))), m.get("epilogue") == null ? null : scalar(m.get("epilogue")));
            }
            case "row" -> new Op.RowFused((Op.Generic) op(obj(m.get("stats"), "stats")), type(m.get("statsType")),
                    (int) integer(m.get("statsOperands"), "statsOperands"), (Op.Generic) op(obj(m.get("then"), "then")));
            case "scan" -> new Op.Scan((int) integer(m.get("dim"), "dim"), Op.Reduction.valueOf(string(m.get("combiner"))),
                    Boolean.TRUE.equals(m.get("reverse")));
            case "constant" -> {
                List<Double> vs = new ArrayList<>();
                for (Object v : list(m, "values")) vs.add(dbl(v));
                yield new Op.Constant(vs);
            }
            default -> throw new IllegalArgumentException("unknown op kind " + kind);
        };
    }

    /** The single key of a one-key object, e.g. "add" in {"add":[a,b]}. */
    private static Map.Entry<String, Object> single(Object o, String what) {
        Map<String, Object> m = obj(o, what);
        return m.entrySet().iterator().next();
    }

    private static IndexExpr index(Object o) {
        var e = single(o, "index expression");
        if (e.getKey().equals("dim")) return new IndexExpr.Dim((int) integer(e.getValue(), "dim"));
        if (e.getKey().equals("const")) return new IndexExpr.Const(integer(e.getValue(), "const"));
        List<Object> args = list(e.getValue(), e.getKey());
        if (args.size() != 2) throw new IllegalArgumentException(e.getKey() + " takes two arguments");
        IndexExpr a = index(args.get(0));
        if (e.getKey().equals("add")) return new IndexExpr.Add(a, index(args.get(1)));
        long k = integer(args.get(1), e.getKey());
        return switch (e.getKey()) {
            case "mul" -> new IndexExpr.Mul(a, k);
            case "floordiv" -> new IndexExpr.FloorDiv(a, k);
            case "mod" -> new IndexExpr.Mod(a, k);
            case "exactdiv" -> new IndexExpr.ExactDiv(a, k);
            default -> throw new IllegalArgumentException("unknown index expression " + e.getKey());
        };
    }

    private static ScalarExpr scalar(Object o) {
        Map<String, Object> m = obj(o, "scalar expression");
        if (m.containsKey("read")) return new ScalarExpr.Read((int) integer(m.get("read"), "read"));
        if (m.containsKey("index")) return new ScalarExpr.Index((int) integer(m.get("index"), "index"));
        if (m.containsKey("acc")) return new ScalarExpr.Reduced(DType.valueOf(string(m.get("acc"))));
        if (m.containsKey("const")) return new ScalarExpr.Const(dbl(m.get("const")), DType.valueOf(string(m.get("dtype"))));
        if (m.containsKey("unary")) return new ScalarExpr.Unary(ScalarExpr.UnaryOp.valueOf(string(m.get("unary"))), scalar(m.get("a")));
        if (m.containsKey("binary"))
            return new ScalarExpr.Binary(ScalarExpr.BinaryOp.valueOf(string(m.get("binary"))), scalar(m.get("a")), scalar(m.get("b")));
        if (m.containsKey("select")) {
            List<Object> args = list(m, "select");
            return new ScalarExpr.Select(scalar(args.get(0)), scalar(args.get(1)), scalar(args.get(2)));
        }
        if (m.containsKey("cast")) return new ScalarExpr.Cast(DType.valueOf(string(m.get("cast"))), scalar(m.get("a")));
        throw new IllegalArgumentException("unknown scalar expression " + m.keySet());
    }
}
