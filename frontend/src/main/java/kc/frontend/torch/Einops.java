package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.CallContext;

/**
 * einops' rearrange, repeat and reduce as kc's views and reductions: split the input's axes into elementary ones
 * (reshape), reduce the axes the output drops (reduce), order the rest as the output names them (permute), insert and
 * broadcast the axes only the output has (repeat), and group them (reshape).
 */
final class Einops {
    private Einops() {}

    /** A pattern side: groups of axis names ("..." stands for the ellipsis axes). */
    private static List<List<String>> parseSide(CallContext ctx, String side) {
        List<List<String>> groups = new ArrayList<>();
        List<String> open = null;
        for (String tok : side.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
            if (tok.isEmpty()) continue;
            switch (tok) {
                case "(" -> {
                    if (open != null) throw ctx.error("rearrange: nested brackets are not allowed");
                    open = new ArrayList<>();
                }
                case ")" -> {
                    if (open == null) throw ctx.error("rearrange: unbalanced brackets in pattern");
                    groups.add(open);
                    open = null;
                }
                default -> {
                    if (open != null) open.add(tok);
                    else groups.add(new ArrayList<>(List.of(tok)));
                }
            }
        }
        if (open != null) throw ctx.error("rearrange: unbalanced brackets in pattern");
        return groups;
    }

    /** What an einops pattern may do beyond reordering: add axes (repeat) or drop them (reduce). */
    enum Kind { REARRANGE, REPEAT, REDUCE }

    static Tensor rearrange(CallContext ctx, Tensor x, String pattern, Map<String, Object> axes) {
        return transform(ctx, Kind.REARRANGE, x, pattern, null, axes);
    }

    /**
     * @param reduction for REDUCE: sum, mean, max, min or prod
     */
    static Tensor transform(CallContext ctx, Kind kind, Tensor x, String pattern, String reduction, Map<String, Object> axes) {
        String fn = kind.name().toLowerCase(java.util.Locale.ROOT);
        int arrow = pattern.indexOf("->");
        if (arrow < 0) throw ctx.error(fn + ": pattern must contain '->'");
        List<List<String>> left = parseSide(ctx, pattern.substring(0, arrow)), right = parseSide(ctx, pattern.substring(arrow + 2));
        int ellipsisDims = x.rank() - left.size() + (containsEllipsis(left) ? 1 : 0);
        if (!containsEllipsis(left) && left.size() != x.rank())
            throw ctx.error("rearrange: wrong shape: expected " + left.size() + " dims. Received " + x.rank() + "-dim tensor.");
        Map<String, Long> size = new LinkedHashMap<>();
        for (var e : axes.entrySet()) {
            Long v = Args.asInt(e.getValue());
            if (v == null) throw ctx.error("rearrange: axis length for " + e.getKey() + " must be an int");
            size.put(e.getKey(), v);
        }
        List<String> elementary = new ArrayList<>();
        List<Long> elemSizes = new ArrayList<>();
        int d = 0;
        for (List<String> g : left) {
            if (g.size() == 1 && g.get(0).equals("...")) {
                for (int i = 0; i < ellipsisDims; i++) {
                    String name = "..." + i;
                    size.put(name, x.shape().dim(d++));
                    elementary.add(name);
                    elemSizes.add(size.get(name));
                }
                continue;
            }
            long dimSize = x.shape().dim(d++);
            long known = 1;
            String unknown = null;
            for (String n : g) {
                if (n.equals("1")) continue;
                if (size.containsKey(n)) known *= size.get(n);
                else if (unknown == null) unknown = n;
                else throw ctx.error("rearrange: could not infer sizes for " + g);
            }
            if (unknown != null) {
                if (known == 0 || dimSize % known != 0) throw ctx.error("rearrange: shape mismatch, can't divide axis of length " + dimSize + " in chunks of " + known);
                size.put(unknown, dimSize / known);
            } else if (known != dimSize) throw ctx.error("rearrange: shape mismatch, " + known + " != " + dimSize);
            for (String n : g) if (!n.equals("1")) { elementary.add(n); elemSizes.add(size.get(n)); }
        }
        // the output's elementary axes in order ("1" and bracket groups aside)
        List<String> order = new ArrayList<>();
        for (List<String> g : right)
            for (String n : g) {
                if (n.equals("...")) for (int i = 0; i < ellipsisDims; i++) order.add("..." + i);
                else if (!n.equals("1")) order.add(n);
            }
        Tensor t = Views.reshape(ctx, fn, x, elemSizes.stream().mapToLong(Long::longValue).toArray());
        boolean[] dropped = new boolean[elementary.size()];
        boolean anyDropped = false;
        for (int i = 0; i < dropped.length; i++) anyDropped |= dropped[i] = !order.contains(elementary.get(i));
        if (anyDropped) {
            if (kind != Kind.REDUCE) throw ctx.error(fn + ": identifiers only on one side of the expression: " + pattern);
            t = switch (reduction) {
                case "sum" -> Reductions.sum(ctx, t, dropped, false, null);
                case "mean" -> Reductions.mean(ctx, t, dropped, false, null);
                case "prod" -> Reductions.prod(ctx, t, dropped, false, null);
                case "max", "min" -> Reductions.amax(ctx, "reduce", t, dropped, false, reduction.equals("max"));
                default -> throw ctx.error("reduce: unsupported reduction '" + reduction + "' (sum, mean, max, min, prod)");
            };
        }
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < dropped.length; i++) if (!dropped[i]) kept.add(elementary.get(i));
        // kept axes in the output's order, then the output's new axes inserted (size 1) and broadcast
        List<String> keptInOrder = order.stream().filter(kept::contains).toList();
        long[] perm = new long[keptInOrder.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = kept.indexOf(keptInOrder.get(i));
        t = Views.permute(ctx, fn, t, perm);
        if (order.size() != keptInOrder.size()) {
            if (kind != Kind.REPEAT) throw ctx.error(fn + ": identifiers only on one side of the expression: " + pattern);
            long[] withOnes = new long[order.size()], sizes = new long[order.size()];
            for (int i = 0; i < order.size(); i++) {
                String n = order.get(i);
                boolean fresh = !kept.contains(n);
                if (fresh && !size.containsKey(n)) throw ctx.error("repeat: specify the length of axis " + n);
                sizes[i] = size.get(n);
                withOnes[i] = fresh ? 1 : sizes[i];
            }
            t = Views.expand(ctx, fn, Views.reshape(ctx, fn, t, withOnes), sizes);
        }
        List<Long> outShape = new ArrayList<>();
        for (List<String> g : right) {
            long prod = 1;
            for (String n : g) {
                if (n.equals("...")) {
                    if (g.size() == 1) { for (int i = 0; i < ellipsisDims; i++) outShape.add(size.get("..." + i)); prod = -1; }
                    else for (int i = 0; i < ellipsisDims; i++) prod *= size.get("..." + i);
                    continue;
                }
                if (!n.equals("1")) prod *= size.get(n);
            }
            if (prod != -1) outShape.add(prod);
        }
        return Views.reshape(ctx, fn, t, outShape.stream().mapToLong(Long::longValue).toArray());
    }

    private static boolean containsEllipsis(List<List<String>> side) {
        for (List<String> g : side) if (g.contains("...")) return true;
        return false;
    }
}
