package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.CallContext;

/** einops.rearrange as reshape, permute, reshape. */
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

    static Tensor rearrange(CallContext ctx, Tensor x, String pattern, Map<String, Object> axes) {
        int arrow = pattern.indexOf("->");
        if (arrow < 0) throw ctx.error("rearrange: pattern must contain '->'");
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
        List<String> order = new ArrayList<>();
        List<Long> outShape = new ArrayList<>();
        for (List<String> g : right) {
            long prod = 1;
            for (String n : g) {
                if (n.equals("...")) {
                    for (int i = 0; i < ellipsisDims; i++) { order.add("..." + i); prod *= size.get("..." + i); }
                    if (g.size() == 1) { prod = -1; for (int i = 0; i < ellipsisDims; i++) outShape.add(size.get("..." + i)); }
                    continue;
                }
                if (n.equals("1")) continue;
                if (!elementary.contains(n)) throw ctx.error("rearrange: unknown axis " + n + " on the right side");
                order.add(n);
                prod *= size.get(n);
            }
            if (prod != -1) outShape.add(prod);
        }
        if (order.size() != elementary.size()) throw ctx.error("rearrange: identifiers only on one side of the expression: " + pattern);
        Tensor t = Views.reshape(ctx, "rearrange", x, elemSizes.stream().mapToLong(Long::longValue).toArray());
        long[] perm = new long[order.size()];
        for (int i = 0; i < perm.length; i++) perm[i] = elementary.indexOf(order.get(i));
        t = Views.permute(ctx, "rearrange", t, perm);
        return Views.reshape(ctx, "rearrange", t, outShape.stream().mapToLong(Long::longValue).toArray());
    }

    private static boolean containsEllipsis(List<List<String>> side) {
        for (List<String> g : side) if (g.contains("...")) return true;
        return false;
    }
}
