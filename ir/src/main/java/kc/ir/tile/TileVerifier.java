package kc.ir.tile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@link Kernel} for the rules every renderer relies on: variables defined before use and defined once,
 * explicit and consistent types, buffers and arrays that exist, mma fragment counts, warp operations on 32- or
 * 64-bit values, positive launch dimensions. Errors name the kernel and the offending construct.
 */
public final class TileVerifier {
    private final Kernel kernel;
    private final Map<String, BufferParam> params = new HashMap<>();
    private final Map<String, SharedArray> shared = new HashMap<>();
    private final Map<String, LocalArray> locals = new HashMap<>();
    /** Every name defined so far in the kernel (uniqueness is kernel-wide). */
    private final Set<String> defined = new HashSet<>();
    /**
     * The variables visible here, and those of them Declare made assignable; each block takes out again what it put
     * in (a copy per block was quadratic in the kernels' thousands of unrolled statements).
     */
    private final Set<Var> scope = new HashSet<>(), mutable = new HashSet<>();
    private final List<Var> scoped = new ArrayList<>(), madeMutable = new ArrayList<>(); // in the order put in
    private final List<String> errors = new ArrayList<>();

    private TileVerifier(Kernel kernel) { this.kernel = kernel; }

    /** The problems found, empty when the kernel is well-formed. */
    public static List<String> check(Kernel kernel) {
        TileVerifier v = new TileVerifier(kernel);
        v.run();
        return List.copyOf(v.errors);
    }

    /** Throws IllegalStateException listing every problem when the kernel is not well-formed. */
    public static void verify(Kernel kernel) {
        List<String> errors = check(kernel);
        if (!errors.isEmpty()) throw new IllegalStateException(String.join("\n", errors));
    }

    private void error(String msg) { errors.add("kernel " + kernel.name() + ": " + msg); }

    private void run() {
        Launch l = kernel.launch();
        if (l.gridX() < 1 || l.gridY() < 1 || l.gridZ() < 1 || l.blockX() < 1 || l.blockY() < 1 || l.blockZ() < 1)
            error("launch dimensions must be positive: " + l);
        for (BufferParam p : kernel.params()) {
            if (params.put(p.name(), p) != null) error("buffer parameter " + p.name() + " declared twice");
            if (p.numel() < 0) error("buffer " + p.name() + " has negative size " + p.numel());
        }
        for (SharedArray s : kernel.shared()) {
            if (shared.put(s.name(), s) != null || params.containsKey(s.name())) error("shared array " + s.name() + " declared twice");
            if (s.length() < 1) error("shared array " + s.name() + " must have a positive length");
        }
        block(kernel.body());
    }

    private void block(List<TStmt> stmts) {
        int scopedBefore = scoped.size(), mutableBefore = madeMutable.size();
        for (TStmt st : stmts) stmt(st);
        leave(scopedBefore, mutableBefore);
    }

    /** Takes out of scope, and out of the mutable set, what was put in since they had the sizes given. */
    private void leave(int scopedBefore, int mutableBefore) {
        while (scoped.size() > scopedBefore) scope.remove(scoped.removeLast());
        while (madeMutable.size() > mutableBefore) mutable.remove(madeMutable.removeLast());
    }

    private void define(Var v) {
        if (!defined.add(v.name())) error("variable " + v.name() + " defined more than once");
        if (scope.add(v)) scoped.add(v);
    }

    private void makeMutable(Var v) {
        if (mutable.add(v)) madeMutable.add(v);
    }

