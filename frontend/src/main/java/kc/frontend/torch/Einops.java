package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;

/**
 * einops' rearrange, repeat and reduce as kc's views and reductions: split the input's axes into elementary ones
 * (reshape), reduce the axes the output drops (reduce), order the rest as the output names them (permute), insert and
 * broadcast the axes only the output has (repeat), and group them (reshape). pack and unpack are reshapes around a
 * concatenation and slices along the '*' axis; einops.einsum renames its named axes to letters for torch.einsum.
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

    // ---------------------------------------------------------------- pack, unpack

    /** einops' analyze_pattern: the number of axes before and after the single '*'. */
    private static int[] packPattern(CallContext ctx, String pattern, String op) {
        List<String> axes = List.of(pattern.trim().isEmpty() ? new String[0] : pattern.trim().split("\\s+"));
        if (new java.util.HashSet<>(axes).size() != axes.size())
            throw ctx.error("Duplicates in axes names in " + op + "(..., \"" + pattern + "\")");
        if (!axes.contains("*")) throw ctx.error("No *-axis in " + op + "(..., \"" + pattern + "\")");
        for (String a : axes)
            if (!a.equals("*") && !validAxisName(a)) throw ctx.error("Invalid axis name " + a + " in " + op + "(..., \"" + pattern + "\")");
        int before = axes.indexOf("*");
        return new int[] {before, axes.size() - before - 1};
    }

    /** einops' check_axis_name: a Python identifier that neither starts nor ends with an underscore. */
    private static boolean validAxisName(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0)) || name.charAt(0) == '$') return false;
        for (char c : name.toCharArray()) if (!Character.isLetterOrDigit(c) && c != '_') return false;
        return name.charAt(0) != '_' && name.charAt(name.length() - 1) != '_';
    }

    /**
     * einops.pack: every tensor reshaped to (axes before '*', -1, axes after) and concatenated along '*'; returns
     * (packed, packed_shapes), the shapes the '*' stood for in each tensor.
     */
    static Py.Tuple pack(CallContext ctx, List<Tensor> tensors, String pattern) {
        int[] ba = packPattern(ctx, pattern, "pack");
        int before = ba[0], after = ba[1];
        if (tensors.isEmpty()) throw ctx.error("pack: no tensors to pack");
        List<Tensor> reshaped = new ArrayList<>();
        List<Object> shapes = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            long[] shape = t.shape().toArray();
            if (shape.length < before + after)
                throw ctx.error("packed tensor #" + i + " (enumeration starts with 0) has shape " + TensorOps.shapeTuple(t).items()
                        + ", while pattern " + pattern + " assumes at least " + (before + after) + " axes");
            int end = shape.length - after;
            List<Object> star = new ArrayList<>();
            long prod = 1;
            for (int d = before; d < end; d++) { star.add(shape[d]); prod *= shape[d]; }
            shapes.add(new Py.Tuple(star));
            long[] to = new long[before + 1 + after];
            for (int d = 0; d < before; d++) to[d] = shape[d];
            to[before] = prod;
            for (int d = 0; d < after; d++) to[before + 1 + d] = shape[end + d];
            reshaped.add(Views.reshape(ctx, "pack", t, to));
        }
        return Py.Tuple.of(Views.cat(ctx, "pack", reshaped, before), new Py.PyList(shapes));
    }

    /** einops.unpack: split along the '*' axis into one piece per packed shape (one may hold a -1), each reshaped. */
    static Py.PyList unpack(CallContext ctx, Tensor x, List<Object> packedShapes, String pattern) {
        int[] ba = packPattern(ctx, pattern, "unpack");
        int axis = ba[0];
        long[] shape = x.shape().toArray();
        if (shape.length != ba[0] + 1 + ba[1])
            throw ctx.error("unpack(..., " + pattern + ") received input of wrong dim with shape " + TensorOps.shapeTuple(x).items());
        List<long[]> elements = new ArrayList<>();
        long[] lengths = new long[packedShapes.size()];
        int unknown = -1;
        for (int i = 0; i < packedShapes.size(); i++) {
            long[] e = Args.intSeq(packedShapes.get(i));
            if (e == null) throw ctx.error("unpack: packed_shapes must be a list of shapes (tuples of ints)");
            elements.add(e);
            long prod = 1;
            boolean minusOne = false;
            for (long d : e) { if (d == -1) minusOne = true; else prod *= d; }
            if (minusOne) {
                if (unknown >= 0) throw ctx.error("unpack(..., " + pattern + ") received more than one -1 in " + packedShapes + " and can't infer dimensions");
                unknown = i;
                lengths[i] = -1;
            } else lengths[i] = prod;
        }
        long total = shape[axis];
        long[] split = new long[lengths.length + 1];
        split[lengths.length] = total;
        if (unknown < 0) {
            for (int i = 0; i + 1 < lengths.length; i++) split[i + 1] = split[i] + lengths[i];
        } else {
            for (int i = 0; i < unknown; i++) split[i + 1] = split[i] + lengths[i];
            for (int j = lengths.length - 1; j > unknown; j--) split[j] = split[j + 1] - lengths[j];
        }
        String failure = "Error during unpack(..., \"" + pattern + "\"): could not split axis of size " + total + " into requested " + packedShapes;
        if (unknown < 0 && split[lengths.length - 1] + lengths[lengths.length - 1] != total) throw ctx.error(failure);
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < elements.size(); i++) {
            if (split[i] < 0 || split[i + 1] < split[i] || split[i + 1] > total) throw ctx.error(failure);
            long[] e = elements.get(i);
            long[] to = new long[shape.length - 1 + e.length];
            for (int d = 0; d < axis; d++) to[d] = shape[d];
            System.arraycopy(e, 0, to, axis, e.length);
            for (int d = axis + 1; d < shape.length; d++) to[e.length + d - 1] = shape[d];
            Tensor piece = Views.slice(ctx, "unpack", x, axis, split[i], split[i + 1], 1);
            try {
                out.add(Views.reshape(ctx, "unpack", piece, to));
            } catch (kc.frontend.CompileError err) {
                throw ctx.error(failure);
            }
        }
        return new Py.PyList(out);
    }

    // ---------------------------------------------------------------- einsum

    /**
     * einops.einsum(*tensors, pattern): named axes ("batch h w, h w c -> batch c"), renamed to single letters in
     * order of first appearance, then torch.einsum. Like einops: '->' is required, '...' is kept, and bracketed
     * groups, '()' and numbered axes are not supported.
     */
    static Tensor einsum(CallContext ctx, List<Tensor> tensors, String pattern) {
        int arrow = pattern.indexOf("->");
        if (arrow < 0) throw ctx.error("Einsum pattern must contain '->'.");
        String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        Map<String, Character> mapping = new LinkedHashMap<>();
        StringBuilder compact = new StringBuilder();
        String[] lefts = pattern.substring(0, arrow).split(",", -1);
        for (int k = 0; k < lefts.length; k++) {
            if (k > 0) compact.append(',');
            for (String name : einsumAxes(ctx, lefts[k], pattern)) {
                if (name.equals("...")) { compact.append("..."); continue; }
                if (!mapping.containsKey(name)) {
                    if (mapping.size() >= letters.length()) throw ctx.error("Too many axes in einsum.");
                    mapping.put(name, letters.charAt(mapping.size()));
                }
                compact.append(mapping.get(name));
            }
        }
        compact.append("->");
        for (String name : einsumAxes(ctx, pattern.substring(arrow + 2), pattern)) {
            if (name.equals("...")) { compact.append("..."); continue; }
            if (!mapping.containsKey(name)) throw ctx.error("Unknown axis " + name + " on right side of einsum " + pattern + ".");
            compact.append(mapping.get(name));
        }
        return Contractions.einsum(ctx, compact.toString(), tensors);
    }

    /** One side of an einops.einsum pattern: its axis names and "..." in order. */
    private static List<String> einsumAxes(CallContext ctx, String side, String pattern) {
        List<String> out = new ArrayList<>();
        for (List<String> group : parseSide(ctx, side.replace("\u2026", "..."))) {
            if (group.size() != 1) {
                if (group.isEmpty()) throw ctx.error("Singleton () axes are not yet supported in einsum.");
                throw ctx.error("Shape rearrangement is not yet supported in einsum.");
            }
            String name = group.get(0);
            if (name.equals("...")) { out.add(name); continue; }
            if (!name.isEmpty() && Character.isDigit(name.charAt(0))) throw ctx.error("Anonymous axes are not yet supported in einsum.");
            if (!name.equals("_") && !validAxisName(name)) throw ctx.error("Invalid axis name " + name + " in einsum pattern " + pattern);
            out.add(name);
        }
        return out;
    }

    private static boolean containsEllipsis(List<List<String>> side) {
        for (List<String> g : side) if (g.contains("...")) return true;
        return false;
    }
}
