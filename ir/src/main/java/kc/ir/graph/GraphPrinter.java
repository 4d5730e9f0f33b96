package kc.ir.graph;

import java.util.StringJoiner;

/**
 * Readable text of a graph, one line per node:
 * <pre>
 * graph conv
 *   input %0 x: f32[8, 3, 32, 32]
 *   param %1 conv.weight: f32[64, 3, 3, 3]
 *   %2 = generic.sum(%0, %1) f32[8, 64, 30, 30] dom[8, 64, 30, 30 | 3, 3, 3] maps(in0[d0, d4, d2+d5, d3+d6], in1[d1, d4, d5, d6]) body(in0 * in1)  # conv2d#0 conv @ m.py:12:13
 *   output %2
 * </pre>
 * Index maps and bodies use {@link ExprText}'s infix form. The summary form leaves maps and bodies out.
 */
public final class GraphPrinter {
    private GraphPrinter() {}

    /** The full form: every map and body. */
    public static String print(Graph g) { return print(g, true); }

    /** One line per node with its op, operands, type and origin, without maps and bodies. */
    public static String summary(Graph g) { return print(g, false); }

    public static String print(Graph g, boolean detailed) {
        StringBuilder sb = new StringBuilder("graph ").append(g.name()).append('\n');
        for (Value v : g.inputs()) sb.append("  input ").append(declaration(v)).append('\n');
        for (Value v : g.params()) sb.append("  param ").append(declaration(v)).append('\n');
        for (Node n : g.nodes()) sb.append("  ").append(node(n, detailed)).append('\n');
        sb.append("  output ").append(ExprText.values(g.outputs())).append('\n');
        return sb.toString();
    }

    private static String declaration(Value v) {
        return "%" + v.id() + " " + (v.name() == null ? "?" : v.name()) + ": " + v.type();
    }

    /** A Generic's domain, maps, body and epilogue, for a result of the given shape. */
    private static String generic(Op.Generic g, Shape result) {
        StringBuilder sb = new StringBuilder(" dom[");
        StringJoiner dims = new StringJoiner(", ");
        for (long d : result.toArray()) dims.add(Long.toString(d));
        sb.append(dims);
        if (g.reduceShape().rank() > 0) {
            StringJoiner red = new StringJoiner(", ");
            for (long d : g.reduceShape().toArray()) red.add(Long.toString(d));
            sb.append(result.rank() > 0 ? " | " : "| ").append(red);
        }
        sb.append(']');
        if (!g.maps().isEmpty()) {
            StringJoiner maps = new StringJoiner(", ", " maps(", ")");
            for (int k = 0; k < g.maps().size(); k++) maps.add("in" + k + ExprText.map(g.maps().get(k)));
            sb.append(maps);
        }
        sb.append(" body(").append(ExprText.scalar(g.body())).append(')');
        if (g.epilogue() != null) sb.append(" epilogue(").append(ExprText.scalar(g.epilogue())).append(')');
        return sb.toString();
    }

    /** One node's line (without indentation). */
    public static String node(Node n, boolean detailed) {
        StringBuilder sb = new StringBuilder();
        sb.append('%').append(n.result().id()).append(" = ").append(n.op().name())
                .append('(').append(ExprText.values(n.operands())).append(") ").append(n.result().type());
        if (detailed) {
            switch (n.op()) {
                case Op.RowFused r -> {
                    sb.append(" stats{").append(generic(r.stats(), r.statsType().shape()).strip()).append(' ').append(r.statsType())
                            .append("} then{").append(generic(r.then(), n.result().type().shape()).strip()).append('}');
                }
                case Op.Generic g -> sb.append(generic(g, n.result().type().shape()));
                case Op.Scan s -> sb.append(" dim ").append(s.dim()).append(s.reverse() ? " reverse" : "");
                case Op.Constant c -> {
                    StringJoiner vs = new StringJoiner(", ", " [", "]");
                    int shown = Math.min(c.values().size(), 16);
                    for (int i = 0; i < shown; i++) vs.add(ExprText.number(c.values().get(i)));
                    if (c.values().size() > shown) vs.add("... " + c.values().size() + " values");
                    sb.append(vs);
                }
            }
        }
        String origin = ExprText.origin(n.origin());
        if (!origin.isEmpty()) sb.append("  # ").append(origin);
        if (!n.absorbed().isEmpty()) {
            StringJoiner fused = new StringJoiner(", ", origin.isEmpty() ? "  # fused " : "; fused ", "");
            for (Origin o : n.absorbed()) fused.add(o.composite() + "#" + o.instance() + (o.module().isEmpty() ? "" : " " + o.module()));
            sb.append(fused);
        }
        return sb.toString();
    }
}