    private void stmt(TStmt st) {
        switch (st) {
            case TStmt.Let l -> {
                expr(l.value());
                sameType(l.var().type(), l.value().type(), "let ", l.var().name());
                define(l.var());
            }
            case TStmt.Declare d -> {
                expr(d.init());
                sameType(d.var().type(), d.init().type(), "declare ", d.var().name());
                define(d.var());
                makeMutable(d.var());
            }
            case TStmt.Assign a -> {
                expr(a.value());
                if (!mutable.contains(a.var())) error("assignment to " + a.var().name() + ", which is not a declared mutable variable in scope");
                sameType(a.var().type(), a.value().type(), "assign ", a.var().name());
            }
            case TStmt.DeclareLocal d -> {
                LocalArray a = d.array();
                if (a.length() < 1) error("local array " + a.name() + " must have a positive length");
                if (!defined.add(a.name()) || locals.containsKey(a.name())) error("local array " + a.name() + " declared twice");
                locals.put(a.name(), a);
            }
            case TStmt.LocalStore ls -> {
                LocalArray a = locals.get(ls.array());
                expr(ls.index());
                expr(ls.value());
                if (a == null) error("store to undeclared local array " + ls.array());
                else if (!ls.value().type().equals(TType.of(a.elem())))
                    error("store of " + ls.value().type() + " into local array " + a.name() + " of " + TType.of(a.elem()));
                index(ls.index(), "local store to ", ls.array());
            }
            case TStmt.Store s -> {
                expr(s.index());
                expr(s.value());
                if (s.mask() != null) { expr(s.mask()); bool(s.mask(), "store mask of ", s.buffer()); }
                index(s.index(), "store to ", s.buffer());
                ScalarType elem = bufferElem(s.buffer(), s.space(), true);
                if (elem != null && s.value().type().elem() != elem)
                    error("store of " + s.value().type() + " into " + s.buffer() + " of " + elem.name().toLowerCase());
            }
            case TStmt.For f -> {
                expr(f.start());
                expr(f.end());
                if (!f.index().type().equals(TType.I32)) error("for index " + f.index().name() + " must be i32, is " + f.index().type());
                if (!f.start().type().equals(TType.I32) || !f.end().type().equals(TType.I32))
                    error("for " + f.index().name() + ": bounds must be i32");
                if (f.step() < 1) error("for " + f.index().name() + ": step must be positive, is " + f.step());
                if (f.unroll() && !(f.start() instanceof TExpr.Const && f.end() instanceof TExpr.Const))
                    error("for " + f.index().name() + ": an unrolled loop needs constant bounds");
                int scopedBefore = scoped.size(), mutableBefore = madeMutable.size();
                define(f.index()); // visible in the body only
                block(f.body());
                leave(scopedBefore, mutableBefore);
            }
            case TStmt.If i -> {
                expr(i.cond());
                bool(i.cond(), "if condition", "");
                block(i.then());
                block(i.otherwise());
            }
            case TStmt.Barrier b -> { }
            case TStmt.Comment c -> { }
            case TStmt.AsyncCommit c -> { }
            case TStmt.AsyncWait w -> { if (w.pending() < 0) error("async_wait: pending groups must be >= 0, is " + w.pending()); }
            case TStmt.CopyAsync c -> {
                expr(c.to());
                expr(c.from());
                index(c.to(), "async copy into ", c.array());
                index(c.from(), "async copy from ", c.buffer());
                if (c.valid() != null) { expr(c.valid()); bool(c.valid(), "async copy mask of ", c.buffer()); }
                ScalarType into = bufferElem(c.array(), Space.SHARED, true), from = bufferElem(c.buffer(), Space.GLOBAL, false);
                if (into != null && from != null && into != from)
                    error("async copy from " + c.buffer() + " of " + from.name().toLowerCase() + " into " + c.array() + " of " + into.name().toLowerCase());
                if (from != null && from.bytes != 4) error("async copy from " + c.buffer() + ": only 4-byte elements, is " + from.name().toLowerCase());
            }
            case TStmt.Mma mma -> {
                TStmt.MmaShape sh = mma.shape();
                if (mma.a().size() != sh.aRegs) error("mma " + sh + ": a has " + mma.a().size() + " fragments, needs " + sh.aRegs);
                if (mma.b().size() != sh.bRegs) error("mma " + sh + ": b has " + mma.b().size() + " fragments, needs " + sh.bRegs);
                if (mma.c().size() != sh.cRegs) error("mma " + sh + ": c has " + mma.c().size() + " fragments, needs " + sh.cRegs);
                if (mma.d().size() != sh.cRegs) error("mma " + sh + ": d has " + mma.d().size() + " fragments, needs " + sh.cRegs);
                // tf32 fragments are f32 registers; f16/bf16 fragments are two halves packed in a u32
                TType in = sh == TStmt.MmaShape.M16N8K8_TF32 ? TType.F32 : TType.of(ScalarType.U32);
                for (TExpr e : mma.a()) { expr(e); sameType(in, e.type(), "mma a fragment", ""); }
                for (TExpr e : mma.b()) { expr(e); sameType(in, e.type(), "mma b fragment", ""); }
                for (TExpr e : mma.c()) { expr(e); sameType(TType.F32, e.type(), "mma c fragment", ""); }
                for (Var d : mma.d()) {
                    sameType(TType.F32, d.type(), "mma d fragment ", d.name());
                    if (scope.contains(d)) { if (!mutable.contains(d)) error("mma d fragment " + d.name() + " is not mutable"); }
                    else define(d);
                }
            }
        }
    }

