package kc.frontend.torch;

import java.util.ArrayList;
import java.util.List;

import kc.frontend.eval.CallContext;
import kc.frontend.eval.Py;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** tensor[index] and tensor[index] = value. */
final class Indexing {
    private Indexing() {}

    /** One input dim's part of a basic index: a fixed position, or a strided range. */
    private record DimSel(long start, long step, long len, boolean fixed) {}

    private static List<Object> items(Object index) {
        if (index instanceof Py.Tuple t) return new ArrayList<>(t.items());
        List<Object> l = new ArrayList<>();
        l.add(index);
        return l;
    }

    private static int consumed(Object o) {
        if (o == Py.NONE || o == Py.Ellipsis.ELLIPSIS) return 0;
        if (o instanceof Tensor t && t.dtype() == DType.BOOL) return t.rank();
        return 1;
    }

    /** Replaces the Ellipsis by full slices and pads with full slices up to the rank. */
    private static List<Object> normalize(CallContext ctx, Tensor x, Object index) {
        List<Object> its = items(index);
        for (int i = 0; i < its.size(); i++) {
            Object o = its.get(i);
            if (o instanceof Py.PyList l) its.set(i, Factories.tensorLiteral(ctx, l, null));
        }
        int used = 0, ellipsis = -1;
        for (int i = 0; i < its.size(); i++) {
            if (its.get(i) == Py.Ellipsis.ELLIPSIS) {
                if (ellipsis >= 0) throw ctx.error("an index can only have a single ellipsis ('...')");
                ellipsis = i;
            }
            used += consumed(its.get(i));
        }
        if (used > x.rank()) throw ctx.error("too many indices for tensor of dimension " + x.rank());
        List<Object> full = new ArrayList<>();
        Py.Slice all = new Py.Slice(Py.NONE, Py.NONE, Py.NONE);
        for (int i = 0; i < its.size(); i++) {
            if (i == ellipsis) for (int k = 0; k < x.rank() - used; k++) full.add(all);
            else full.add(its.get(i));
        }
        if (ellipsis < 0) for (int k = 0; k < x.rank() - used; k++) full.add(all);
        return full;
    }

    private static long sliceBound(CallContext ctx, Object v, long dflt, long n) {
        if (v == null || v == Py.NONE) return dflt;
        Long l = Args.asInt(v);
        if (l == null) {
            if (v instanceof Tensor t && t.rank() == 0) l = (long) ConstEval.scalar(ctx, t);
            else throw ctx.error("slice indices must be integers or None or have an __index__ method");
        }
        long r = l < 0 ? l + n : l;
        return Math.max(0, Math.min(n, r));
    }

    private static DimSel selectFor(CallContext ctx, Object o, long n, int dim) {
        if (o instanceof Py.Slice s) {
            long step = 1;
            if (s.step() != null && s.step() != Py.NONE) {
                Long st = Args.asInt(s.step());
                if (st == null) throw ctx.error("slice indices must be integers or None or have an __index__ method");
                step = st;
            }
            if (step <= 0) throw ctx.error("step must be greater than zero");
            long start = sliceBound(ctx, s.start(), 0, n), stop = sliceBound(ctx, s.stop(), n, n);
            long len = Math.max(0, (stop - start + step - 1) / step);
            return new DimSel(start, step, len, false);
        }
        Long i = Args.asInt(o);
        if (i == null) throw ctx.error("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got "
                + Args.typeName(o) + ")");
        if (i < -n || i >= n) throw ctx.error("index " + i + " is out of bounds for dimension " + dim + " with size " + n);
        return new DimSel(i < 0 ? i + n : i, 1, 1, true);
    }

    static Tensor getItem(CallContext ctx, Tensor x, Object index) {
        List<Object> its = normalize(ctx, x, index);
        List<Long> out = new ArrayList<>();
        List<IndexExpr> e = new ArrayList<>();
        Tensor gatherIndex = null;
        int gatherAt = -1;
        int d = 0;
        boolean trivial = true;
        for (Object o : its) {
            if (o == Py.NONE) { out.add(1L); trivial = false; continue; }
            if (o instanceof Tensor t) {
                if (t.dtype() == DType.BOOL) throw ctx.error("unsupported: indexing with a boolean mask (the result's shape depends on the data)");
                if (t.dtype().isFloat()) throw ctx.error("tensors used as indices must be long, int, byte or bool tensors");
                if (gatherIndex != null) throw ctx.error("unsupported: indexing with more than one tensor index");
                gatherIndex = t;
                gatherAt = out.size();
                e.add(IndexExpr.dim(out.size()));
                out.add(x.shape().dim(d));
                d++;
                continue;
            }
            long n = x.shape().dim(d);
            DimSel s = selectFor(ctx, o, n, d);
            if (s.fixed) { e.add(IndexExpr.constant(s.start)); trivial = false; }
            else {
                if (s.start != 0 || s.step != 1 || s.len != n) trivial = false;
                e.add(IndexExpr.add(IndexExpr.mul(IndexExpr.dim(out.size()), s.step), IndexExpr.constant(s.start)));
                out.add(s.len);
            }
            d++;
        }
        Tensor v = trivial ? x : Emit.view(ctx, "getitem", x, Shape.of(out), e, null);
        if (gatherIndex != null) v = gather(ctx, "getitem", v, gatherAt, gatherIndex);
        return v;
    }

