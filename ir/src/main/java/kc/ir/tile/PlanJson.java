package kc.ir.tile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kc.ir.graph.DType;
import kc.ir.graph.Json;
import kc.ir.graph.Shape;

/**
 * The launch plan as JSON, for runtimes outside kc (a hand-written C++ or Python loader): buffers with role,
 * dtype, shape, bytes (and the state_dict key or literal values), then the launches in order with grid, block,
 * shared bytes (dynamic_shared_bytes: what the launch must ask for, 0 where the kernel declares them statically)
 * and argument buffer names in kernel parameter order.
 */
public final class PlanJson {
    private PlanJson() {}

    public static String write(LaunchPlan plan, String kernelFile) {
        // Appends in place, sized up front: plans of unrolled RNNs hold 100k buffers and launches (30 MB of JSON).
        StringBuilder sb = new StringBuilder(64 + 110 * plan.buffers().size() + 150 * plan.launches().size());
        sb.append("{\n  \"model\": ").append(Json.quote(plan.model())).append(",\n");
        sb.append("  \"kernels\": ").append(Json.quote(kernelFile)).append(",\n");
        if (plan.precision() != null) sb.append("  \"precision\": ").append(Json.quote(plan.precision())).append(",\n");
        sb.append("  \"buffers\": [\n");
        for (int i = 0; i < plan.buffers().size(); i++) {
            LaunchPlan.Buffer b = plan.buffers().get(i);
            sb.append("    {\"name\": ");
            quote(sb, b.name()).append(", \"role\": \"").append(b.role().name().toLowerCase(Locale.ROOT)).append('"');
            if (b.role() == LaunchPlan.Role.INPUT || b.role() == LaunchPlan.Role.OUTPUT) sb.append(", \"index\": ").append(b.index());
            if (b.key() != null) quote(sb.append(", \"key\": "), b.key());
            sb.append(", \"dtype\": \"").append(b.dtype().torchName()).append('"').append(", \"shape\": [");
            for (int d = 0; d < b.shape().rank(); d++) sb.append(d > 0 ? ", " : "").append(b.shape().dim(d));
            sb.append("], \"bytes\": ").append(b.bytes());
            if (b.values() != null) sb.append(", \"values\": ").append(doubles(b.values()));
            sb.append('}').append(i + 1 < plan.buffers().size() ? ",\n" : "\n");
        }
        sb.append("  ],\n  \"launches\": [\n");
        for (int i = 0; i < plan.launches().size(); i++) {
            LaunchPlan.KernelLaunch l = plan.launches().get(i);
            Launch g = l.launch();
            quote(sb.append("    {\"kernel\": "), l.kernel())
              .append(", \"grid\": [").append(g.gridX()).append(", ").append(g.gridY()).append(", ").append(g.gridZ())
              .append("], \"block\": [").append(g.blockX()).append(", ").append(g.blockY()).append(", ").append(g.blockZ())
              .append("], \"shared_bytes\": ").append(l.sharedBytes())
              .append(", \"dynamic_shared_bytes\": ").append(l.dynamicSharedBytes())
              .append(", \"args\": [");
            for (int a = 0; a < l.args().size(); a++) quote(sb.append(a > 0 ? ", " : ""), l.args().get(a));
            sb.append("]}").append(i + 1 < plan.launches().size() ? ",\n" : "\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    /** A plan as {@link #write} wrote it (or an expert wrote by hand); {@code kernels} names the kernel file. */
    public record Read(LaunchPlan plan, String kernelFile) {}

    /** @throws IllegalArgumentException naming the first malformed entry */
    public static Read read(String json) {
        Map<?, ?> root = (Map<?, ?>) Json.parse(json);
        List<LaunchPlan.Buffer> buffers = new ArrayList<>();
        for (Object o : list(root, "buffers")) {
            Map<?, ?> b = (Map<?, ?>) o;
            String name = string(b, "name");
            LaunchPlan.Role role = LaunchPlan.Role.valueOf(string(b, "role").toUpperCase(Locale.ROOT));
            List<Double> values = null;
            if (b.get("values") instanceof List<?> vs) {
                values = new ArrayList<>();
                for (Object v : vs) values.add(v instanceof Number n ? n.doubleValue() : switch (String.valueOf(v)) {
                    case "nan" -> Double.NaN; case "inf" -> Double.POSITIVE_INFINITY; case "-inf" -> Double.NEGATIVE_INFINITY;
                    default -> throw new IllegalArgumentException("buffer " + name + ": bad value " + v);
                });
            }
            List<?> dims = list(b, "shape");
            long[] shape = new long[dims.size()];
            for (int i = 0; i < shape.length; i++) shape[i] = ((Number) dims.get(i)).longValue();
            buffers.add(new LaunchPlan.Buffer(name, role, b.get("index") instanceof Number n ? n.intValue() : 0,
                    b.get("key") == null ? null : String.valueOf(b.get("key")), dtype(string(b, "dtype")), Shape.of(shape), values));
        }
        List<LaunchPlan.KernelLaunch> launches = new ArrayList<>();
        for (Object o : list(root, "launches")) {
            Map<?, ?> l = (Map<?, ?>) o;
            List<?> grid = list(l, "grid"), block = list(l, "block");
            Launch g = new Launch(((Number) grid.get(0)).longValue(), ((Number) grid.get(1)).longValue(), ((Number) grid.get(2)).longValue(),
                    ((Number) block.get(0)).intValue(), ((Number) block.get(1)).intValue(), ((Number) block.get(2)).intValue());
            List<String> args = list(l, "args").stream().map(String::valueOf).toList();
            launches.add(new LaunchPlan.KernelLaunch(string(l, "kernel"), g, args,
                    l.get("shared_bytes") instanceof Number n ? n.longValue() : 0));
        }
        String precision = root.get("precision") == null ? null : String.valueOf(root.get("precision"));
        return new Read(new LaunchPlan(string(root, "model"), buffers, launches, precision), string(root, "kernels"));
    }

    private static DType dtype(String torchName) {
        DType d = DType.fromTorchName(torchName);
        if (d == null) throw new IllegalArgumentException("unknown dtype " + torchName);
        return d;
    }

    private static List<?> list(Map<?, ?> m, String key) {
        if (m.get(key) instanceof List<?> l) return l;
        throw new IllegalArgumentException("missing list \"" + key + "\"");
    }

    private static String string(Map<?, ?> m, String key) {
        if (m.get(key) instanceof String s) return s;
        throw new IllegalArgumentException("missing string \"" + key + "\"");
    }

    /** Appends s as a JSON string; names kc makes need no escapes and are copied as they are. */
    private static StringBuilder quote(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c > 0x7e) return sb.append(Json.quote(s));
        }
        return sb.append('"').append(s).append('"');
    }

    private static String doubles(List<Double> v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.size(); i++) {
            double d = v.get(i);
            sb.append(i > 0 ? ", " : "");
            // JSON has no NaN or infinities: spell them as strings, as GraphJson does.
            if (Double.isNaN(d)) sb.append("\"nan\"");
            else if (Double.isInfinite(d)) sb.append(d > 0 ? "\"inf\"" : "\"-inf\"");
            else if (d == Math.rint(d) && Math.abs(d) < 1e15) sb.append((long) d);
            else sb.append(d);
        }
        return sb.append(']').toString();
    }
}
