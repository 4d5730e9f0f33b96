package kc.frontend.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kc.frontend.eval.CallContext;
import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarExpr.BinaryOp;
import kc.ir.graph.Shape;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;

/** Views and data movement as index maps: reshape, permute, slices, expand, cat, pad, roll, flip... */
final class Views {
    private Views() {}

    static String shapeStr(long[] s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) b.append(i > 0 ? ", " : "").append(s[i]);
        return b.append("]").toString();
    }

    /** Resolves one -1 in a requested shape, with PyTorch's errors. */
    static long[] inferShape(CallContext ctx, long[] shape, long numel) {
        long[] r = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == -1) {
                if (infer >= 0) throw ctx.error("only one dimension can be inferred");
                infer = i;
            } else if (r[i] < 0) throw ctx.error("invalid shape dimension " + r[i]);
            else known *= r[i];
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) throw ctx.error("shape '" + shapeStr(shape) + "' is invalid for input of size " + numel);
            r[infer] = numel / known;
        } else if (known != numel) throw ctx.error("shape '" + shapeStr(shape) + "' is invalid for input of size " + numel);
        return r;
    }

    static Tensor reshape(CallContext ctx, String op, Tensor x, long[] requested) {
        long[] out = inferShape(ctx, requested, x.shape().numel());
        if (Arrays.equals(out, x.shape().toArray())) return x;
        return Emit.view(ctx, op, x, Shape.of(out), reshapeMap(x.shape().toArray(), out), null);
    }

    /**
     * Index expressions reading a row-major tensor of shape in as if it had shape out. Dims are grouped where
     * the products agree, so a reshape that only splits or merges some dims keeps the others as plain Dims.
     */
    static List<IndexExpr> reshapeMap(long[] in, long[] out) {
        IndexExpr[] exprs = new IndexExpr[in.length];
        if (Shape.of(in).numel() == 0) { // nothing is ever read
            java.util.Arrays.fill(exprs, IndexExpr.constant(0));
            return Arrays.asList(exprs);
        }
        List<Integer> ins = new ArrayList<>(), outs = new ArrayList<>();
        for (int i = 0; i < in.length; i++) { if (in[i] == 1) exprs[i] = IndexExpr.constant(0); else ins.add(i); }
        for (int j = 0; j < out.length; j++) if (out[j] != 1) outs.add(j);
        int a = 0, b = 0;
        while (a < ins.size() && b < outs.size()) {
            List<Integer> gi = new ArrayList<>(List.of(ins.get(a++))), go = new ArrayList<>(List.of(outs.get(b++)));
            long pi = in[gi.get(0)], po = out[go.get(0)];
            while (pi != po) {
                if (pi < po) { int i = ins.get(a++); gi.add(i); pi *= in[i]; }
                else { int j = outs.get(b++); go.add(j); po *= out[j]; }
            }
            if (gi.size() == 1 && go.size() == 1) { exprs[gi.get(0)] = IndexExpr.dim(go.get(0)); continue; }
            IndexExpr flat = IndexExpr.constant(0);
            long stride = 1;
            for (int k = go.size() - 1; k >= 0; k--) {
                flat = IndexExpr.add(IndexExpr.mul(IndexExpr.dim(go.get(k)), stride), flat);
                stride *= out[go.get(k)];
            }
            stride = 1;
            for (int k = gi.size() - 1; k >= 0; k--) {
                int i = gi.get(k);
                IndexExpr e = stride == 1 ? flat : new IndexExpr.FloorDiv(flat, stride);
                if (k > 0) e = new IndexExpr.Mod(e, in[i]);
                exprs[i] = e;
                stride *= in[i];
            }
        }
        return Arrays.asList(exprs);
    }

    static Tensor permute(CallContext ctx, String op, Tensor x, long[] dims) {
        int n = x.rank();
        if (dims.length != n) throw ctx.error("permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = "
                + n + " is not equal to len(dims) = " + dims.length);
        int[] perm = new int[n];
        boolean[] used = new boolean[n];
        for (int i = 0; i < n; i++) {
            perm[i] = Emit.dim(ctx, dims[i], n);
            if (used[perm[i]]) throw ctx.error("permute(): duplicate dims are not allowed.");
            used[perm[i]] = true;
        }
        boolean identity = true;
        for (int i = 0; i < n; i++) identity &= perm[i] == i;
        if (identity) return x;
        long[] out = new long[n];
        IndexExpr[] e = new IndexExpr[n];
        for (int i = 0; i < n; i++) { out[i] = x.shape().dim(perm[i]); e[perm[i]] = IndexExpr.dim(i); }
        return Emit.view(ctx, op, x, Shape.of(out), Arrays.asList(e), null);
    }

    static Tensor transpose(CallContext ctx, String op, Tensor x, long d0, long d1) {
        int n = x.rank();
        if (n == 0) return x;
        int a = Emit.dim(ctx, d0, n), b = Emit.dim(ctx, d1, n);
        long[] perm = new long[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        return permute(ctx, op, x, perm);
    }

    static Tensor unsqueeze(CallContext ctx, String op, Tensor x, long d) {
        int k = Emit.dim(ctx, d, x.rank() + 1);
        long[] s = x.shape().toArray();
        long[] out = new long[s.length + 1];
        for (int i = 0, j = 0; i < out.length; i++) out[i] = i == k ? 1 : s[j++];
        return reshape(ctx, op, x, out);
    }

    /** Removes the marked dims that have size 1 (others are kept, as PyTorch does). */
    static Tensor squeezeDims(CallContext ctx, String op, Tensor x, boolean[] dims) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) if (!(dims[i] && x.shape().dim(i) == 1)) out.add(x.shape().dim(i));
        return reshape(ctx, op, x, out.stream().mapToLong(Long::longValue).toArray());
    }

    static Tensor expand(CallContext ctx, String op, Tensor x, long[] sizes) {
        int n = sizes.length;
        if (n < x.rank()) throw ctx.error("expand(" + x.type() + ", size=" + shapeStr(sizes) + "): the number of sizes provided ("
                + n + ") must be greater or equal to the number of dimensions in the tensor (" + x.rank() + ")");
        long[] out = new long[n];
        IndexExpr[] e = new IndexExpr[x.rank()];
        for (int i = 0; i < n; i++) {
            int k = i - (n - x.rank());
            long have = k >= 0 ? x.shape().dim(k) : 1;
            long want = sizes[i] == -1 ? have : sizes[i];
            if (k < 0 && sizes[i] == -1) throw ctx.error("expand: -1 is not allowed in a leading, non-existing dimension");
            if (have != want && have != 1)
                throw ctx.error("The expanded size of the tensor (" + want + ") must match the existing size (" + have
                        + ") at non-singleton dimension " + i + ".  Target sizes: " + shapeStr(sizes) + ".  Tensor sizes: " + shapeStr(x.shape().toArray()));
            out[i] = want;
            if (k >= 0) e[k] = have == 1 ? IndexExpr.constant(0) : IndexExpr.dim(i);
        }
        if (Arrays.equals(out, x.shape().toArray())) return x;
        return Emit.view(ctx, op, x, Shape.of(out), Arrays.asList(e), null);
    }

    static Tensor repeat(CallContext ctx, String op, Tensor x, long[] reps) {
        if (reps.length < x.rank()) throw ctx.error("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        int n = reps.length;
        long[] out = new long[n];
        IndexExpr[] e = new IndexExpr[x.rank()];
        for (int i = 0; i < n; i++) {
            int k = i - (n - x.rank());
            long have = k >= 0 ? x.shape().dim(k) : 1;
            out[i] = have * reps[i];
            if (k >= 0) e[k] = have == 1 ? IndexExpr.constant(0) : reps[i] == 1 ? IndexExpr.dim(i) : new IndexExpr.Mod(IndexExpr.dim(i), have);
        }
        return Emit.view(ctx, op, x, Shape.of(out), Arrays.asList(e), null);
    }

    /** x[..., start:stop:step, ...] along one dim (start/stop already clamped, step > 0). */
    static Tensor slice(CallContext ctx, String op, Tensor x, int dim, long start, long stop, long step) {
        long len = Math.max(0, (stop - start + step - 1) / step);
        if (start == 0 && step == 1 && len == x.shape().dim(dim)) return x;
        long[] out = x.shape().toArray();
        out[dim] = len;
        List<IndexExpr> e = new ArrayList<>(Emit.dims(x.rank()));
        e.set(dim, IndexExpr.add(IndexExpr.mul(IndexExpr.dim(dim), step), IndexExpr.constant(start)));
        return Emit.view(ctx, op, x, Shape.of(out), e, null);
    }

    static Tensor narrow(CallContext ctx, String op, Tensor x, long dim, long start, long length) {
        int d = Emit.dim(ctx, dim, x.rank());
        long size = x.shape().dim(d);
        if (start < 0) start += size;
        if (start < 0 || start + length > size || length < 0)
            throw ctx.error("start (" + start + ") + length (" + length + ") exceeds dimension size (" + size + ").");
        return slice(ctx, op, x, d, start, start + length, 1);
    }

    /** x.select(dim, index): removes dim. */
    static Tensor select(CallContext ctx, String op, Tensor x, long dim, long index) {
        int d = Emit.dim(ctx, dim, x.rank());
        long size = x.shape().dim(d);
        if (index < -size || index >= size)
            throw ctx.error("index " + index + " is out of bounds for dimension " + d + " with size " + size);
        long i = index < 0 ? index + size : index;
        long[] s = x.shape().toArray();
        long[] out = new long[s.length - 1];
        List<IndexExpr> e = new ArrayList<>();
        for (int k = 0, j = 0; k < s.length; k++) {
            if (k == d) e.add(IndexExpr.constant(i));
            else { out[j] = s[k]; e.add(IndexExpr.dim(j)); j++; }
        }
        return Emit.view(ctx, op, x, Shape.of(out), e, null);
    }

    static Tensor flatten(CallContext ctx, String op, Tensor x, long startDim, long endDim) {
        if (x.rank() == 0) return reshape(ctx, op, x, new long[] {1});
        int s = Emit.dim(ctx, startDim, x.rank()), e = Emit.dim(ctx, endDim, x.rank());
        if (s > e) throw ctx.error("flatten() has invalid args: start_dim cannot come after end_dim");
        long[] in = x.shape().toArray();
        long[] out = new long[in.length - (e - s)];
        for (int i = 0, j = 0; i < in.length; i++) {
            if (i <= s || i > e) out[j++] = in[i];
            else out[j - 1] *= in[i];
        }
        return reshape(ctx, op, x, out);
    }

    static Tensor unflatten(CallContext ctx, String op, Tensor x, long dim, long[] sizes) {
        int d = Emit.dim(ctx, dim, x.rank());
        long[] inner = inferShape(ctx, sizes, x.shape().dim(d));
        long[] in = x.shape().toArray();
        long[] out = new long[in.length - 1 + inner.length];
        int j = 0;
        for (int i = 0; i < in.length; i++) {
            if (i == d) for (long v : inner) out[j++] = v;
            else out[j++] = in[i];
        }
        return reshape(ctx, op, x, out);
    }

    static Tensor flip(CallContext ctx, String op, Tensor x, boolean[] dims) {
        List<IndexExpr> e = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            e.add(dims[i] ? IndexExpr.add(IndexExpr.mul(IndexExpr.dim(i), -1), IndexExpr.constant(x.shape().dim(i) - 1)) : IndexExpr.dim(i));
        }
        return Emit.view(ctx, op, x, x.shape(), e, null);
    }

    static Tensor roll(CallContext ctx, String op, Tensor x, long[] shifts, long[] dims) {
        if (dims.length == 0) {
            Tensor flat = reshape(ctx, op, x, new long[] {x.shape().numel()});
            return reshape(ctx, op, roll(ctx, op, flat, shifts, new long[] {0}), x.shape().toArray());
        }
        if (shifts.length != dims.length) throw ctx.error("shifts and dimensions must align. shifts: " + shifts.length + ", dims:" + dims.length);
        List<IndexExpr> e = new ArrayList<>(Emit.dims(x.rank()));
        for (int k = 0; k < dims.length; k++) {
            int d = Emit.dim(ctx, dims[k], x.rank());
            long n = x.shape().dim(d);
            long s = Math.floorMod(shifts[k], n);
            if (s == 0) continue;
            // out[i] = x[(i - shift) mod n]
            e.set(d, new IndexExpr.Mod(IndexExpr.add(e.get(d), IndexExpr.constant(n - s)), n));
        }
        return Emit.view(ctx, op, x, x.shape(), e, null);
    }

    /** torch.diagonal(x, offset, dim1, dim2): the diagonal becomes the last dim. */
    static Tensor diagonal(CallContext ctx, String op, Tensor x, long offset, long dim1, long dim2) {
        int a = Emit.dim(ctx, dim1, x.rank()), b = Emit.dim(ctx, dim2, x.rank());
        if (a == b) throw ctx.error("diagonal dimensions cannot be identical " + dim1 + ", " + dim2);
        long na = x.shape().dim(a), nb = x.shape().dim(b);
        long len = offset >= 0 ? Math.max(0, Math.min(na, nb - offset)) : Math.max(0, Math.min(na + offset, nb));
        List<Long> out = new ArrayList<>();
        IndexExpr[] e = new IndexExpr[x.rank()];
        for (int i = 0; i < x.rank(); i++) if (i != a && i != b) { e[i] = IndexExpr.dim(out.size()); out.add(x.shape().dim(i)); }
        IndexExpr diag = IndexExpr.dim(out.size());
        out.add(len);
        e[a] = offset >= 0 ? diag : IndexExpr.add(diag, IndexExpr.constant(-offset));
        e[b] = offset >= 0 ? IndexExpr.add(diag, IndexExpr.constant(offset)) : diag;
        return Emit.view(ctx, op, x, Shape.of(out), Arrays.asList(e), null);
    }

    /** torch.diag: a 1-D input becomes a matrix with it on a diagonal; a 2-D input yields its diagonal. */
    static Tensor diag(CallContext ctx, String op, Tensor x, long offset) {
        if (x.rank() == 2) return diagonal(ctx, op, x, offset, 0, 1);
        if (x.rank() != 1) throw ctx.error("diag(): Supports 1D or 2D tensors. Got " + x.rank() + "D");
        long n = x.shape().dim(0) + Math.abs(offset);
        // out[i, j] = x[i] if j - i == offset (read x at min(i, j) adjusted), else 0
        IndexExpr at = offset >= 0 ? IndexExpr.dim(0) : IndexExpr.dim(1);
        ScalarExpr onDiag = Emit.bin(BinaryOp.EQ, Emit.bin(BinaryOp.SUB, Emit.idx(1), Emit.idx(0)), Emit.i64(offset));
        return Emit.map(ctx, op, new TensorType(x.dtype(), Shape.of(n, n)), List.of(x.value()),
                List.of(new IndexMap(List.of(at), 0.0)), Emit.sel(onDiag, ScalarExpr.read(0), Emit.c(0, x.dtype())));
    }

    /** x.unfold(dim, size, step): windows along dim become a new last dim. */
    static Tensor unfold(CallContext ctx, String op, Tensor x, long dim, long size, long step) {
        int d = Emit.dim(ctx, dim, x.rank());
        long n = x.rank() == 0 ? 1 : x.shape().dim(d);
        if (size > n) throw ctx.error("maximum size for tensor at dimension " + d + " is " + n + " but size is " + size);
        if (step <= 0) throw ctx.error("step is " + step + " but must be > 0");
        long count = (n - size) / step + 1;
        long[] in = x.shape().toArray();
        long[] out = Arrays.copyOf(in, in.length + 1);
        out[d] = count;
        out[in.length] = size;
        List<IndexExpr> e = new ArrayList<>(Emit.dims(x.rank()));
        e.set(d, IndexExpr.add(IndexExpr.mul(IndexExpr.dim(d), step), IndexExpr.dim(in.length)));
        return Emit.view(ctx, op, x, Shape.of(out), e, null);
    }

    /** F.pad: pads lists (last dim first) in constant, reflect, replicate or circular mode. */
    static Tensor pad(CallContext ctx, String op, Tensor x, long[] pads, String mode, double value) {
        if (pads.length % 2 != 0) throw ctx.error("Padding length must be divisible by 2");
        if (pads.length / 2 > x.rank()) throw ctx.error("Padding length should be less than or equal to two times the input dimension but got padding length "
                + pads.length + " and input of dimension " + x.rank());
        long[] out = x.shape().toArray();
        List<IndexExpr> e = new ArrayList<>(Emit.dims(x.rank()));
        List<ScalarExpr> inside = new ArrayList<>();
        for (int k = 0; k < pads.length / 2; k++) {
            int d = x.rank() - 1 - k;
            long lo = pads[2 * k], hi = pads[2 * k + 1], n = x.shape().dim(d);
            out[d] = n + lo + hi;
            if (out[d] < 0) throw ctx.error("The input size " + n + ", plus negative padding " + lo + " and " + hi + " resulted in a negative output size, which is invalid. Check dimension " + d + " of your input.");
            IndexExpr src = IndexExpr.add(IndexExpr.dim(d), IndexExpr.constant(-lo));
            switch (mode) {
                case "constant" -> e.set(d, src);
                case "circular" -> e.set(d, new IndexExpr.Mod(IndexExpr.add(src, IndexExpr.constant(n * (1 + (lo + n - 1) / n))), n));
                case "replicate", "reflect" -> {
                    // Both are piecewise: written as a select over three reads is not possible with one map, so
                    // they are computed with Index arithmetic below.
                    e.set(d, null);
                }
                default -> throw ctx.error("Unrecognised padding mode " + mode);
            }
        }
        if (mode.equals("constant")) {
            return Emit.map(ctx, op, new TensorType(x.dtype(), Shape.of(out)), List.of(x.value()), List.of(new IndexMap(e, value)),
                    ScalarExpr.read(0));
        }
        if (mode.equals("circular")) return Emit.view(ctx, op, x, Shape.of(out), e, null);
        // reflect / replicate: each padded dim is a chain of views: pad one dim at a time with cat.
        Tensor r = x;
        for (int k = 0; k < pads.length / 2; k++) {
            int d = x.rank() - 1 - k;
            long lo = pads[2 * k], hi = pads[2 * k + 1], n = x.shape().dim(d);
            List<Tensor> parts = new ArrayList<>();
            if (lo > 0) parts.add(mode.equals("replicate") ? expandEdge(ctx, op, r, d, 0, lo) : flipSlice(ctx, op, r, d, 1, lo + 1));
            parts.add(r);
            if (hi > 0) parts.add(mode.equals("replicate") ? expandEdge(ctx, op, r, d, n - 1, hi) : flipSlice(ctx, op, r, d, n - 1 - hi, n - 1));
            r = cat(ctx, op, parts, d);
        }
        return r;
    }

    private static Tensor expandEdge(CallContext ctx, String op, Tensor x, int d, long at, long count) {
        long[] out = x.shape().toArray();
        out[d] = count;
        List<IndexExpr> e = new ArrayList<>(Emit.dims(x.rank()));
        e.set(d, IndexExpr.constant(at));
        return Emit.view(ctx, op, x, Shape.of(out), e, null);
    }

    private static Tensor flipSlice(CallContext ctx, String op, Tensor x, int d, long start, long stop) {
        boolean[] dims = new boolean[x.rank()];
        dims[d] = true;
        return flip(ctx, op, slice(ctx, op, x, d, start, stop, 1), dims);
    }

    /** torch.cat: one Generic choosing the operand by the position along dim. */
    static Tensor cat(CallContext ctx, String op, List<Tensor> xs, long dim) {
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : xs) if (!(t.rank() == 1 && t.shape().dim(0) == 0)) parts.add(t); // legacy: empty 1-D tensors are skipped
        if (parts.isEmpty()) {
            if (xs.isEmpty()) throw ctx.error("torch.cat(): expected a non-empty list of Tensors");
            return xs.get(0);
        }
        Tensor first = parts.get(0);
        int rank = first.rank();
        if (rank == 0) throw ctx.error("zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = Emit.dim(ctx, dim, rank);
        if (parts.size() == 1) return first;
        List<Object> all = new ArrayList<>(parts);
        DType t = Elementwise.promote(all);
        long[] out = first.shape().toArray();
        out[d] = 0;
        List<Long> offsets = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) {
            Tensor p = parts.get(k);
            if (p.rank() != rank) throw ctx.error("Tensors must have same number of dimensions: got " + rank + " and " + p.rank());
            for (int i = 0; i < rank; i++) {
                if (i != d && p.shape().dim(i) != first.shape().dim(i))
                    throw ctx.error("Sizes of tensors must match except in dimension " + d + ". Expected size " + first.shape().dim(i)
                            + " but got size " + p.shape().dim(i) + " for tensor number " + k + " in the list.");
            }
            offsets.add(out[d]);
            out[d] += p.shape().dim(d);
        }
        List<Value> operands = new ArrayList<>();
        List<IndexMap> maps = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) {
            List<IndexExpr> e = new ArrayList<>(Emit.dims(rank));
            e.set(d, IndexExpr.add(IndexExpr.dim(d), IndexExpr.constant(-offsets.get(k))));
            operands.add(parts.get(k).value());
            maps.add(new IndexMap(e, 0.0));
        }
        List<ScalarExpr> reads = new ArrayList<>();
        for (int k = 0; k < parts.size(); k++) reads.add(Emit.cast(ScalarExpr.read(k), parts.get(k).dtype(), t));
        List<Long> starts = new ArrayList<>(offsets);
        ScalarExpr body = chooseByPosition(Emit.idx(d), reads, starts, 0, parts.size());
        return Emit.map(ctx, op, new TensorType(t, Shape.of(out)), operands, maps, body);
    }

    /**
     * Picks reads[k] where start[k] <= pos < start[k+1], as a balanced tree of selects (so a cat of hundreds of
     * pieces, e.g. an unrolled RNN's outputs, stays shallow).
     */
    static ScalarExpr chooseByPosition(ScalarExpr pos, List<ScalarExpr> reads, List<Long> starts, int from, int to) {
        if (to - from == 1) return reads.get(from);
        int mid = (from + to) / 2;
        return Emit.sel(Emit.bin(BinaryOp.LT, pos, Emit.i64(starts.get(mid))),
                chooseByPosition(pos, reads, starts, from, mid), chooseByPosition(pos, reads, starts, mid, to));
    }

    /** torch.stack: one Generic whose new dim picks the operand. */
    static Tensor stack(CallContext ctx, String op, List<Tensor> xs, long dim) {
        if (xs.isEmpty()) throw ctx.error("stack expects a non-empty TensorList");
        Tensor first = xs.get(0);
        int d = Emit.dim(ctx, dim, first.rank() + 1);
        for (int k = 1; k < xs.size(); k++) {
            if (!xs.get(k).shape().equals(first.shape()))
                throw ctx.error("stack expects each tensor to be equal size, but got " + first.shape() + " at entry 0 and "
                        + xs.get(k).shape() + " at entry " + k);
        }
        DType t = Elementwise.promote(new ArrayList<>(xs));
        long[] out = new long[first.rank() + 1];
        List<IndexExpr> e = new ArrayList<>();
        for (int i = 0, j = 0; i < out.length; i++) {
            if (i == d) { out[i] = xs.size(); continue; }
            out[i] = first.shape().dim(j++);
            e.add(IndexExpr.dim(i));
        }
        List<Value> operands = new ArrayList<>();
        List<IndexMap> maps = new ArrayList<>();
        List<ScalarExpr> reads = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        for (int k = 0; k < xs.size(); k++) {
            operands.add(xs.get(k).value());
            maps.add(new IndexMap(e, null));
            reads.add(Emit.cast(ScalarExpr.read(k), xs.get(k).dtype(), t));
            starts.add((long) k);
        }
        return Emit.map(ctx, op, new TensorType(t, Shape.of(out)), operands, maps, chooseByPosition(Emit.idx(d), reads, starts, 0, xs.size()));
    }

    /** Lower (tril) or upper (triu) triangle of the last two dims. */
    static Tensor triangle(CallContext ctx, String op, Tensor x, long diagonal, boolean lower) {
        if (x.rank() < 2) throw ctx.error(op + ": input tensor must have at least 2 dimensions");
        int r = x.rank();
        ScalarExpr colMinusRow = Emit.bin(BinaryOp.SUB, Emit.idx(r - 1), Emit.idx(r - 2));
        ScalarExpr keep = Emit.bin(lower ? BinaryOp.LE : BinaryOp.GE, colMinusRow, Emit.i64(diagonal));
        return Emit.map(ctx, op, x.type(), List.of(x.value()), List.of(IndexMap.identity(r)),
                Emit.sel(keep, ScalarExpr.read(0), Emit.c(0, x.dtype())));
    }
}
