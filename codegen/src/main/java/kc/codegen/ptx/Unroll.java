package kc.codegen.ptx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import kc.ir.tile.ScalarType;
import kc.ir.tile.TExpr;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;

/**
 * Expands the loops marked unroll by substituting each index value into a copy of the body, and folds the integer
 * and boolean arithmetic that becomes constant (also through Let, whose values never change). After it, a local
 * array whose every index is a {@link TExpr.Const} can live in registers.
 */
final class Unroll {
    /** Loops with more iterations than this stay loops (their arrays then live in local memory). */
    static final int MAX_TRIPS = 1024;
    /** Nor are loops whose unrolled copies would exceed this many statements (nested unrolling multiplies). */
    static final long MAX_UNROLLED_STATEMENTS = 8192;

    /** Let-bound variables (by name) whose folded value is a constant, in the order they were met. */
    private final Map<String, TExpr> constants = new HashMap<>();

    Unroll() {}

    static List<TStmt> expand(List<TStmt> body) { return new Unroll().block(body); }

    private List<TStmt> block(List<TStmt> body) {
        List<TStmt> out = new ArrayList<>();
        for (TStmt s : body) stmt(s, out);
        return out;
    }

    private void stmt(TStmt s, List<TStmt> out) {
        switch (s) {
            case TStmt.Let l -> {
                TExpr v = fold(l.value());
                if (v instanceof TExpr.Const) constants.put(l.var().name(), v);
                else constants.remove(l.var().name());
                out.add(new TStmt.Let(l.var(), v));
            }
            case TStmt.Declare d -> out.add(new TStmt.Declare(d.var(), fold(d.init())));
            case TStmt.Assign a -> out.add(new TStmt.Assign(a.var(), fold(a.value())));
            case TStmt.DeclareLocal d -> out.add(d);
            case TStmt.LocalStore ls -> out.add(new TStmt.LocalStore(ls.array(), fold(ls.index()), fold(ls.value())));
            case TStmt.Store st -> out.add(new TStmt.Store(st.buffer(), st.space(), fold(st.index()), fold(st.value()),
                    st.mask() == null ? null : fold(st.mask())));
            case TStmt.For f -> {
                TExpr start = fold(f.start()), end = fold(f.end());
                if (f.unroll() && start instanceof TExpr.Const a && end instanceof TExpr.Const b
                        && trips(a, b, f.step()) <= MAX_TRIPS && trips(a, b, f.step()) * size(f.body()) <= MAX_UNROLLED_STATEMENTS) {
                    for (long i = (long) a.value(); i < (long) b.value(); i += f.step()) {
                        constants.put(f.index().name(), new TExpr.Const(i, TType.I32));
                        for (TStmt inner : f.body()) stmt(inner, out);
                    }
                    constants.remove(f.index().name());
                } else {
                    out.add(new TStmt.For(f.index(), start, end, f.step(), block(f.body()), false));
                }
            }
            case TStmt.If i -> {
                TExpr c = fold(i.cond());
                if (c instanceof TExpr.Const k) out.addAll(block(k.value() != 0 ? i.then() : i.otherwise()));
                else out.add(new TStmt.If(c, block(i.then()), block(i.otherwise())));
            }
            case TStmt.Mma m -> out.add(new TStmt.Mma(m.shape(), m.d(), m.a().stream().map(this::fold).toList(),
                    m.b().stream().map(this::fold).toList(), m.c().stream().map(this::fold).toList()));
            case TStmt.Barrier b -> out.add(b);
            case TStmt.CopyAsync c -> out.add(new TStmt.CopyAsync(c.array(), fold(c.to()), c.buffer(), fold(c.from()), c.valid() == null ? null : fold(c.valid())));
            case TStmt.AsyncCommit c -> out.add(c);
            case TStmt.AsyncWait w -> out.add(w);
            case TStmt.Comment c -> out.add(c);
        }
    }

    private static long trips(TExpr.Const start, TExpr.Const end, int step) {
        return Math.max(0, ((long) end.value() - (long) start.value() + step - 1) / step);
    }

    /** Statements after unrolling, counting nested unrolled loops by their trip counts (an estimate for the cap). */
    private static long size(List<TStmt> body) {
        long n = 0;
        for (TStmt s : body) {
            n += switch (s) {
                case TStmt.For f -> f.unroll() && f.start() instanceof TExpr.Const a && f.end() instanceof TExpr.Const b
                        ? trips(a, b, f.step()) * size(f.body()) : 1 + size(f.body());
                case TStmt.If i -> 1 + size(i.then()) + size(i.otherwise());
                default -> 1;
            };
        }
        return n;
    }

