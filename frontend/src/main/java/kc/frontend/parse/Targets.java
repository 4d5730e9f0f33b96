package kc.frontend.parse;

import kc.frontend.CompileError;
import kc.frontend.ast.Expr;

/** What may stand left of '=', after 'for', after 'as', after 'del', and with CPython's messages when not. */
final class Targets {
    private Targets() {}

    static void checkAssign(String file, Expr target) {
        check(file, target, "assign to", true);
    }

    /** {@code target = ...}: CPython adds a hint there, since a literal or call on the left is often a typo of ==. */
    static void checkAssignStatement(String file, Expr target) {
        switch (target) {
            case Expr.Constant c -> throw hinted(file, target);
            case Expr.Call c -> throw hinted(file, target);
            case Expr.Compare c -> throw hinted(file, target);
            default -> checkAssign(file, target);
        }
    }

    private static CompileError hinted(String file, Expr target) {
        return new CompileError(file, target.pos(),
                "cannot assign to " + describe(target) + " here. Maybe you meant '==' instead of '='?");
    }

    static void checkDelete(String file, Expr target) {
        check(file, target, "delete", false);
    }

    static void checkAugmented(String file, Expr target) {
        if (!(target instanceof Expr.Name || target instanceof Expr.Attribute || target instanceof Expr.Subscript)) {
            throw new CompileError(file, target.pos(),
                    "'" + describe(target) + "' is an illegal expression for augmented assignment");
        }
    }

    static void checkAnnotated(String file, Expr target) {
        switch (target) {
            case Expr.Name n -> { }
            case Expr.Attribute a -> { }
            case Expr.Subscript s -> { }
            case Expr.Tuple t -> throw new CompileError(file, t.pos(), "only single target (not tuple) can be annotated");
            case Expr.ListExpr l -> throw new CompileError(file, l.pos(), "only single target (not list) can be annotated");
            default -> throw new CompileError(file, target.pos(), "illegal target for annotation");
        }
    }

    private static void check(String file, Expr target, String verb, boolean starAllowed) {
        switch (target) {
            case Expr.Name n -> { }
            case Expr.Attribute a -> { }
            case Expr.Subscript s -> { }
            case Expr.Tuple t -> elements(file, t.elements(), verb, starAllowed);
            case Expr.ListExpr l -> elements(file, l.elements(), verb, starAllowed);
            case Expr.Starred s -> throw new CompileError(file, s.pos(), starAllowed
                    ? "starred assignment target must be in a list or tuple" : "cannot delete starred");
            default -> throw new CompileError(file, target.pos(), "cannot " + verb + " " + describe(target));
        }
    }

    private static void elements(String file, java.util.List<Expr> elements, String verb, boolean starAllowed) {
        boolean sawStar = false;
        for (Expr e : elements) {
            if (e instanceof Expr.Starred s && starAllowed) {
                if (sawStar) throw new CompileError(file, s.pos(), "multiple starred expressions in assignment");
                sawStar = true;
                check(file, s.value(), verb, starAllowed);
            } else {
                check(file, e, verb, starAllowed);
            }
        }
    }

    /** CPython's name for an expression kind in error messages. */
    static String describe(Expr e) {
        return switch (e) {
            case Expr.Name n -> "name";
            case Expr.Constant c -> c.value() == Expr.NONE ? "None"
                    : c.value() == Expr.ELLIPSIS ? "ellipsis"
                    : c.value() instanceof Boolean b ? (b ? "True" : "False") : "literal";
            case Expr.BinOp b -> "expression";
            case Expr.UnaryOp u -> "expression";
            case Expr.BoolOp b -> "expression";
            case Expr.Compare c -> "comparison";
            case Expr.Call c -> "function call";
            case Expr.Attribute a -> "attribute";
            case Expr.Subscript s -> "subscript";
            case Expr.Slice s -> "slice";
            case Expr.Tuple t -> "tuple";
            case Expr.ListExpr l -> "list";
            case Expr.SetExpr s -> "set display";
            case Expr.Dict d -> "dict literal";
            case Expr.Comprehension c -> switch (c.kind()) {
                case LIST -> "list comprehension";
                case SET -> "set comprehension";
                case GENERATOR -> "generator expression";
            };
            case Expr.DictComprehension d -> "dict comprehension";
            case Expr.Lambda l -> "lambda";
            case Expr.IfExp i -> "conditional expression";
            case Expr.Starred s -> "starred";
            case Expr.NamedExpr n -> "named expression";
            case Expr.JoinedStr j -> "f-string expression";
            case Expr.FormattedValue f -> "f-string expression";
            case Expr.Yield y -> "yield expression";
        };
    }
}
