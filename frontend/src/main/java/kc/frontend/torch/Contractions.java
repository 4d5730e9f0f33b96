package kc.frontend.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op.Reduction;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** Contractions as Generic SUMs: matmul and friends, einsum, linear. */
final class Contractions {
    private Contractions() {}

    private static ScalarExpr product(List<Tensor> xs, DType t) {
        ScalarExpr body = null;
        for (int k = 0; k < xs.size(); k++) {
            ScalarExpr r = Emit.cast(ScalarExpr.read(k), xs.get(k).dtype(), t);
            body = body == null ? r : Emit.bin(BinaryOp.MUL, body, r);
        }
        return body;
    }

    private static String dimsStr(Shape s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.rank(); i++) b.append(i > 0 ? "x" : "").append(s.dim(i));
        return b.toString();
    }

    /** torch.matmul with PyTorch's 1-D promotion and batch broadcasting. */
    static Tensor matmul(CallContext ctx, String op, Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0)
            throw ctx.error("both arguments to matmul need to be at least 1D, but they are " + a.rank() + "D and " + b.rank() + "D");
        long ka = a.shape().dim(a.rank() - 1);
        long kb = b.rank() == 1 ? b.shape().dim(0) : b.shape().dim(b.rank() - 2);
        if (ka != kb) {
            if (a.rank() == 1 && b.rank() == 1)
                throw ctx.error("inconsistent tensor size, expected tensor [" + ka + "] and src [" + kb + "] to have the same number of elements, but got " + ka + " and " + kb + " elements respectively");
            if (a.rank() <= 2 && b.rank() <= 2) {
                String sa = a.rank() == 1 ? "1x" + ka : dimsStr(a.shape());
                String sb = b.rank() == 1 ? kb + "x1" : dimsStr(b.shape());
                throw ctx.error("mat1 and mat2 shapes cannot be multiplied (" + sa + " and " + sb + ")");
            }
            throw ctx.error("shape mismatch in matmul: " + a.shape() + " @ " + b.shape());
        }
        Shape batchA = a.rank() > 2 ? Shape.of(java.util.Arrays.copyOf(a.shape().toArray(), a.rank() - 2)) : Shape.SCALAR;
        Shape batchB = b.rank() > 2 ? Shape.of(java.util.Arrays.copyOf(b.shape().toArray(), b.rank() - 2)) : Shape.SCALAR;
        Shape batch = Elementwise.broadcast(ctx, List.of(batchA, batchB));
        List<Long> out = new ArrayList<>();
        for (long d : batch.toArray()) out.add(d);
        int mPos = -1, nPos = -1;
        if (a.rank() >= 2) { mPos = out.size(); out.add(a.shape().dim(a.rank() - 2)); }
        if (b.rank() >= 2) { nPos = out.size(); out.add(b.shape().dim(b.rank() - 1)); }
        int k = out.size();
        List<IndexExpr> ea = new ArrayList<>(), eb = new ArrayList<>();
        if (a.rank() >= 2) { ea.addAll(Elementwise.broadcastMap(batchA, batch.rank()).exprs()); ea.add(IndexExpr.dim(mPos)); }
        ea.add(IndexExpr.dim(k));
        if (b.rank() >= 2) eb.addAll(Elementwise.broadcastMap(batchB, batch.rank()).exprs());
        eb.add(IndexExpr.dim(k));
        if (b.rank() >= 2) eb.add(IndexExpr.dim(nPos));
        DType t = Elementwise.promote(List.of(a, b));
        return Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(a.value(), b.value()),
                List.of(new IndexMap(ea, null), new IndexMap(eb, null)), Shape.of(ka), product(List.of(a, b), t), Reduction.SUM);
    }

    /** mm/bmm/mv/dot: matmul restricted to the given ranks, with PyTorch's messages. */
    static Tensor checked(CallContext ctx, String op, Tensor a, Tensor b, int ra, int rb) {
        if (a.rank() != ra) throw ctx.error(op.equals("bmm") ? "batch1 must be a 3D tensor" : "self must be a " + ra + "D tensor");
        if (b.rank() != rb) throw ctx.error(op.equals("bmm") ? "batch2 must be a 3D tensor" : (op.equals("mm") ? "mat2" : "vec") + " must be a " + rb + "D tensor");
        if (op.equals("bmm") && a.shape().dim(0) != b.shape().dim(0))
            throw ctx.error("Expected size for first two dimensions of batch2 tensor to be: [" + a.shape().dim(0) + ", " + a.shape().dim(2)
                    + "] but got: [" + b.shape().dim(0) + ", " + b.shape().dim(1) + "].");
        return matmul(ctx, op, a, b);
    }

    /** F.linear: x @ w.T (+ b). */
    static Tensor linear(CallContext ctx, String op, Tensor x, Tensor w, Tensor b) {
        if (w.rank() != 2 && w.rank() != 1) throw ctx.error("linear(): weight must be 1-D or 2-D, got " + w.rank() + "-D");
        if (w.rank() == 1) {
            Tensor y = matmul(ctx, op, x, w);
            return b == null ? y : Elementwise.add(ctx, y, b);
        }
        long in = w.shape().dim(1), outF = w.shape().dim(0);
        if (x.rank() == 0 || x.shape().dim(x.rank() - 1) != in) {
            String sx = x.rank() <= 1 ? "1x" + (x.rank() == 0 ? 1 : x.shape().dim(0)) : flatRows(x);
            throw ctx.error("mat1 and mat2 shapes cannot be multiplied (" + sx + " and " + in + "x" + outF + ")");
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.rank() - 1; i++) out.add(x.shape().dim(i));
        int o = out.size();
        out.add(outF);
        List<IndexExpr> ex = new ArrayList<>(Emit.dims(x.rank() - 1));
        ex.add(IndexExpr.dim(o + 1));
        DType t = Elementwise.promote(List.of(x, w));
        Tensor y = Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(x.value(), w.value()),
                List.of(new IndexMap(ex, null), IndexMap.of(IndexExpr.dim(o), IndexExpr.dim(o + 1))), Shape.of(in),
                product(List.of(x, w), t), Reduction.SUM);
        return b == null ? y : Elementwise.apply(ctx, op, Elementwise.Kind.SAME, List.of(y, b), (xs, tt) -> Emit.bin(BinaryOp.ADD, xs.get(0), xs.get(1)));
    }

    private static String flatRows(Tensor x) {
        long rows = 1;
        for (int i = 0; i < x.rank() - 1; i++) rows *= x.shape().dim(i);
        return rows + "x" + x.shape().dim(x.rank() - 1);
    }

    /** F.bilinear: out[..., o] = sum_ij x1[..., i] w[o, i, j] x2[..., j] (+ b). */
    static Tensor bilinear(CallContext ctx, String op, Tensor x1, Tensor x2, Tensor w, Tensor b) {
        long o = w.shape().dim(0), ni = w.shape().dim(1), nj = w.shape().dim(2);
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x1.rank() - 1; i++) out.add(x1.shape().dim(i));
        int od = out.size();
        out.add(o);
        List<IndexExpr> e1 = new ArrayList<>(Emit.dims(x1.rank() - 1)), e2 = new ArrayList<>(Emit.dims(x2.rank() - 1));
        e1.add(IndexExpr.dim(od + 1));
        e2.add(IndexExpr.dim(od + 2));
        DType t = Elementwise.promote(List.of(x1, x2, w));
        Tensor y = Emit.generic(ctx, op, new TensorType(t, Shape.of(out)), List.of(x1.value(), w.value(), x2.value()),
                List.of(new IndexMap(e1, null), IndexMap.of(IndexExpr.dim(od), IndexExpr.dim(od + 1), IndexExpr.dim(od + 2)), new IndexMap(e2, null)),
                Shape.of(ni, nj), product(List.of(x1, w, x2), t), Reduction.SUM);
        return b == null ? y : Elementwise.add(ctx, y, b);
    }

    /** torch.einsum with explicit or implicit output, '...' and repeated subscripts (diagonals). */
    static Tensor einsum(CallContext ctx, String eq, List<Tensor> xs) {
        String s = eq.replace(" ", "");
        String lhs = s, rhs = null;
        int arrow = s.indexOf("->");
        if (arrow >= 0) { lhs = s.substring(0, arrow); rhs = s.substring(arrow + 2); }
        String[] terms = lhs.split(",", -1);
        if (terms.length != xs.size())
            throw ctx.error("einsum(): more operands were provided than specified in the equation".replace("more", terms.length < xs.size() ? "more" : "fewer"));
        // Labels: letters, and '.0', '.1'... for ellipsis dims (right-aligned across operands).
        int ell = 0;
        List<List<String>> labels = new ArrayList<>();
        for (int k = 0; k < terms.length; k++) {
            String term = terms[k];
            int dots = term.indexOf("...");
            int letters = term.replace("...", "").length();
            int nEll = dots >= 0 ? xs.get(k).rank() - letters : 0;
            if (nEll < 0 || (dots < 0 && letters != xs.get(k).rank()))
                throw ctx.error("einsum(): the number of subscripts in the equation (" + letters + ") does not match the number of dimensions ("
                        + xs.get(k).rank() + ") for operand " + k + (dots >= 0 ? "" : " and no ellipsis was given"));
            ell = Math.max(ell, nEll);
            List<String> l = new ArrayList<>();
            for (int i = 0; i < term.length(); i++) {
                if (term.startsWith("...", i)) {
                    for (int e = 0; e < nEll; e++) l.add("." + (nEll - e));
                    i += 2;
                } else {
                    char c = term.charAt(i);
                    if (!Character.isLetter(c)) throw ctx.error("einsum(): invalid subscript given at index " + i + " in the equation string, subscripts must be in [a-zA-Z]");
                    l.add(String.valueOf(c));
                }
            }
            labels.add(l);
        }
        Map<String, Long> size = new LinkedHashMap<>();
        for (int k = 0; k < xs.size(); k++) {
            for (int i = 0; i < labels.get(k).size(); i++) {
                String lab = labels.get(k).get(i);
                long d = xs.get(k).shape().dim(i);
                Long prev = size.get(lab);
                if (prev == null || prev == 1) size.put(lab, d);
                else if (d != 1 && d != prev)
                    throw ctx.error("einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript "
                            + lab + " has size " + d + " for operand " + k + " which does not broadcast with previously seen size " + prev);
            }
        }
        List<String> outLabels = new ArrayList<>();
        if (rhs != null) {
            for (int i = 0; i < rhs.length(); i++) {
                if (rhs.startsWith("...", i)) { for (int e = ell; e >= 1; e--) outLabels.add("." + e); i += 2; }
                else {
                    String lab = String.valueOf(rhs.charAt(i));
                    if (!size.containsKey(lab)) throw ctx.error("einsum(): output subscript " + lab + " does not appear in the equation for any input operand");
                    if (outLabels.contains(lab)) throw ctx.error("einsum(): output subscript " + lab + " appears more than once in the output");
                    outLabels.add(lab);
                }
            }
        } else {
            for (int e = ell; e >= 1; e--) outLabels.add("." + e);
            Map<String, Integer> count = new LinkedHashMap<>();
            for (List<String> l : labels) for (String lab : l) if (!lab.startsWith(".")) count.merge(lab, 1, Integer::sum);
            count.entrySet().stream().filter(en -> en.getValue() == 1).map(Map.Entry::getKey).sorted().forEach(outLabels::add);
        }
        List<String> reduce = new ArrayList<>();
        for (String lab : size.keySet()) if (!outLabels.contains(lab)) reduce.add(lab);
        List<String> domain = new ArrayList<>(outLabels);
        domain.addAll(reduce);
        List<Value> operands = new ArrayList<>();
        List<IndexMap> maps = new ArrayList<>();
        for (int k = 0; k < xs.size(); k++) {
            List<IndexExpr> e = new ArrayList<>();
            for (int i = 0; i < labels.get(k).size(); i++) {
                String lab = labels.get(k).get(i);
                e.add(xs.get(k).shape().dim(i) == 1 && size.get(lab) != 1 ? IndexExpr.constant(0) : IndexExpr.dim(domain.indexOf(lab)));
            }
            operands.add(xs.get(k).value());
            maps.add(new IndexMap(e, null));
        }
        DType t = Elementwise.promote(new ArrayList<>(xs));
        Shape out = Shape.of(outLabels.stream().map(size::get).toList());
        Shape red = Shape.of(reduce.stream().map(size::get).toList());
        ScalarExpr body = product(xs, t);
        if (reduce.isEmpty()) return Emit.map(ctx, "einsum", new TensorType(t, out), operands, maps, body);
        return Emit.generic(ctx, "einsum", new TensorType(t, out), operands, maps, red, body, Reduction.SUM);
    }
}