    private ScalarType bufferElem(String name, Space space, boolean write) {
        if (space == Space.GLOBAL) {
            BufferParam p = params.get(name);
            if (p == null) { error("unknown global buffer " + name); return null; }
            if (write && p.access() == BufferParam.Access.READ) error("store to read-only buffer " + name);
            if (!write && p.access() == BufferParam.Access.WRITE) error("load from write-only buffer " + name);
            return p.elem();
        }
        SharedArray s = shared.get(name);
        if (s == null) { error("unknown shared array " + name); return null; }
        return s.elem();
    }

    // What a check is about comes in two parts, joined only for an error message: kernels have many thousands.

    private void sameType(TType want, TType got, String what, String subject) {
        if (!want.equals(got)) error(what + subject + ": type " + got + " where " + want + " is required");
    }

    private void bool(TExpr e, String what, String subject) {
        if (!e.type().equals(TType.BOOL)) error(what + subject + " must be bool, is " + e.type());
    }

    private void index(TExpr e, String what, String subject) {
        if (!e.type().equals(TType.I32) && !e.type().equals(TType.I64)) error(what + subject + ": index must be i32 or i64, is " + e.type());
    }

    private void sameType(TType want, TType got, Enum<?> op) {
        if (!want.equals(got)) sameType(want, got, name(op), "");
    }

    private static String name(Enum<?> op) { return op.name().toLowerCase(Locale.ROOT); }

