package kc.ir.interp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import kc.ir.graph.IndexBounds;
import kc.ir.graph.IndexExpr;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Shape;

/**
 * How a {@link GenericKernel} reads one operand through its index map. Each operand dim's index expression is
 * classified once:
 * <ul>
 *   <li>affine (Dim, Const, Add, Mul): folded into the operand's flat offset, which the kernel's odometer keeps
 *       up to date with one add per step; if the bounds cannot be proven, its index is also tracked in a slot
 *       and tested per read;
 *   <li>an affine expression plus multiples of FloorDiv/Mod/ExactDiv of affine expressions (reshape, grouped
 *       channels {@code (d1//4)*2+d4}, transposed convolution): the affine part and each dividend are tracked
 *       in slots, and the divisions are done per read;
 *   <li>anything else: evaluated per read from the coordinates.
 * </ul>
 * A read outside the operand (or an inexact ExactDiv) yields the map's pad, or is an error when there is none.
 */
final class OperandAccess {
    final int operand;
    final long baseOffset;
    final long[] offsetStride;   // per domain dim
    final long[] slotBase;       // per slot: the tracked affine value at the domain origin
    final long[][] slotStride;   // per domain dim, per slot
    final ScalarCode read;

    private OperandAccess(int operand, long baseOffset, long[] offsetStride, long[] slotBase, long[][] slotStride, ScalarCode read) {
        this.operand = operand;
        this.baseOffset = baseOffset;
        this.offsetStride = offsetStride;
        this.slotBase = slotBase;
        this.slotStride = slotStride;
        this.read = read;
    }

    int slots() { return slotBase.length; }

    private enum Division { FLOOR, MOD, EXACT }

    /** coefficient * division(tracked slot, divisor). */
    private record Term(int slot, Division division, long divisor, long coefficient) {}

    /**
     * One per-read index computation. Kinds: a checked affine index (slot, no terms: its offset is already
     * counted); a decomposed index slot + sum of terms (slot -1 when there is no affine part); a general
     * expression evaluated from the coordinates.
     */
    private record Step(int slot, Term[] terms, IndexCode general, long stride, long bound, boolean check) {
        boolean affineCheckOnly() { return terms == null && general == null; }
    }

    /** An index expression as an affine form plus division terms over affine forms; null when divisions nest. */
    private record Decomposed(long[] affine, List<long[]> dividends, List<Division> divisions, List<Long> divisors, List<Long> coefficients) {
        Decomposed scaled(long f) {
            long[] a = affine.clone();
            for (int i = 0; i < a.length; i++) a[i] *= f;
            return new Decomposed(a, dividends, divisions, divisors, coefficients.stream().map(c -> c * f).toList());
        }

        Decomposed plus(Decomposed o) {
            long[] a = affine.clone();
            for (int i = 0; i < a.length; i++) a[i] += o.affine[i];
            return new Decomposed(a, concat(dividends, o.dividends), concat(divisions, o.divisions),
                    concat(divisors, o.divisors), concat(coefficients, o.coefficients));
        }

        private static <T> List<T> concat(List<T> x, List<T> y) {
            List<T> r = new ArrayList<>(x);
            r.addAll(y);
            return r;
        }
    }

    private static Decomposed decompose(IndexExpr e, int domainRank) {
        long[] form = IndexCode.affine(e, domainRank);
        if (form != null) return new Decomposed(form, List.of(), List.of(), List.of(), List.of());
        return switch (e) {
            case IndexExpr.Add a -> {
                Decomposed x = decompose(a.a(), domainRank), y = decompose(a.b(), domainRank);
                yield x == null || y == null ? null : x.plus(y);
            }
            case IndexExpr.Mul m -> {
                Decomposed x = decompose(m.a(), domainRank);
                yield x == null ? null : x.scaled(m.factor());
            }
            case IndexExpr.FloorDiv q -> division(q.a(), Division.FLOOR, q.divisor(), domainRank);
            case IndexExpr.Mod m -> division(m.a(), Division.MOD, m.divisor(), domainRank);
            case IndexExpr.ExactDiv q -> division(q.a(), Division.EXACT, q.divisor(), domainRank);
            case IndexExpr.Dim d -> null;
            case IndexExpr.Const c -> null;
        };
    }

    private static Decomposed division(IndexExpr dividend, Division kind, long divisor, int domainRank) {
        long[] form = IndexCode.affine(dividend, domainRank);
        if (form == null || divisor <= 0) return null;
        return new Decomposed(new long[domainRank + 1], List.of(form), List.of(kind), List.of(divisor), List.of(1L));
    }

