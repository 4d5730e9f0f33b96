package kc.passes.lower;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import kc.ir.tile.BufferParam;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.ScalarType;
import kc.ir.tile.SharedArray;
import kc.ir.tile.TExpr;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

/**
 * Collects one kernel's statements, buffer parameters and shared arrays while a strategy emits it; hands out
 * unique variable names; folds constants in index arithmetic so the emitted code stays readable.
 */
final class KernelBuilder {
    /** The integer type of this kernel's index arithmetic: i32 when every index fits, else i64. */
    final TType idx;
    /** Kernel parameters by plan buffer name; parameters get local names (out, in0, in1, ...) so that kernels of
     *  identical layers are identical and can be shared. */
    private final Map<String, BufferParam> params = new LinkedHashMap<>();
    private final Map<String, String> localName = new java.util.HashMap<>();
    private int inputs;
    private final List<SharedArray> shared = new ArrayList<>();
    private final Deque<List<TStmt>> blocks = new ArrayDeque<>();
    private final Map<String, Integer> used = new java.util.HashMap<>();
    private final java.util.Set<String> taken = new java.util.HashSet<>();

    KernelBuilder(TType idx) {
        this.idx = idx;
        blocks.push(new ArrayList<>());
    }

    /**
     * Declares (or widens the access of) a parameter for plan buffer {@code buffer}; returns the kernel-local name
     * to use in loads and stores: {@code out, out1, ...} for written buffers, {@code in0, in1, ...} for read ones.
     */
    String buffer(String buffer, ScalarType elem, long numel, BufferParam.Access access) {
        String local = localName.get(buffer);
        if (local == null) {
            if (access == BufferParam.Access.WRITE) {
                local = "out";
                for (int i = 1; taken.contains(local); i++) local = "out" + i;
            } else {
                local = "in" + inputs++;
            }
            localName.put(buffer, local);
            taken.add(local);
        }
        BufferParam old = params.get(buffer);
        if (old != null && old.access() != access) access = BufferParam.Access.READ_WRITE;
        params.put(buffer, new BufferParam(local, elem, numel, access));
        return local;
    }

    /** The plan buffer names of the kernel's parameters, in parameter order (the launch's arguments). */
    List<String> args() { return new ArrayList<>(params.keySet()); }

    void shared(SharedArray a) {
        if (!taken.add(a.name())) throw new IllegalStateException("shared array " + a.name() + " declared twice");
        shared.add(a);
    }

    /** A variable named hint, hint1, hint2, ...: the first name no other variable, buffer or array has. */
    Var fresh(String hint, TType t) {
        for (;;) {
            int n = used.merge(hint, 1, Integer::sum);
            String name = n == 1 ? hint : hint + (n - 1);
            if (taken.add(name)) return new Var(name, t);
        }
    }

    void add(TStmt s) { blocks.peek().add(s); }

    /** Binds e to a new register unless it is already a constant or a register. */
    TExpr let(String hint, TExpr e) {
        if (e instanceof TExpr.Const || e instanceof TExpr.Ref || e instanceof TExpr.Special) return e;
        Var v = fresh(hint, e.type());
        add(new TStmt.Let(v, e));
        return TExpr.ref(v);
    }

    Var declare(String hint, TExpr init) {
        Var v = fresh(hint, init.type());
        add(new TStmt.Declare(v, init));
        return v;
    }

    void assign(Var v, TExpr e) { add(new TStmt.Assign(v, e)); }

    /** Runs body with a fresh statement list and returns it (for For / If bodies). */
    List<TStmt> nested(Runnable body) {
        blocks.push(new ArrayList<>());
        body.run();
        return blocks.pop();
    }

    Kernel build(String name, Launch launch) {
        return new Kernel(name, new ArrayList<>(params.values()), shared, launch, blocks.peek());
    }

    // Index arithmetic in the kernel's index type, folding constants.

    TExpr c(long v) { return new TExpr.Const(v, idx); }

    TExpr toIdx(TExpr e) { return TExpr.cast(e, idx); }

    static boolean isConst(TExpr e, long v) { return e instanceof TExpr.Const c && c.value() == v; }

    static TExpr add(TExpr a, TExpr b) {
        if (isConst(a, 0)) return b;
        if (isConst(b, 0)) return a;
        if (a instanceof TExpr.Const x && b instanceof TExpr.Const y) return new TExpr.Const(x.value() + y.value(), a.type());
        return TExpr.binary(TExpr.BinOp.ADD, a, b);
    }

    static TExpr mul(TExpr a, long f) {
        if (f == 1) return a;
        if (f == 0) return new TExpr.Const(0, a.type());
        if (a instanceof TExpr.Const x) return new TExpr.Const(x.value() * f, a.type());
        return TExpr.binary(TExpr.BinOp.MUL, a, new TExpr.Const(f, a.type()));
    }

    static TExpr div(TExpr a, long k) {
        if (k == 1) return a;
        if (a instanceof TExpr.Const x) return new TExpr.Const((long) x.value() / k, a.type());
        return TExpr.binary(TExpr.BinOp.DIV, a, new TExpr.Const(k, a.type()));
    }

    static TExpr rem(TExpr a, long k) {
        if (k == 1) return new TExpr.Const(0, a.type());
        if (a instanceof TExpr.Const x) return new TExpr.Const((long) x.value() % k, a.type());
        return TExpr.binary(TExpr.BinOp.REM, a, new TExpr.Const(k, a.type()));
    }

    static TExpr and(TExpr a, TExpr b) {
        if (a == null) return b;
        if (b == null) return a;
        return TExpr.binary(TExpr.BinOp.AND, a, b);
    }

    static TExpr lt(TExpr a, TExpr b) { return TExpr.binary(TExpr.BinOp.LT, a, b); }
}
