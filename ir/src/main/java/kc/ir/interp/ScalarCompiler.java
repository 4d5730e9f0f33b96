package kc.ir.interp;

import kc.ir.graph.ScalarExpr;

/**
 * Compiles a {@link ScalarExpr} once into a tree of {@link ScalarCode} lambdas, one specialised lambda per
 * node kind and operator, so evaluating a body at a domain point does no dispatch on names.
 */
final class ScalarCompiler {
    private ScalarCompiler() {}

    /**
     * @param reads       the compiled read of each operand (through its index map)
     * @param domainRank  the rank of the op's domain, which bounds {@link ScalarExpr.Index}
     */
    static ScalarCode compile(ScalarExpr e, ScalarCode[] reads, int domainRank) {
        return new ScalarCompiler.Context(reads, domainRank).compile(e);
    }

    private record Context(ScalarCode[] reads, int domainRank) {
        ScalarCode compile(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Read r -> {
                if (r.operand() < 0 || r.operand() >= reads.length)
                    throw new IllegalStateException("body reads operand " + r.operand() + " of " + reads.length);
                yield reads[r.operand()];
            }
            case ScalarExpr.Index i -> {
                int d = i.dim();
                if (d < 0 || d >= domainRank) throw new IllegalStateException("body uses d" + d + " in a rank-" + domainRank + " domain");
                yield f -> f.coord[d];
            }
            case ScalarExpr.Const c -> { double v = c.value(); yield f -> v; }
            case ScalarExpr.Reduced r -> f -> f.acc;
            case ScalarExpr.Cast c -> {
                ScalarCode a = compile(c.a());
                yield switch (c.to()) {
                    case BOOL -> f -> a.eval(f) != 0 ? 1 : 0;
                    case I64, I32 -> f -> (double) (long) a.eval(f);
                    case F64, F32, F16, BF16 -> a;
                };
            }
            case ScalarExpr.Select s -> {
                ScalarCode c = compile(s.cond()), a = compile(s.a()), b = compile(s.b());
                yield f -> c.eval(f) != 0 ? a.eval(f) : b.eval(f);
            }
            case ScalarExpr.Unary u -> unary(u.op(), compile(u.a()));
            case ScalarExpr.Binary b -> binary(b.op(), compile(b.a()), compile(b.b()));
        };
        }
    }

    private static ScalarCode unary(ScalarExpr.UnaryOp op, ScalarCode a) {
        return switch (op) {
            case NEG -> f -> -a.eval(f);
            case ABS -> f -> Math.abs(a.eval(f));
            case EXP -> f -> Math.exp(a.eval(f));
            case LOG -> f -> Math.log(a.eval(f));
            case SQRT -> f -> Math.sqrt(a.eval(f));
            case RSQRT -> f -> 1 / Math.sqrt(a.eval(f));
            case RECIP -> f -> 1 / a.eval(f);
            case TANH -> f -> Math.tanh(a.eval(f));
            case SIGMOID -> f -> ScalarMath.sigmoid(a.eval(f));
            case ERF -> f -> ScalarMath.erf(a.eval(f));
            case SIN -> f -> Math.sin(a.eval(f));
            case COS -> f -> Math.cos(a.eval(f));
            case FLOOR -> f -> Math.floor(a.eval(f));
            case CEIL -> f -> Math.ceil(a.eval(f));
            case ROUND -> f -> Math.rint(a.eval(f)); // half to even, like torch.round
            case SIGN -> f -> ScalarMath.sign(a.eval(f));
            case NOT -> f -> a.eval(f) == 0 ? 1 : 0;
            case LOG1P -> f -> Math.log1p(a.eval(f));
            case EXPM1 -> f -> Math.expm1(a.eval(f));
        };
    }

    private static ScalarCode binary(ScalarExpr.BinaryOp op, ScalarCode a, ScalarCode b) {
        return switch (op) {
            case ADD -> f -> a.eval(f) + b.eval(f);
            case SUB -> f -> a.eval(f) - b.eval(f);
            case MUL -> f -> a.eval(f) * b.eval(f);
            case DIV -> f -> a.eval(f) / b.eval(f);
            case FLOORDIV -> f -> ScalarMath.floorDiv(a.eval(f), b.eval(f));
            case MOD -> f -> ScalarMath.mod(a.eval(f), b.eval(f));
            case POW -> f -> Math.pow(a.eval(f), b.eval(f));
            case MAX -> f -> Math.max(a.eval(f), b.eval(f));
            case MIN -> f -> Math.min(a.eval(f), b.eval(f));
            case EQ -> f -> a.eval(f) == b.eval(f) ? 1 : 0;
            case NE -> f -> a.eval(f) != b.eval(f) ? 1 : 0;
            case LT -> f -> a.eval(f) < b.eval(f) ? 1 : 0;
            case LE -> f -> a.eval(f) <= b.eval(f) ? 1 : 0;
            case GT -> f -> a.eval(f) > b.eval(f) ? 1 : 0;
            case GE -> f -> a.eval(f) >= b.eval(f) ? 1 : 0;
            case AND -> f -> a.eval(f) != 0 && b.eval(f) != 0 ? 1 : 0;
            case OR -> f -> a.eval(f) != 0 || b.eval(f) != 0 ? 1 : 0;
            case ATAN2 -> f -> Math.atan2(a.eval(f), b.eval(f));
        };
    }
}
