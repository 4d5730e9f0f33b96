package kc.passes.schedule;

import java.util.BitSet;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.Value;

/**
 * Whether a group's reads and its store can be vector accesses when each thread computes {@code width} consecutive
 * outputs along the innermost result dim (schedule knob {@code vector}). A thread's first output then has that
 * dim's coordinate a multiple of the width (the dim's extent is one), so for every operand the question is how its
 * flat offset moves over those {@code width} lanes:
 * <ul>
 *   <li>not at all: a {@link Kind#BROADCAST} operand, read once per thread as a scalar (a bias, a row statistic);</li>
 *   <li>by one element per lane, from an offset that is a multiple of the width: a {@link Kind#VECTOR} operand,
 *       read with one aligned vector load ({@code ld.global.v4.f32}, {@code float4});</li>
 *   <li>any other way (a stride, a misaligned start, padding that differs per lane): the schedule is illegal, and
 *       {@link #problem} says which operand and why.</li>
 * </ul>
 * The analysis is exact for the index forms maps use: affine terms, and a floor division or modulo by a multiple of
 * the width of an aligned run (a reshape), which moves by whole runs.
 */
public final class VectorAccess {
    private VectorAccess() {}

    public enum Kind { VECTOR, BROADCAST }

    /**
     * How an expression moves over the lanes: its value at lane j is {@code value(lane 0) + step * j}, and
     * {@code aligned} says value(lane 0) is always a multiple of the width. Null where no such step exists.
     */
    private record Lanes(long step, boolean aligned) {}

    /** The kind of operand {@code k}'s reads, or null when it can be neither. */
    public static Kind kind(Node n, int k, int width) { return kind(n, k, width, n.result().type().rank() - 1); }

    /** The kind of operand {@code k}'s reads over {@code width} lanes along domain dim {@code dim}, or null. */
    public static Kind kind(Node n, int k, int width, int dim) {
        return classify(n, k, width, dim) instanceof Kind kind ? kind : null;
    }

