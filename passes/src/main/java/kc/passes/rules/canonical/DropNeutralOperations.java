package kc.passes.rules.canonical;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.DType;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.ScalarTypes;
import kc.ir.graph.Value;
import kc.passes.rules.Rewrite;
import kc.passes.rules.Rule;
import kc.passes.rules.RuleContext;

/**
 * Drops identities inside a body or epilogue: x * 1, 1 * x, x / 1, x + 0, 0 + x, x - 0, -(-x), where dropping them
 * keeps the expression's type (an integer times 1.0 is a float, and stays a multiplication).
 */
public record DropNeutralOperations() implements Rule {
    public static final DropNeutralOperations INSTANCE = new DropNeutralOperations();

    @Override public String name() { return "drop-neutral-operations"; }

    @Override public Rewrite apply(RuleContext ctx, Node n) {
        if (!(n.op() instanceof Op.Generic g)) return null;
        if (!hasNeutral(g.body()) && (g.epilogue() == null || !hasNeutral(g.epilogue()))) return null; // the usual case, cheaply
        List<DType> types = new ArrayList<>();
        for (Value v : n.operands()) types.add(v.type().dtype());
        ScalarExpr body = simplify(g.body(), types);
        ScalarExpr epilogue = g.epilogue() == null ? null : simplify(g.epilogue(), types);
        if (body.equals(g.body()) && java.util.Objects.equals(epilogue, g.epilogue())) return null;
        return new Rewrite.Replace(new Node(n.result(), new Op.Generic(g.reduceShape(), g.maps(), body, g.reduction(), epilogue),
                n.operands(), n.origin(), n.absorbed()));
    }

    static ScalarExpr simplify(ScalarExpr e, List<DType> types) {
        return switch (e) {
            case ScalarExpr.Binary b -> {
                ScalarExpr a = simplify(b.a(), types), c = simplify(b.b(), types);
                ScalarExpr kept = switch (b.op()) {
                    case MUL -> isConst(c, 1) ? a : isConst(a, 1) ? c : null;
                    case DIV -> isConst(c, 1) ? a : null;
                    case ADD -> isConst(c, 0) ? a : isConst(a, 0) ? c : null;
                    case SUB -> isConst(c, 0) ? a : null;
                    default -> null;
                };
                ScalarExpr whole = new ScalarExpr.Binary(b.op(), a, c);
                yield kept != null && sameType(kept, whole, types) ? kept : whole;
            }
            case ScalarExpr.Unary u -> {
                ScalarExpr a = simplify(u.a(), types);
                yield u.op() == ScalarExpr.UnaryOp.NEG && a instanceof ScalarExpr.Unary inner && inner.op() == ScalarExpr.UnaryOp.NEG
                        ? inner.a() : new ScalarExpr.Unary(u.op(), a);
            }
            case ScalarExpr.Cast c -> new ScalarExpr.Cast(c.to(), simplify(c.a(), types));
            case ScalarExpr.Select s -> new ScalarExpr.Select(simplify(s.cond(), types), simplify(s.a(), types), simplify(s.b(), types));
            case ScalarExpr.Read r -> r;
            case ScalarExpr.Index i -> i;
            case ScalarExpr.Reduced r -> r;
            case ScalarExpr.Const c -> c;
        };
    }

    /** Whether e has an operation with a neutral operand anywhere (without building anything). */
    private static boolean hasNeutral(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Binary b -> switch (b.op()) {
                case MUL -> isConst(b.b(), 1) || isConst(b.a(), 1);
                case DIV -> isConst(b.b(), 1);
                case ADD -> isConst(b.b(), 0) || isConst(b.a(), 0);
                case SUB -> isConst(b.b(), 0);
                default -> false;
            } || hasNeutral(b.a()) || hasNeutral(b.b());
            case ScalarExpr.Unary u -> u.op() == ScalarExpr.UnaryOp.NEG && u.a() instanceof ScalarExpr.Unary inner
                    && inner.op() == ScalarExpr.UnaryOp.NEG || hasNeutral(u.a());
            case ScalarExpr.Cast c -> hasNeutral(c.a());
            case ScalarExpr.Select s -> hasNeutral(s.cond()) || hasNeutral(s.a()) || hasNeutral(s.b());
            case ScalarExpr.Read r -> false;
            case ScalarExpr.Index i -> false;
            case ScalarExpr.Reduced r -> false;
            case ScalarExpr.Const c -> false;
        };
    }

    private static boolean isConst(ScalarExpr e, double v) { return e instanceof ScalarExpr.Const c && c.value() == v; }

    /**
     * Dropping the operation changes no promotion: alike with literals weak (PyTorch's rule for tensors) and strong
     * (an integer tensor times the float literal 1.0 is a float tensor, so that stays a multiplication).
     */
    private static boolean sameType(ScalarExpr kept, ScalarExpr whole, List<DType> types) {
        DType a = ScalarTypes.inferFromOperands(kept, types), b = ScalarTypes.inferFromOperands(whole, types);
        return a != null && a == b && ScalarTypes.infer(kept, types) == ScalarTypes.infer(whole, types);
    }

}