    /** The expression with known constants substituted and constant integer/boolean arithmetic folded. */
    TExpr fold(TExpr e) {
        return switch (e) {
            case TExpr.Const c -> c;
            case TExpr.Special s -> s;
            case TExpr.Ref r -> constants.getOrDefault(r.var().name(), r);
            case TExpr.Unary u -> foldUnary(new TExpr.Unary(u.op(), fold(u.a()), u.type()));
            case TExpr.Binary b -> foldBinary(new TExpr.Binary(b.op(), fold(b.a()), fold(b.b()), b.type()));
            case TExpr.Select s -> {
                TExpr c = fold(s.cond());
                if (c instanceof TExpr.Const k && k.type().lanes() == 1) yield fold(k.value() != 0 ? s.a() : s.b());
                yield new TExpr.Select(c, fold(s.a()), fold(s.b()), s.type());
            }
            case TExpr.Fma f -> new TExpr.Fma(fold(f.a()), fold(f.b()), fold(f.c()), f.type());
            case TExpr.Cast c -> foldCast(new TExpr.Cast(fold(c.a()), c.type()));
            case TExpr.Load l -> new TExpr.Load(l.buffer(), l.space(), fold(l.index()), l.mask() == null ? null : fold(l.mask()), l.other(), l.type());
            case TExpr.LocalLoad l -> new TExpr.LocalLoad(l.array(), fold(l.index()), l.type());
            case TExpr.Lane l -> new TExpr.Lane(fold(l.vector()), l.lane(), l.type());
            case TExpr.Pack p -> new TExpr.Pack(p.lanes().stream().map(this::fold).toList(), p.type());
            case TExpr.Shuffle s -> new TExpr.Shuffle(s.kind(), fold(s.value()), fold(s.laneOrDelta()), s.type());
            case TExpr.WarpReduce w -> new TExpr.WarpReduce(w.op(), fold(w.value()), w.type());
        };
    }

    private static boolean foldable(TType t) { return t.lanes() == 1 && (t.elem().isInt() || t.elem() == ScalarType.BOOL); }

    /** Wraps an integer to its type's width, as the hardware would. */
    private static TExpr constant(long v, TType t) {
        long w = switch (t.elem()) {
            case I32 -> (int) v;
            case U32 -> v & 0xffffffffL;
            case BOOL -> v != 0 ? 1 : 0;
            default -> v;
        };
        return new TExpr.Const(w, t);
    }

    private static TExpr foldUnary(TExpr.Unary u) {
        if (!(u.a() instanceof TExpr.Const c) || !foldable(u.a().type())) return u;
        long v = (long) c.value();
        return switch (u.op()) {
            case NEG -> constant(-v, u.type());
            case ABS -> constant(Math.abs(v), u.type());
            case NOT -> constant(u.type().elem() == ScalarType.BOOL ? (v == 0 ? 1 : 0) : ~v, u.type());
            case SIGN -> constant(Long.signum(v), u.type());
            default -> u;
        };
    }

    private static TExpr foldBinary(TExpr.Binary b) {
        if (!(b.a() instanceof TExpr.Const ca) || !(b.b() instanceof TExpr.Const cb) || !foldable(b.a().type())) return b;
        long x = (long) ca.value(), y = (long) cb.value();
        boolean unsigned = b.a().type().elem() == ScalarType.U32;
        int bits = b.a().type().elem().bytes * 8;
        return switch (b.op()) {
            case ADD -> constant(x + y, b.type());
            case SUB -> constant(x - y, b.type());
            case MUL -> constant(x * y, b.type());
            case DIV -> y == 0 ? b : constant(x / y, b.type());
            case REM -> y == 0 ? b : constant(x % y, b.type());
            case MIN -> constant(Math.min(x, y), b.type());
            case MAX -> constant(Math.max(x, y), b.type());
            case EQ -> constant(x == y ? 1 : 0, b.type());
            case NE -> constant(x != y ? 1 : 0, b.type());
            case LT -> constant(x < y ? 1 : 0, b.type());
            case LE -> constant(x <= y ? 1 : 0, b.type());
            case GT -> constant(x > y ? 1 : 0, b.type());
            case GE -> constant(x >= y ? 1 : 0, b.type());
            case AND -> constant(x & y, b.type());
            case OR -> constant(x | y, b.type());
            case XOR -> constant(x ^ y, b.type());
            case SHL -> y < 0 || y >= bits ? b : constant(x << y, b.type());
            case SHR -> y < 0 || y >= bits ? b : constant(unsigned ? x >>> y : x >> y, b.type());
            case POW, ATAN2, PACK_BF16X2 -> b;
        };
    }

    private static TExpr foldCast(TExpr.Cast c) {
        if (!(c.a() instanceof TExpr.Const k) || !foldable(c.a().type()) || !foldable(c.type())) return c;
        return constant((long) k.value(), c.type());
    }
}