    /**
     * The first reason a reduction's lanes cannot each take {@code width} consecutive terms of the innermost reduction
     * dim with one vector load per operand (schedule knob {@code vector} for strategies warp, block and grid, and for
     * a row kernel's statistics), or null when they can. The flat reduction index a lane starts at is then a multiple
     * of the width, and so is that dim's coordinate.
     */
    public static String reductionProblem(Node n, int width) {
        if (width == 1) return null;
        String v = "vector " + width + ": ";
        if (!(n.op() instanceof Op.Generic gen) || gen.reduction() == Op.Reduction.NONE) return v + "the group has no reduction to read in vectors";
        if (gen.reduction() == Op.Reduction.ARGMAX || gen.reduction() == Op.Reduction.ARGMIN) return v + "an " + gen.reduction().name().toLowerCase() + " reduction tracks each term's index";
        int dim = n.result().type().rank() + gen.reduceShape().rank() - 1;
        long inner = gen.reduceShape().dim(gen.reduceShape().rank() - 1);
        if (inner % width != 0) return v + "the innermost reduction dim (" + inner + ") is not a multiple of " + width;
        BitSet used = reads(gen.body());
        for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) {
            Object c = classify(n, k, width, dim);
            if (c instanceof String why) return v + operand(n, k) + " " + why.replace("the innermost dim", "the innermost reduction dim");
            String t;
            if (c == Kind.VECTOR && (t = vectorType(n.operands().get(k).type().dtype(), width)) != null)
                return v + operand(n, k) + " is " + t;
        }
        return null;
    }

    /** How many operands the reduction's body reads as vectors of this width along the innermost reduction dim. */
    public static int reductionVectorReads(Node n, int width) {
        Op.Generic gen = (Op.Generic) n.op();
        int dim = n.result().type().rank() + gen.reduceShape().rank() - 1, count = 0;
        BitSet used = reads(gen.body());
        for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) if (kind(n, k, width, dim) == Kind.VECTOR) count++;
        return count;
    }

    /**
     * The first reason {@code vector width} cannot run node n, or null when it can. Messages start with
     * {@code vector W:}, e.g. {@code vector 4: operand x is read with stride 1024 along the innermost dim}.
     */
    public static String problem(Node n, int width) {
        if (width == 1) return null;
        String v = "vector " + width + ": ";
        if (!(n.op() instanceof Op.Generic gen)) return v + "only a generic op has vector accesses";
        if (gen.reduction().compound()) return v + "a " + gen.reduction().name().toLowerCase() + " reduction stores its statistics side by side already";
        Shape result = n.result().type().shape();
        if (result.rank() == 0) return v + "the result is a scalar; there is no innermost dim to vectorise";
        long inner = result.dim(result.rank() - 1);
        if (inner % width != 0) return v + "the innermost result dim (" + inner + ") is not a multiple of " + width;
        String t = vectorType(n.result().type().dtype(), width);
        if (t != null) return v + "the result is " + t;
        BitSet used = used(gen);
        for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) {
            Object c = classify(n, k, width);
            if (c instanceof String why) return v + operand(n, k) + " " + why;
            if (c == Kind.VECTOR && (t = vectorType(n.operands().get(k).type().dtype(), width)) != null)
                return v + operand(n, k) + " is " + t;
        }
        return null;
    }

    /** How many operands the group reads as vectors of this width (the others are broadcast or illegal). */
    public static int vectorReads(Node n, int width) {
        BitSet used = used((Op.Generic) n.op());
        int count = 0;
        for (int k = used.nextSetBit(0); k >= 0; k = used.nextSetBit(k + 1)) if (kind(n, k, width) == Kind.VECTOR) count++;
        return count;
    }

    /** Why elements of dtype d cannot travel as a vector of width (null when they can): 16 bytes at most, 32- or 64-bit. */
    private static String vectorType(DType d, int width) {
        boolean wordSized = d == DType.F32 || d == DType.I32 || d == DType.F64 || d == DType.I64;
        if (!wordSized) return d.torchName() + "; vector accesses take 32-bit or 64-bit elements";
        if (d.bytes * width > 16) return d.torchName() + "; a vector access moves at most 16 bytes (vector " + 16 / d.bytes + ")";
        return null;
    }

    /** "operand x" by the value's name, else by position. */
    static String operand(Node n, int k) {
        Value v = n.operands().get(k);
        return v.name() != null && !v.name().isEmpty() ? "operand " + v.name() : "operand #" + k;
    }

    /** The operands the body or the epilogue read (the others cost nothing). */
    static BitSet used(Op.Generic gen) {
        BitSet used = new BitSet();
        reads(gen.body(), used);
        if (gen.epilogue() != null) reads(gen.epilogue(), used);
        return used;
    }

    /** The operands an expression reads. */
    public static BitSet reads(ScalarExpr e) {
        BitSet used = new BitSet();
        reads(e, used);
        return used;
    }

    private static void reads(ScalarExpr e, BitSet used) {
        switch (e) {
            case ScalarExpr.Read r -> used.set(r.operand());
            case ScalarExpr.Index i -> { }
            case ScalarExpr.Reduced r -> { }
            case ScalarExpr.Const c -> { }
            case ScalarExpr.Cast c -> reads(c.a(), used);
            case ScalarExpr.Unary u -> reads(u.a(), used);
            case ScalarExpr.Binary b -> { reads(b.a(), used); reads(b.b(), used); }
            case ScalarExpr.Select s -> { reads(s.cond(), used); reads(s.a(), used); reads(s.b(), used); }
        }
    }

    /** A Kind, or a String saying why the operand's reads are neither. */
    private static Object classify(Node n, int k, int width) { return classify(n, k, width, n.result().type().rank() - 1); }

    /** As above, over lanes along domain dim {@code dim} (a result dim, or a reduction dim after them). */
    private static Object classify(Node n, int k, int width, int dim) {
        Op.Generic gen = (Op.Generic) n.op();
        long[] dims = domain(n);
        IndexMap map = gen.maps().get(k);
        Shape shape = n.operands().get(k).type().shape();
        long[] strides = shape.strides();
        long step = 0;
        boolean aligned = true;
        for (int i = 0; i < map.rank(); i++) {
            Lanes l = lanes(map.exprs().get(i), dim, width, dims);
            if (l == null) return "is read through a div, mod or exact division that does not move by whole vectors along the innermost dim";
            if (map.pad() != null && l.step() != 0) return "is read through a padded map along the innermost dim (the bounds check differs per lane)";
            step += l.step() * strides[i];
            aligned &= l.aligned() || strides[i] % width == 0;
        }
        if (step == 0) return Kind.BROADCAST;
        if (step != 1) return "is read with stride " + step + " along the innermost dim";
        if (!aligned) return "is read from offsets that are not multiples of " + width + " (a misaligned vector)";
        return Kind.VECTOR;
    }

    /** The result dims then the reduction dims. */
    private static long[] domain(Node n) {
        Shape rs = n.result().type().shape(), red = ((Op.Generic) n.op()).reduceShape();
        long[] dims = new long[rs.rank() + red.rank()];
        for (int d = 0; d < rs.rank(); d++) dims[d] = rs.dim(d);
        for (int d = 0; d < red.rank(); d++) dims[rs.rank() + d] = red.dim(d);
        return dims;
    }

    /** How e moves over the lanes of dim {@code dim} (see {@link Lanes}), or null. */
    private static Lanes lanes(IndexExpr e, int dim, int width, long[] dims) {
        boolean one = width == 1; // every value is a multiple of one
        return switch (e) {
            case IndexExpr.Dim d -> d.d() == dim ? new Lanes(1, true) : new Lanes(0, one || dims[d.d()] == 1);
            case IndexExpr.Const c -> new Lanes(0, c.value() % width == 0);
            case IndexExpr.Add a -> {
                Lanes x = lanes(a.a(), dim, width, dims), y = lanes(a.b(), dim, width, dims);
                yield x == null || y == null ? null : new Lanes(x.step() + y.step(), x.aligned() && y.aligned());
            }
            case IndexExpr.Mul m -> {
                Lanes x = lanes(m.a(), dim, width, dims);
                yield x == null ? null : new Lanes(x.step() * m.factor(), x.aligned() || m.factor() % width == 0);
            }
            // an aligned run of `width` steps of one never crosses a multiple of the divisor when the divisor is a
            // multiple of the width: the quotient stays, the remainder moves with it
            case IndexExpr.FloorDiv f -> {
                Lanes x = lanes(f.a(), dim, width, dims);
                if (x == null) yield null;
                if (x.step() == 0) yield new Lanes(0, one);
                yield x.step() == 1 && x.aligned() && f.divisor() % width == 0 ? new Lanes(0, one) : null;
            }
            case IndexExpr.Mod m -> {
                Lanes x = lanes(m.a(), dim, width, dims);
                if (x == null) yield null;
                if (x.step() == 0) yield new Lanes(0, x.aligned() && m.divisor() % width == 0);
                yield x.step() == 1 && x.aligned() && m.divisor() % width == 0 ? new Lanes(1, true) : null;
            }
            case IndexExpr.ExactDiv q -> {
                Lanes x = lanes(q.a(), dim, width, dims);
                yield x != null && x.step() == 0 ? new Lanes(0, one) : null;
            }
        };
    }

    /**
     * How many consecutive flat reduction indices read operand k from consecutive (or the same) addresses: the
     * trailing reduction dims it reads contiguously or not at all. All of the reduction for a row of a contiguous
     * tensor; 1 for the column a matmul reads of its weight; 3 for a 3x3 convolution's window rows. The heuristics
     * ask it whether a warp's 32 lanes, striding over the reduction, read one piece of memory together. Locally
     * exact (a reshape's div and mod count as moving along with the index).
     */
    public static long contiguousRun(Node n, int k) {
        IndexMap map = ((Op.Generic) n.op()).maps().get(k);
        int resultRank = n.result().type().rank();
        long[] dims = domain(n);
        long[] strides = n.operands().get(k).type().shape().strides();
        long run = 1, expected = 1;
        for (int d = dims.length - 1; d >= resultRank; d--) {
            long step = 0;
            for (int i = 0; i < map.rank(); i++) {
                Lanes l = lanes(map.exprs().get(i), d, 1, dims);
                if (l == null) return run;
                step += l.step() * strides[i];
            }
            if (step != 0 && step != expected) return run;
            run *= dims[d];
            if (step != 0) expected *= dims[d];
        }
        return run;
    }
}
