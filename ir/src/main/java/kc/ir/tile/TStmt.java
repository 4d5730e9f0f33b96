package kc.ir.tile;

import java.util.List;

/** Statements of a kernel body, executed by every thread of every block (CUDA's SIMT model; Metal's the same). */
public sealed interface TStmt {

    /** Defines an immutable register value. */
    record Let(Var var, TExpr value) implements TStmt {}

    /** Declares a mutable register with its initial value (accumulators, loop-carried state). */
    record Declare(Var var, TExpr init) implements TStmt {}

    /** Assigns a declared mutable register. */
    record Assign(Var var, TExpr value) implements TStmt {}

    /** Declares a per-thread array, zero-initialised. */
    record DeclareLocal(LocalArray array) implements TStmt {}

    record LocalStore(String array, TExpr index, TExpr value) implements TStmt {}

    /**
     * Writes {@code value} (a scalar, or a vector to consecutive elements) at element {@code index}. With a mask, a
     * thread whose mask is false performs no access.
     */
    record Store(String buffer, Space space, TExpr index, TExpr value, TExpr mask) implements TStmt {}

    /**
     * {@code for (index = start; index < end; index += step)} with i32 bounds. {@code unroll} asks the renderer to
     * unroll fully (bounds must then be constants); PTX's renderer does it by substitution.
     */
    record For(Var index, TExpr start, TExpr end, int step, List<TStmt> body, boolean unroll) implements TStmt {
        public For { body = List.copyOf(body); }
    }

    record If(TExpr cond, List<TStmt> then, List<TStmt> otherwise) implements TStmt {
        public If { then = List.copyOf(then); otherwise = List.copyOf(otherwise); }
    }

    /** Block-wide barrier with shared-memory visibility (__syncthreads, threadgroup_barrier(mem_threadgroup)). */
    record Barrier() implements TStmt {}

    /**
     * One warp-wide matrix-unit multiply-accumulate d = a * b + c on register fragments whose layout across the 32
     * lanes is fixed by {@code shape} (PTX's mma.sync fragment layouts). All lanes execute it together.
     */
    record Mma(MmaShape shape, List<Var> d, List<TExpr> a, List<TExpr> b, List<TExpr> c) implements TStmt {
        public Mma { d = List.copyOf(d); a = List.copyOf(a); b = List.copyOf(b); c = List.copyOf(c); }
    }

    /**
     * Copies element {@code from} of global buffer {@code buffer} into element {@code to} of shared array
     * {@code array} without passing through registers (cp.async), so that a thread can have many copies in flight
     * while it computes. The copy is complete, for this thread, once an {@link AsyncWait} covers its group; other
     * threads see it after a {@link Barrier} that follows that wait. Where {@code valid} (bool, or null for always)
     * is false the element is set to 0 and nothing is read.
     */
    record CopyAsync(String array, TExpr to, String buffer, TExpr from, TExpr valid) implements TStmt {}

    /** Closes this thread's group of the {@link CopyAsync}s issued since its last commit (cp.async.commit_group). */
    record AsyncCommit() implements TStmt {}

    /** Waits until at most {@code pending} of this thread's committed groups are still in flight (cp.async.wait_group). */
    record AsyncWait(int pending) implements TStmt {}

    /** Text for humans reading the generated code. */
    record Comment(String text) implements TStmt {}

    /** The matrix-unit instructions kc knows: fragment counts per lane for a, b and c/d. */
    enum MmaShape {
        /** m16n8k8, tf32 inputs (held in f32 registers, rounded to tf32), f32 accumulate: a 4, b 2, c/d 4. */
        M16N8K8_TF32(4, 2, 4),
        /** m16n8k16, f16 inputs (two per 32-bit register: 4 + 2 packed registers), f32 accumulate. */
        M16N8K16_F16(4, 2, 4),
        /** m16n8k16, bf16 inputs packed like F16, f32 accumulate. */
        M16N8K16_BF16(4, 2, 4);

        public final int aRegs, bRegs, cRegs;

        MmaShape(int a, int b, int c) { aRegs = a; bRegs = b; cRegs = c; }
    }
}