    /**
     * out[..., i..., ...] = x[..., idx[i...], ...] along dim: a one-hot contraction (a SUM over the gathered
     * dim of x selected where the index equals the position), since index maps cannot read another tensor.
     */
    static Tensor gather(CallContext ctx, String op, Tensor x, int dim, Tensor idx) {
        long n = x.shape().dim(dim);
        int r = x.rank(), ir = idx.rank();
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < dim; i++) out.add(x.shape().dim(i));
        for (int i = 0; i < ir; i++) out.add(idx.shape().dim(i));
        for (int i = dim + 1; i < r; i++) out.add(x.shape().dim(i));
        int red = out.size();
        List<IndexExpr> xe = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (i < dim) xe.add(IndexExpr.dim(i));
            else if (i == dim) xe.add(IndexExpr.dim(red));
            else xe.add(IndexExpr.dim(i - 1 + ir));
        }
        List<IndexExpr> ie = new ArrayList<>();
        for (int i = 0; i < ir; i++) ie.add(IndexExpr.dim(dim + i));
        ScalarExpr iv = Emit.cast(ScalarExpr.read(1), idx.dtype(), DType.I64);
        ScalarExpr wrapped = Emit.sel(Emit.bin(BinaryOp.LT, iv, Emit.i64(0)), Emit.bin(BinaryOp.ADD, iv, Emit.i64(n)), iv);
        ScalarExpr hit = Emit.bin(BinaryOp.EQ, wrapped, Emit.idx(red));
        boolean isBool = x.dtype() == DType.BOOL;
        ScalarExpr body = Emit.sel(hit, ScalarExpr.read(0), Emit.c(0, x.dtype()));
        return Emit.generic(ctx, op, new TensorType(x.dtype(), Shape.of(out)), List.of(x.value(), idx.value()),
                List.of(new IndexMap(xe, null), new IndexMap(ie, null)), Shape.of(n), body,
                isBool ? Op.Reduction.MAX : Op.Reduction.SUM);
    }

    /**
     * torch.gather: out[i] = x[i with i[dim] replaced by idx[i]], out has idx's shape. A one-hot SUM over x's dim.
     */
    static Tensor takeAlong(CallContext ctx, String op, Tensor x, int dim, Tensor idx) {
        if (idx.rank() != x.rank()) throw ctx.error("Index tensor must have the same number of dimensions as input tensor");
        if (idx.dtype().isFloat() || idx.dtype() == DType.BOOL) throw ctx.error("gather(): Expected dtype int64 for index");
        for (int i = 0; i < x.rank(); i++)
            if (i != dim && idx.shape().dim(i) > x.shape().dim(i))
                throw ctx.error("Size does not match at dimension " + i + " expected index " + idx.shape() + " to be smaller than self " + x.shape() + " apart from dimension " + dim);
        long n = x.shape().dim(dim);
        int r = x.rank();
        List<IndexExpr> xe = new ArrayList<>(Emit.dims(r));
        xe.set(dim, IndexExpr.dim(r));
        ScalarExpr iv = Emit.cast(ScalarExpr.read(1), idx.dtype(), DType.I64);
        ScalarExpr wrapped = Emit.sel(Emit.bin(BinaryOp.LT, iv, Emit.i64(0)), Emit.bin(BinaryOp.ADD, iv, Emit.i64(n)), iv);
        ScalarExpr body = Emit.sel(Emit.bin(BinaryOp.EQ, wrapped, Emit.idx(r)), ScalarExpr.read(0), Emit.c(0, x.dtype()));
        return Emit.generic(ctx, op, new TensorType(x.dtype(), idx.shape()), List.of(x.value(), idx.value()),
                List.of(new IndexMap(xe, null), IndexMap.identity(r)), Shape.of(n), body,
                x.dtype() == DType.BOOL ? Op.Reduction.MAX : Op.Reduction.SUM);
    }

    /** self[index] = value as a functional update: select between the new and old values by position. */
    static void setItem(CallContext ctx, Tensor self, Object index, Object value) {
        if (index instanceof Tensor mask && mask.dtype() == DType.BOOL) {
            if (value instanceof Tensor vt && vt.shape().numel() != 1)
                throw ctx.error("unsupported: boolean-mask assignment of a tensor with more than one element");
            Object v = value instanceof Tensor vt ? Views.reshape(ctx, "setitem", vt, new long[0]) : value;
            DType t = self.dtype();
            Tensor r = Elementwise.apply(ctx, "setitem", List.of(mask, v, self), null, t,
                    (xs, ct) -> Emit.sel(Emit.cast(xs.get(0), mask.dtype(), DType.BOOL), Emit.cast(xs.get(1), Elementwise.typeOf(v), t), xs.get(2)));
            // the mask must broadcast to self without changing its shape
            if (!r.shape().equals(self.shape())) throw ctx.error("shape mismatch: mask of shape " + mask.shape() + " cannot index a tensor of shape " + self.shape());
            self.rebind(r.value());
            return;
        }
        List<Object> its = normalize(ctx, self, index);
        List<DimSel> sels = new ArrayList<>();
        int d = 0;
        for (Object o : its) {
            if (o == Py.NONE) continue;
            if (o instanceof Tensor) throw ctx.error("unsupported: assignment through a tensor index");
            sels.add(selectFor(ctx, o, self.shape().dim(d), d));
            d++;
        }
        List<Long> region = new ArrayList<>();
        List<Integer> regionDims = new ArrayList<>();
        for (int i = 0; i < sels.size(); i++) if (!sels.get(i).fixed) { region.add(sels.get(i).len); regionDims.add(i); }
        DType t = self.dtype();
        List<Value> operands = new ArrayList<>(List.of(self.value()));
        List<IndexMap> maps = new ArrayList<>(List.of(IndexMap.identity(self.rank())));
        ScalarExpr newValue;
        if (value instanceof Tensor vt) {
            Shape rs = Shape.of(region);
            Elementwise.broadcast(ctx, List.of(rs, vt.shape()));
            if (vt.rank() > rs.rank() && vt.shape().numel() != rs.numel())
                throw ctx.error("shape mismatch: value tensor of shape " + vt.shape() + " cannot be broadcast to indexing result of shape " + rs);
            Tensor v = vt.rank() > rs.rank() ? Views.reshape(ctx, "setitem", vt, rs.toArray()) : vt;
            List<IndexExpr> e = new ArrayList<>();
            for (int k = 0; k < v.rank(); k++) {
                int rk = rs.rank() - v.rank() + k;
                if (v.shape().dim(k) == 1) { e.add(IndexExpr.constant(0)); continue; }
                DimSel s = sels.get(regionDims.get(rk));
                IndexExpr rel = IndexExpr.add(IndexExpr.dim(regionDims.get(rk)), IndexExpr.constant(-s.start));
                e.add(s.step == 1 ? rel : new IndexExpr.ExactDiv(rel, s.step));
            }
            operands.add(v.value());
            maps.add(new IndexMap(e, 0.0));
            newValue = Emit.cast(ScalarExpr.read(1), v.dtype(), t);
        } else if (Elementwise.isScalar(value)) {
            newValue = Emit.c(Elementwise.scalarValue(value), t);
        } else throw ctx.error("can't assign a " + Args.typeName(value) + " to a " + self.dtype().torchName() + " tensor");
        ScalarExpr cond = null;
        for (int i = 0; i < sels.size(); i++) {
            DimSel s = sels.get(i);
            long n = self.shape().dim(i);
            if (!s.fixed && s.start == 0 && s.step == 1 && s.len == n) continue;
            ScalarExpr c;
            if (s.fixed) c = Emit.bin(BinaryOp.EQ, Emit.idx(i), Emit.i64(s.start));
            else {
                c = Emit.bin(BinaryOp.AND, Emit.bin(BinaryOp.GE, Emit.idx(i), Emit.i64(s.start)),
                        Emit.bin(BinaryOp.LT, Emit.idx(i), Emit.i64(s.start + (s.len - 1) * s.step + 1)));
                if (s.step != 1) c = Emit.bin(BinaryOp.AND, c, Emit.bin(BinaryOp.EQ,
                        Emit.bin(BinaryOp.MOD, Emit.bin(BinaryOp.SUB, Emit.idx(i), Emit.i64(s.start)), Emit.i64(s.step)), Emit.i64(0)));
            }
            cond = cond == null ? c : Emit.bin(BinaryOp.AND, cond, c);
        }
        ScalarExpr body = cond == null ? newValue : Emit.sel(cond, newValue, ScalarExpr.read(0));
        Tensor r = Emit.map(ctx, "setitem", self.type(), operands, maps, body);
        self.rebind(r.value());
    }
}
