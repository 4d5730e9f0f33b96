package kc.passes.schedule;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;

/**
 * A Generic that is a contraction: a float sum over reduction dims of a product of two factors, each reading its own
 * operands (with any prologue inlined into it). Matmul, bmm, Linear, einsum and every convolution (as an implicit
 * GEMM: the input window is one factor, the weight the other) have this form. Its domain dims fall into four roles:
 * <ul>
 *   <li>{@code rows}: result dims only the row factor reads (a matmul's i; a convolution's output channel);</li>
 *   <li>{@code cols}: result dims only the column factor reads (a matmul's j; a convolution's batch and pixels);</li>
 *   <li>{@code batch}: result dims both or neither read (bmm's batch); a block's tile stays within one batch point;</li>
 *   <li>{@code k}: the reduction dims.</li>
 * </ul>
 * The column factor is the one that reads the result's innermost dim, so that neighbouring threads store
 * neighbouring outputs. {@code rowsAlongK} and {@code colsAlongK} say whether each factor's operand is contiguous
 * along the reduction (then its tile is loaded k-fastest) or along its own dims.
 */
public record Contraction(ScalarExpr rowFactor, ScalarExpr colFactor, int[] rows, int[] cols, int[] batch, int[] k,
                          long[] dims, boolean rowsAlongK, boolean colsAlongK) {

    public long rowCount() { return product(rows); }
    public long colCount() { return product(cols); }
    public long batchCount() { return product(batch); }
    public long kCount() { return product(k); }

    private long product(int[] ds) {
        long p = 1;
        for (int d : ds) p *= dims[d];
        return p;
    }

    /**
     * Whether both factors are fp32 operand elements read as they are (zero where a map pads), which asynchronous
     * copies can stage; n is the node this contraction is of.
     */
    public boolean plainFactors(Node n) { return plainRead(rowFactor, n) && plainRead(colFactor, n); }

    private static boolean plainRead(ScalarExpr factor, Node n) {
        if (!(factor instanceof ScalarExpr.Read r)) return false;
        Double pad = ((Op.Generic) n.op()).maps().get(r.operand()).pad();
        return n.operands().get(r.operand()).type().dtype() == DType.F32 && (pad == null || pad == 0);
    }

    /** The contraction form of node n, or null when it has none. */
    public static Contraction of(Node n) {
        if (!(n.op() instanceof Op.Generic g) || g.reduction() != Op.Reduction.SUM || g.reduceShape().rank() == 0) return null;
        if (n.result().type().dtype() != DType.F32 || !(g.body() instanceof ScalarExpr.Binary mul) || mul.op() != ScalarExpr.BinaryOp.MUL) return null;
        BitSet bodyReads = VectorAccess.reads(g.body());
        for (int k = bodyReads.nextSetBit(0); k >= 0; k = bodyReads.nextSetBit(k + 1))
            if (n.operands().get(k).type().dtype() != DType.F32) return null;
        int resultRank = n.result().type().rank(), rank = resultRank + g.reduceShape().rank();
        if (resultRank == 0) return null; // a full sum: no rows or columns to tile
        long[] dims = new long[rank];
        for (int d = 0; d < resultRank; d++) dims[d] = n.result().type().shape().dim(d);
        for (int d = resultRank; d < rank; d++) dims[d] = g.reduceShape().dim(d - resultRank);
        BitSet a = dimsRead(mul.a(), g), b = dimsRead(mul.b(), g);
        if (VectorAccess.reads(mul.a()).isEmpty() || VectorAccess.reads(mul.b()).isEmpty()) return null;
        int inner = resultRank - 1;
        boolean swap = a.get(inner) && !b.get(inner);
        ScalarExpr rowFactor = swap ? mul.b() : mul.a(), colFactor = swap ? mul.a() : mul.b();
        BitSet r = swap ? b : a, c = swap ? a : b;
        List<Integer> rows = new ArrayList<>(), cols = new ArrayList<>(), batch = new ArrayList<>(), k = new ArrayList<>();
        for (int d = 0; d < resultRank; d++) {
            if (r.get(d) && !c.get(d)) rows.add(d);
            else if (c.get(d) && !r.get(d)) cols.add(d);
            else batch.add(d);
        }
        for (int d = resultRank; d < rank; d++) k.add(d);
        if (rows.isEmpty() || cols.isEmpty()) return null;
        int[] rk = ints(k);
        return new Contraction(rowFactor, colFactor, ints(rows), ints(cols), ints(batch), rk, dims,
                alongK(rowFactor, g, rk, ints(rows), dims), alongK(colFactor, g, rk, ints(cols), dims));
    }

    /**
     * Whether the factor's consecutive elements in memory run along the reduction rather than along its own rows
     * (columns): the first operand it reads has the innermost reduction dim in its innermost index, and no own dim
     * there runs longer. A convolution's input is read at ow + kw: 3 terms of kw against a row of ow, so its tile
     * loads go along the rows.
     */
    private static boolean alongK(ScalarExpr factor, Op.Generic g, int[] k, int[] own, long[] dims) {
        int operand = VectorAccess.reads(factor).nextSetBit(0);
        IndexMap map = g.maps().get(operand);
        if (map.rank() == 0) return true;
        BitSet last = new BitSet();
        dims(map.exprs().get(map.rank() - 1), last);
        int innerK = k[k.length - 1];
        if (!last.get(innerK)) return false;
        for (int d : own) if (last.get(d) && dims[d] > dims[innerK]) return false;
        return true;
    }

    /** The domain dims an expression depends on: through its operands' index maps and its index reads. */
    private static BitSet dimsRead(ScalarExpr e, Op.Generic g) {
        BitSet out = new BitSet();
        BitSet operands = VectorAccess.reads(e);
        for (int k = operands.nextSetBit(0); k >= 0; k = operands.nextSetBit(k + 1))
            for (IndexExpr x : g.maps().get(k).exprs()) dims(x, out);
        indexReads(e, out);
        return out;
    }

    private static void indexReads(ScalarExpr e, BitSet out) {
        switch (e) {
            case ScalarExpr.Index i -> out.set(i.dim());
            case ScalarExpr.Read r -> { }
            case ScalarExpr.Reduced r -> { }
            case ScalarExpr.Const c -> { }
            case ScalarExpr.Cast c -> indexReads(c.a(), out);
            case ScalarExpr.Unary u -> indexReads(u.a(), out);
            case ScalarExpr.Binary b -> { indexReads(b.a(), out); indexReads(b.b(), out); }
            case ScalarExpr.Select s -> { indexReads(s.cond(), out); indexReads(s.a(), out); indexReads(s.b(), out); }
        }
    }

    private static void dims(IndexExpr e, BitSet out) {
        switch (e) {
            case IndexExpr.Dim d -> out.set(d.d());
            case IndexExpr.Const c -> { }
            case IndexExpr.Add a -> { dims(a.a(), out); dims(a.b(), out); }
            case IndexExpr.Mul m -> dims(m.a(), out);
            case IndexExpr.FloorDiv f -> dims(f.a(), out);
            case IndexExpr.Mod m -> dims(m.a(), out);
            case IndexExpr.ExactDiv q -> dims(q.a(), out);
        }
    }

    private static int[] ints(List<Integer> l) { return l.stream().mapToInt(Integer::intValue).toArray(); }
}