    private void expr(TExpr e) {
        for (TExpr c : TExpr.children(e)) expr(c);
        switch (e) {
            case TExpr.Const c -> { }
            case TExpr.Special s -> { }
            case TExpr.Ref r -> {
                if (!scope.contains(r.var())) error("use of " + r.var().name() + " (" + r.var().type() + ") before its definition or outside its scope");
            }
            case TExpr.Unary u -> {
                switch (u.op()) {
                    case NOT -> {
                        if (u.a().type().elem().isFloat()) error("not of a float " + u.a().type());
                        sameType(u.a().type(), u.type(), "not", "");
                    }
                    case IS_NAN -> {
                        if (!u.a().type().elem().isFloat()) error("is_nan of a non-float " + u.a().type());
                        if (u.type().elem() != ScalarType.BOOL || u.type().lanes() != u.a().type().lanes()) error("is_nan must give bool");
                    }
                    case NEG, ABS, SIGN -> sameType(u.a().type(), u.type(), u.op());
                    case ROUND_TF32, ROUND_TF32_FINITE -> {
                        if (u.a().type().elem() != ScalarType.F32) error(name(u.op()) + " of a non-f32 " + u.a().type());
                        sameType(u.a().type(), u.type(), u.op());
                    }
                    default -> {
                        if (!u.a().type().elem().isFloat()) error(name(u.op()) + " of a non-float " + u.a().type());
                        sameType(u.a().type(), u.type(), u.op());
                    }
                }
            }
            case TExpr.Binary b -> {
                TExpr.BinOp op = b.op();
                if (!b.a().type().equals(b.b().type())) error(name(op) + " of different types " + b.a().type() + " and " + b.b().type());
                switch (b.op()) {
                    case EQ, NE, LT, LE, GT, GE -> {
                        if (!b.type().equals(new TType(ScalarType.BOOL, b.a().type().lanes()))) error(name(op) + " must give bool, gives " + b.type());
                    }
                    case SHL, SHR -> {
                        if (!b.a().type().elem().isInt()) error(name(op) + " of a non-integer " + b.a().type());
                        sameType(b.a().type(), b.type(), op);
                    }
                    case AND, OR, XOR -> {
                        if (b.a().type().elem().isFloat()) error(name(op) + " of a float " + b.a().type());
                        sameType(b.a().type(), b.type(), op);
                    }
                    case PACK_BF16X2 -> {
                        if (!b.a().type().equals(TType.F32)) error(name(op) + " of " + b.a().type() + " (scalar f32 only)");
                        if (!b.type().equals(TType.of(ScalarType.U32))) error(name(op) + " must give u32, gives " + b.type());
                    }
                    case POW, ATAN2 -> {
                        if (!b.a().type().elem().isFloat()) error(name(op) + " of a non-float " + b.a().type());
                        sameType(b.a().type(), b.type(), op);
                    }
                    default -> {
                        if (b.a().type().elem() == ScalarType.BOOL) error(name(op) + " of bool operands");
                        sameType(b.a().type(), b.type(), op);
                    }
                }
            }
            case TExpr.Fma f -> {
                if (f.a().type().isVector() || f.a().type().elem() != ScalarType.F32 && f.a().type().elem() != ScalarType.F64) error("fma of " + f.a().type() + " (scalar f32 or f64 only)");
                if (!f.a().type().equals(f.b().type()) || !f.a().type().equals(f.c().type())) error("fma of different types " + f.a().type() + ", " + f.b().type() + " and " + f.c().type());
                sameType(f.a().type(), f.type(), "fma", "");
            }
            case TExpr.Select s -> {
                if (s.cond().type().elem() != ScalarType.BOOL) error("select condition must be bool, is " + s.cond().type());
                if (!s.a().type().equals(s.b().type())) error("select of different types " + s.a().type() + " and " + s.b().type());
                sameType(s.a().type(), s.type(), "select", "");
            }
            case TExpr.Cast c -> {
                if (c.a().type().lanes() != c.type().lanes()) error("cast changes the lane count: " + c.a().type() + " to " + c.type());
            }
            case TExpr.Load l -> {
                index(l.index(), "load from ", l.buffer());
                if (l.mask() != null) bool(l.mask(), "load mask of ", l.buffer());
                ScalarType elem = bufferElem(l.buffer(), l.space(), false);
                if (elem != null && l.type().elem() != elem) error("load of " + l.type() + " from " + l.buffer() + " of " + elem.name().toLowerCase());
            }
            case TExpr.LocalLoad l -> {
                index(l.index(), "local load from ", l.array());
                LocalArray a = locals.get(l.array());
                if (a == null) error("load from undeclared local array " + l.array());
                else if (!l.type().equals(TType.of(a.elem()))) error("load of " + l.type() + " from local array " + a.name() + " of " + a.elem());
            }
            case TExpr.Lane l -> {
                if (l.lane() < 0 || l.lane() >= l.vector().type().lanes())
                    error("lane " + l.lane() + " of a " + l.vector().type() + " value");
                if (!l.type().equals(TType.of(l.vector().type().elem()))) error("lane of " + l.vector().type() + " typed " + l.type());
            }
            case TExpr.Pack p -> {
                if (p.lanes().size() != p.type().lanes()) error("pack of " + p.lanes().size() + " lanes typed " + p.type());
                for (TExpr lane : p.lanes())
                    if (!lane.type().equals(TType.of(p.type().elem()))) error("pack of a " + lane.type() + " lane into " + p.type());
            }
            case TExpr.Shuffle s -> {
                warpValue(s.value().type(), "shuffle");
                if (!s.laneOrDelta().type().equals(TType.I32)) error("shuffle lane/delta must be i32, is " + s.laneOrDelta().type());
                sameType(s.value().type(), s.type(), "shuffle", "");
            }
            case TExpr.WarpReduce w -> {
                warpValue(w.value().type(), "warp reduce");
                sameType(w.value().type(), w.type(), "warp reduce", "");
            }
        }
    }

    private void warpValue(TType t, String what) {
        int bytes = t.elem().bytes * t.lanes();
        if (t.isVector() || (bytes != 4 && bytes != 8)) error(what + " needs a 32-bit or 64-bit scalar, got " + t);
    }
}