    static OperandAccess plan(int k, IndexMap map, Shape shape, double[] data, long[] dims, String where) {
        int domainRank = dims.length;
        boolean emptyDomain = IndexBounds.isEmpty(dims);
        long[] strides = shape.strides();
        long base = 0;
        long[] offsetStride = new long[domainRank];
        List<long[]> slotForms = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < map.rank(); i++) {
            IndexExpr e = map.exprs().get(i);
            long n = shape.dim(i);
            boolean proven = !emptyDomain && inRange(IndexBounds.of(checked(e, domainRank), dims), n);
            long[] form = IndexCode.affine(e, domainRank);
            if (form != null) {
                base += form[0] * strides[i];
                for (int d = 0; d < domainRank; d++) offsetStride[d] += form[d + 1] * strides[i];
                if (!proven) {
                    steps.add(new Step(slotForms.size(), null, null, 0, n, true));
                    slotForms.add(form);
                }
                continue;
            }
            Decomposed dec = decompose(e, domainRank);
            if (dec != null) {
                int slot = -1;
                boolean hasAffine = false;
                for (long c : dec.affine()) hasAffine |= c != 0;
                if (hasAffine) { slot = slotForms.size(); slotForms.add(dec.affine()); }
                Term[] terms = new Term[dec.dividends().size()];
                for (int t = 0; t < terms.length; t++) {
                    terms[t] = new Term(slotForms.size(), dec.divisions().get(t), dec.divisors().get(t), dec.coefficients().get(t));
                    slotForms.add(dec.dividends().get(t));
                }
                steps.add(new Step(slot, terms, null, strides[i], n, !proven));
            } else {
                steps.add(new Step(-1, null, IndexCode.compile(e), strides[i], n, true));
            }
        }
        int slots = slotForms.size();
        long[] slotBase = new long[slots];
        long[][] slotStride = new long[domainRank][slots];
        for (int j = 0; j < slots; j++) {
            slotBase[j] = slotForms.get(j)[0];
            for (int d = 0; d < domainRank; d++) slotStride[d][j] = slotForms.get(j)[d + 1];
        }
        return new OperandAccess(k, base, offsetStride, slotBase, slotStride, reader(k, data, map.pad(), steps, where));
    }

    private static boolean inRange(IndexBounds.Interval iv, long n) {
        return iv.exact() && iv.lo() >= 0 && iv.hi() < n;
    }

    /** e, after checking that it names only coordinates of the domain. */
    private static IndexExpr checked(IndexExpr e, int domainRank) {
        switch (e) {
            case IndexExpr.Dim d -> {
                if (d.d() < 0 || d.d() >= domainRank) throw new IllegalStateException("index d" + d.d() + " outside a rank-" + domainRank + " domain");
            }
            case IndexExpr.Const c -> { }
            case IndexExpr.Add a -> { checked(a.a(), domainRank); checked(a.b(), domainRank); }
            case IndexExpr.Mul m -> checked(m.a(), domainRank);
            case IndexExpr.FloorDiv q -> checked(q.a(), domainRank);
            case IndexExpr.Mod m -> checked(m.a(), domainRank);
            case IndexExpr.ExactDiv q -> checked(q.a(), domainRank);
        }
        return e;
    }

    private static ScalarCode reader(int k, double[] data, Double pad, List<Step> steps, String where) {
        if (steps.isEmpty()) return f -> data[(int) f.offset[k]];
        boolean padded = pad != null;
        double p = padded ? pad : 0;
        boolean onlyChecks = steps.stream().allMatch(Step::affineCheckOnly);
        if (onlyChecks) {
            long[] bound = steps.stream().mapToLong(Step::bound).toArray();
            return f -> {
                long[] ix = f.index[k];
                for (int j = 0; j < ix.length; j++)
                    if (ix[j] < 0 || ix[j] >= bound[j]) return outside(padded, p, k, f, where);
                return data[(int) f.offset[k]];
            };
        }
        Step[] all = steps.toArray(Step[]::new);
        return f -> {
            long[] ix = f.index[k];
            long off = f.offset[k];
            for (Step s : all) {
                long v;
                if (s.general() != null) {
                    v = s.general().eval(f.coord);
                    if (v == IndexCode.INVALID) return outside(padded, p, k, f, where);
                } else if (s.terms() == null) {
                    // a checked affine index: its offset is already counted
                    v = ix[s.slot()];
                    if (v < 0 || v >= s.bound()) return outside(padded, p, k, f, where);
                    continue;
                } else {
                    v = s.slot() < 0 ? 0 : ix[s.slot()];
                    for (Term t : s.terms()) {
                        long a = ix[t.slot()], q = t.divisor();
                        long r = switch (t.division()) {
                            case FLOOR -> Math.floorDiv(a, q);
                            case MOD -> Math.floorMod(a, q);
                            case EXACT -> Math.floorMod(a, q) == 0 ? Math.floorDiv(a, q) : IndexCode.INVALID;
                        };
                        if (r == IndexCode.INVALID) return outside(padded, p, k, f, where);
                        v += t.coefficient() * r;
                    }
                }
                if (s.check() && (v < 0 || v >= s.bound())) return outside(padded, p, k, f, where);
                off += v * s.stride();
            }
            return data[(int) off];
        };
    }

    private static double outside(boolean padded, double pad, int k, Frame f, String where) {
        if (padded) return pad;
        throw new IllegalStateException(where + ": operand " + k + " read out of range at domain point "
                + Arrays.toString(f.coord) + " through an index map without padding");
    }
}
