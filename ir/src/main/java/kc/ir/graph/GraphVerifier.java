package kc.ir.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Checks a {@link Graph}'s invariants: SSA form, operand/map/body consistency, types, and that maps without
 * padding provably read in range (interval bounds over the domain box, see {@link IndexBounds}). Every problem
 * names its node by id, op name and origin. Run after every pass.
 */
public final class GraphVerifier {
    private GraphVerifier() {}

    /** Thrown by {@link #verifyOrThrow}: all the problems found, one per line of the message. */
    public static final class VerificationException extends IllegalStateException {
        private final List<String> problems;

        VerificationException(String graph, List<String> problems) {
            super("graph " + graph + " is malformed:\n  " + String.join("\n  ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }

    /** Every problem found; empty when the graph is well formed. */
    public static List<String> verify(Graph g) {
        return new Run().graph(g);
    }

    /** @throws VerificationException listing every problem */
    public static void verifyOrThrow(Graph g) {
        List<String> problems = verify(g);
        if (!problems.isEmpty()) throw new VerificationException(g.name(), problems);
    }

    /** One verification: the values defined so far and the problems found. */
    private static final class Run {
        final List<String> problems = new ArrayList<>();
        final Map<Integer, Value> defined = new HashMap<>();

        List<String> graph(Graph g) {
            Set<String> paramNames = new HashSet<>();
            for (Value v : g.inputs()) define(v, () -> "input");
            for (Value v : g.params()) {
                define(v, () -> "parameter");
                if (v.name() == null || v.name().isEmpty()) problems.add("parameter %" + v.id() + " has no state_dict name");
                else if (!paramNames.add(v.name())) problems.add("parameter name " + v.name() + " is used twice");
            }
            for (Node n : g.nodes()) {
                Supplier<String> where = () -> ExprText.nodeName(n); // named only when there is a problem
                for (Value o : n.operands()) {
                    Value d = defined.get(o.id());
                    if (d == null) problems.add(where.get() + ": operand %" + o.id() + " is not defined before use");
                    else if (!d.equals(o)) problems.add(where.get() + ": operand " + o + " " + o.type() + " does not match its definition " + d + " " + d.type());
                }
                node(n, where);
                define(n.result(), () -> where.get() + ": result");
            }
            if (g.outputs().isEmpty()) problems.add("graph " + g.name() + " has no outputs");
            for (Value o : g.outputs()) {
                Value d = defined.get(o.id());
                if (d == null) problems.add("output %" + o.id() + " is never defined");
                else if (!d.equals(o)) problems.add("output " + o + " " + o.type() + " does not match its definition " + d.type());
            }
            return problems;
        }

        void define(Value v, Supplier<String> what) {
            if (v.type() == null) problems.add(what.get() + " %" + v.id() + " has no type");
            if (defined.putIfAbsent(v.id(), v) != null) problems.add(what.get() + " %" + v.id() + " reuses an id already defined");
        }

        void node(Node n, Supplier<String> where) {
            TensorType type = n.result().type();
            if (type == null) return;
            switch (n.op()) {
                case Op.Generic g -> generic(g, n, type, where);
                case Op.RowFused r -> {
                    int k = r.statsOperands(), all = n.operands().size();
                    if (k < 0 || k > all || r.firstStatistic(all) > r.then().maps().size()) { problems.add(where.get() + ": a row kernel's operands do not split at " + k); return; }
                    if (r.stats().reduction() == Op.Reduction.NONE) problems.add(where.get() + ": a row kernel's statistics must reduce");
                    if (r.then().reduction() != Op.Reduction.NONE) problems.add(where.get() + ": a row kernel's second part must be elementwise");
                    Value stats = new Value(-1, r.statsType(), null);
                    generic(r.stats(), new Node(stats, r.stats(), n.operands().subList(0, k), n.origin()), r.statsType(), () -> where.get() + ": stats");
                    List<Value> thenOperands = new ArrayList<>(n.operands().subList(k, all));
                    while (thenOperands.size() < r.then().maps().size()) thenOperands.add(stats);
                    generic(r.then(), new Node(n.result(), r.then(), thenOperands, n.origin()), type, () -> where.get() + ": then");
                    int[] rows = r.firstStatistic(all) >= r.then().maps().size() ? null : r.rowDims(all);
                    if (rows == null) problems.add(where.get() + ": then reads the statistics elsewhere than at its row point");
                    else for (int i = 0; i < rows.length; i++)
                        if (rows[i] >= 0 && (rows[i] >= type.rank() || type.shape().dim(rows[i]) != r.statsType().shape().dim(i)))
                            problems.add(where.get() + ": row dim d" + rows[i] + " does not match the statistics' dim " + i);
                }
                case Op.Scan s -> {
                    if (n.operands().size() != 1) { problems.add(where.get() + ": a scan takes one operand, got " + n.operands().size()); return; }
                    TensorType in = n.operands().get(0).type();
                    if (s.dim() < 0 || s.dim() >= type.rank()) problems.add(where.get() + ": scan dim " + s.dim() + " outside rank " + type.rank());
                    if (!in.shape().equals(type.shape())) problems.add(where.get() + ": scan result shape " + type.shape() + " differs from operand shape " + in.shape());
                    switch (s.combiner()) {
                        case SUM, PROD, MAX, MIN -> { }
                        case NONE, ARGMAX, ARGMIN, MAX_SUMEXP, MEAN_M2 -> problems.add(where.get() + ": a scan cannot combine with " + s.combiner());
                    }
                    if (ScalarTypes.category(in.dtype()) > ScalarTypes.category(type.dtype()))
                        problems.add(where.get() + ": scan of " + in.dtype() + " cannot produce " + type.dtype());
                }
                case Op.Constant c -> {
                    if (!n.operands().isEmpty()) problems.add(where.get() + ": a constant takes no operands");
                    if (c.values().size() != type.shape().numel())
                        problems.add(where.get() + ": " + c.values().size() + " values for " + type + " (" + type.shape().numel() + " elements)");
                    for (int i = 0; i < c.values().size(); i++) {
                        double v = c.values().get(i);
                        boolean ok = switch (type.dtype()) {
                            case BOOL -> v == 0 || v == 1;
                            case I32, I64 -> v == Math.rint(v) && !Double.isInfinite(v);
                            case F16, BF16, F32, F64 -> true;
                        };
                        if (!ok) { problems.add(where.get() + ": value " + i + " (" + v + ") is not a " + type.dtype()); break; }
                    }
                }
            }
        }

        void generic(Op.Generic g, Node n, TensorType type, Supplier<String> where) {
            int resultRank = type.rank();
            long[] dims = new long[resultRank + g.reduceShape().rank()];
            for (int d = 0; d < resultRank; d++) dims[d] = type.shape().dim(d);
            for (int d = 0; d < g.reduceShape().rank(); d++) dims[resultRank + d] = g.reduceShape().dim(d);
            int operands = n.operands().size();
            if (g.maps().size() != operands)
                problems.add(where.get() + ": " + operands + " operands but " + g.maps().size() + " index maps");
            boolean emptyDomain = IndexBounds.isEmpty(dims);
            for (int k = 0; k < Math.min(operands, g.maps().size()); k++) {
                int operand = k;
                IndexMap m = g.maps().get(k);
                TensorType t = n.operands().get(k).type();
                Supplier<String> mapWhere = () -> where.get() + ": map " + operand + " " + ExprText.map(m);
                if (m.rank() != t.rank()) { problems.add(mapWhere.get() + " has " + m.rank() + " indices for rank-" + t.rank() + " operand %" + n.operands().get(k).id()); continue; }
                boolean wellFormed = true;
                for (IndexExpr e : m.exprs()) wellFormed &= indexExpr(e, dims.length, mapWhere);
                if (wellFormed && m.pad() == null && !emptyDomain) {
                    String why = IndexBounds.outOfRangeReason(m, t.shape(), dims);
                    if (why != null) problems.add(mapWhere.get() + " has no padding but may read out of range: " + why);
                }
            }
            if (scalarExpr(g.body(), operands, dims.length, false, where)) {
                List<DType> operandTypes = new ArrayList<>(operands);
                for (Value v : n.operands()) operandTypes.add(v.type().dtype());
                DType body = ScalarTypes.inferFromOperands(g.body(), operandTypes);
                selectConditions(g.body(), operandTypes, where);
                // with an epilogue, the reduction's checks apply to the combined value and the epilogue's to the result
                DType reduced = type.dtype();
                if (g.epilogue() != null) {
                    reduced = ScalarTypes.reducedType(g.epilogue());
                    if (reduced == null) problems.add(where.get() + ": the epilogue " + ExprText.scalar(g.epilogue()) + " never uses the combined value (acc)");
                    else epilogue(g, n, type, resultRank, operandTypes, reduced, where);
                }
                if (g.reduction().compound()) compound(g, n, type, where);
                if (reduced != null) switch (g.reduction()) {
                    case MAX_SUMEXP, MEAN_M2 -> {
                        if (!reduced.isFloat()) problems.add(where.get() + ": " + g.reduction() + " gives floating-point statistics, not " + reduced);
                    }
                    case ARGMAX, ARGMIN -> {
                        if (reduced != DType.I64) problems.add(where.get() + ": " + g.reduction() + " gives I64 indices, not " + reduced);
                    }
                    case NONE, SUM, PROD, MAX, MIN -> {
                        if ((g.reduction() == Op.Reduction.SUM || g.reduction() == Op.Reduction.PROD) && reduced == DType.BOOL)
                            problems.add(where.get() + ": " + g.reduction() + " cannot produce BOOL (PyTorch sums bools to I64)");
                        if (body != null && ScalarTypes.category(body) > ScalarTypes.category(reduced))
                            problems.add(where.get() + ": body computes " + body + " but the result is " + reduced + " (a Cast is missing)");
                    }
                }
            }
        }

        /**
         * A compound reduction stacks its statistics along the result's last dim: that dim has one entry per
         * statistic, and the body and the maps (read over the whole reduction) do not depend on it.
         */
        void compound(Op.Generic g, Node n, TensorType type, Supplier<String> where) {
            int components = g.reduction().components(), last = type.rank() - 1;
            if (last < 0 || type.shape().dim(last) != components) {
                problems.add(where.get() + ": " + g.reduction() + " stacks " + components + " statistics along the last result dim, but the result is " + type.shape());
                return;
            }
            for (int k = 0; k < g.maps().size(); k++)
                for (IndexExpr e : g.maps().get(k).exprs())
                    if (usesDim(e, last)) problems.add(where.get() + ": map " + k + " " + ExprText.map(g.maps().get(k)) + " depends on the statistics dim d" + last);
            if (usesIndexDim(g.body(), last)) problems.add(where.get() + ": the body depends on the statistics dim d" + last);
            // the statistics are stored side by side: an epilogue may tell them apart by d<last>, but reads nothing
            if (g.epilogue() != null && !reads(g.epilogue(), new java.util.TreeSet<>()).isEmpty())
                problems.add(where.get() + ": the epilogue of " + g.reduction() + " reads operands; it may use only acc and the statistics dim");
        }

        static boolean usesDim(IndexExpr e, int dim) { return anyDim(e, d -> d == dim); }

        static boolean anyDim(IndexExpr e, java.util.function.IntPredicate p) { return IndexExpr.anyDim(e, p); }

        static boolean usesIndexDim(ScalarExpr e, int dim) {
            return switch (e) {
                case ScalarExpr.Index i -> i.dim() == dim;
                case ScalarExpr.Read r -> false;
                case ScalarExpr.Reduced r -> false;
                case ScalarExpr.Const c -> false;
                case ScalarExpr.Cast c -> usesIndexDim(c.a(), dim);
                case ScalarExpr.Unary u -> usesIndexDim(u.a(), dim);
                case ScalarExpr.Binary b -> usesIndexDim(b.a(), dim) || usesIndexDim(b.b(), dim);
                case ScalarExpr.Select s -> usesIndexDim(s.cond(), dim) || usesIndexDim(s.a(), dim) || usesIndexDim(s.b(), dim);
            };
        }

        /** An epilogue reads operands at the output point only, and computes no wider a type than the result. */
        void epilogue(Op.Generic g, Node n, TensorType type, int resultRank, List<DType> operandTypes, DType reduced, Supplier<String> where) {
            Supplier<String> epWhere = () -> where.get() + ": epilogue";
            if (!scalarExpr(g.epilogue(), n.operands().size(), resultRank, true, epWhere)) return;
            for (int k : reads(g.epilogue(), new java.util.TreeSet<>()))
                for (IndexExpr e : g.maps().get(k).exprs())
                    if (!usesOnlyDimsBelow(e, resultRank))
                        problems.add(where.get() + ": the epilogue reads in" + k + " through " + ExprText.map(g.maps().get(k)) + ", which uses reduction dims");
            if (!reducedTypesAgree(g.epilogue(), reduced))
                problems.add(where.get() + ": the epilogue's combined values (acc) disagree on their type");
            DType ep = ScalarTypes.inferFromOperands(g.epilogue(), operandTypes);
            if (ep != null && ScalarTypes.category(ep) > ScalarTypes.category(type.dtype()))
                problems.add(where.get() + ": the epilogue computes " + ep + " but the result is " + type.dtype() + " (a Cast is missing)");
            selectConditions(g.epilogue(), operandTypes, where);
        }

        static java.util.Set<Integer> reads(ScalarExpr e, java.util.Set<Integer> into) {
            switch (e) {
                case ScalarExpr.Read r -> into.add(r.operand());
                case ScalarExpr.Cast c -> reads(c.a(), into);
                case ScalarExpr.Unary u -> reads(u.a(), into);
                case ScalarExpr.Binary b -> { reads(b.a(), into); reads(b.b(), into); }
                case ScalarExpr.Select s -> { reads(s.cond(), into); reads(s.a(), into); reads(s.b(), into); }
                case ScalarExpr.Index i -> { }
                case ScalarExpr.Const c -> { }
                case ScalarExpr.Reduced r -> { }
            }
            return into;
        }

        static boolean usesOnlyDimsBelow(IndexExpr e, int rank) { return !anyDim(e, d -> d >= rank); }

        static boolean reducedTypesAgree(ScalarExpr e, DType t) {
            return switch (e) {
                case ScalarExpr.Reduced r -> r.dtype() == t;
                case ScalarExpr.Cast c -> reducedTypesAgree(c.a(), t);
                case ScalarExpr.Unary u -> reducedTypesAgree(u.a(), t);
                case ScalarExpr.Binary b -> reducedTypesAgree(b.a(), t) && reducedTypesAgree(b.b(), t);
                case ScalarExpr.Select s -> reducedTypesAgree(s.cond(), t) && reducedTypesAgree(s.a(), t) && reducedTypesAgree(s.b(), t);
                case ScalarExpr.Read r -> true;
                case ScalarExpr.Index i -> true;
                case ScalarExpr.Const c -> true;
            };
        }

        /** Checks coordinates and divisors; false when the expression is unusable for bounds. */
        boolean indexExpr(IndexExpr e, int domainRank, Supplier<String> where) {
            return switch (e) {
                case IndexExpr.Dim d -> {
                    if (d.d() >= 0 && d.d() < domainRank) yield true;
                    problems.add(where.get() + " uses d" + d.d() + " outside the rank-" + domainRank + " domain");
                    yield false;
                }
                case IndexExpr.Const c -> true;
                case IndexExpr.Add a -> indexExpr(a.a(), domainRank, where) & indexExpr(a.b(), domainRank, where);
                case IndexExpr.Mul m -> indexExpr(m.a(), domainRank, where);
                case IndexExpr.FloorDiv f -> divisor(f.divisor(), where) & indexExpr(f.a(), domainRank, where);
                case IndexExpr.Mod m -> divisor(m.divisor(), where) & indexExpr(m.a(), domainRank, where);
                case IndexExpr.ExactDiv q -> divisor(q.divisor(), where) & indexExpr(q.a(), domainRank, where);
            };
        }

        boolean divisor(long k, Supplier<String> where) {
            if (k > 0) return true;
            problems.add(where.get() + " divides by " + k + " (divisors must be positive)");
            return false;
        }

        /** Checks reads and coordinates in a body; false when a reference is broken. */
        boolean scalarExpr(ScalarExpr e, int operands, int domainRank, boolean epilogue, Supplier<String> where) {
            return switch (e) {
                case ScalarExpr.Reduced r -> {
                    if (epilogue) yield true;
                    problems.add(where.get() + ": the body uses the combined value (acc), which only an epilogue has");
                    yield false;
                }
                case ScalarExpr.Read r -> {
                    if (r.operand() >= 0 && r.operand() < operands) yield true;
                    problems.add(where.get() + ": body reads in" + r.operand() + " but the node has " + operands + " operands");
                    yield false;
                }
                case ScalarExpr.Index i -> {
                    if (i.dim() >= 0 && i.dim() < domainRank) yield true;
                    problems.add(where.get() + ": body uses d" + i.dim() + " outside the rank-" + domainRank + " domain");
                    yield false;
                }
                case ScalarExpr.Const c -> true;
                case ScalarExpr.Cast c -> scalarExpr(c.a(), operands, domainRank, epilogue, where);
                case ScalarExpr.Unary u -> scalarExpr(u.a(), operands, domainRank, epilogue, where);
                case ScalarExpr.Binary b -> scalarExpr(b.a(), operands, domainRank, epilogue, where) & scalarExpr(b.b(), operands, domainRank, epilogue, where);
                case ScalarExpr.Select s -> scalarExpr(s.cond(), operands, domainRank, epilogue, where)
                        & scalarExpr(s.a(), operands, domainRank, epilogue, where) & scalarExpr(s.b(), operands, domainRank, epilogue, where);
            };
        }

        /** torch.where wants a bool condition. */
        void selectConditions(ScalarExpr e, List<DType> operandTypes, Supplier<String> where) {
            switch (e) {
                case ScalarExpr.Select s -> {
                    DType c = ScalarTypes.inferFromOperands(s.cond(), operandTypes);
                    if (c != null && c != DType.BOOL) problems.add(where.get() + ": select condition " + ExprText.scalar(s.cond()) + " is " + c + ", not BOOL");
                    selectConditions(s.cond(), operandTypes, where);
                    selectConditions(s.a(), operandTypes, where);
                    selectConditions(s.b(), operandTypes, where);
                }
                case ScalarExpr.Cast c -> selectConditions(c.a(), operandTypes, where);
                case ScalarExpr.Unary u -> selectConditions(u.a(), operandTypes, where);
                case ScalarExpr.Binary b -> { selectConditions(b.a(), operandTypes, where); selectConditions(b.b(), operandTypes, where); }
                case ScalarExpr.Read r -> { }
                case ScalarExpr.Index i -> { }
                case ScalarExpr.Const c -> { }
                case ScalarExpr.Reduced r -> { }
            }
        }
    }
}
