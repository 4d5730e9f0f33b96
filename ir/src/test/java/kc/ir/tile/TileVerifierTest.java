package kc.ir.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class TileVerifierTest {
    private static final BufferParam X = new BufferParam("x", ScalarType.F32, 64, BufferParam.Access.READ);
    private static final BufferParam Y = new BufferParam("y", ScalarType.F32, 64, BufferParam.Access.WRITE);

    private static Kernel kernel(List<TStmt> body) {
        return new Kernel("k0", List.of(X, Y), List.of(new SharedArray("s", ScalarType.F32, 32)), Launch.linear(2, 32), body);
    }

    private static Kernel good() {
        Var i = new Var("i", TType.I32);
        Var v = new Var("v", TType.F32);
        TExpr idx = TExpr.binary(TExpr.BinOp.ADD, TExpr.binary(TExpr.BinOp.MUL, new TExpr.Special(TExpr.Reg.BLOCK_X), TExpr.i32(32)),
                new TExpr.Special(TExpr.Reg.THREAD_X));
        return kernel(List.of(
                new TStmt.Let(i, idx),
                new TStmt.Let(v, new TExpr.Load("x", Space.GLOBAL, TExpr.ref(i), TExpr.binary(TExpr.BinOp.LT, TExpr.ref(i), TExpr.i32(64)), 0, TType.F32)),
                new TStmt.Store("s", Space.SHARED, new TExpr.Special(TExpr.Reg.THREAD_X), new TExpr.WarpReduce(TExpr.ReduceOp.SUM, TExpr.ref(v), TType.F32), null),
                new TStmt.Barrier(),
                new TStmt.Store("y", Space.GLOBAL, TExpr.ref(i), new TExpr.Load("s", Space.SHARED, TExpr.i32(0), null, 0, TType.F32), null)));
    }

    @Test
    void acceptsAWellFormedKernelAndPrintsIt() {
        Kernel k = good();
        assertEquals(List.of(), TileVerifier.check(k));
        String text = TilePrinter.print(k);
        assertTrue(text.contains("kernel k0 grid(2, 1, 1) block(32, 1, 1)"), text);
        assertTrue(text.contains("warp_sum(v)"), text);
        assertTrue(text.contains("barrier"), text);
        assertEquals("f32x2(v, 1:f32)", TilePrinter.expr(TExpr.pack(List.of(TExpr.ref(new Var("v", TType.F32)), TExpr.f32(1)))));
    }

    @Test
    void reportsUseBeforeDefinitionAndDuplicates() {
        Var a = new Var("a", TType.I32);
        List<String> errs = TileVerifier.check(kernel(List.of(
                new TStmt.Let(new Var("b", TType.I32), TExpr.ref(a)),
                new TStmt.Let(a, TExpr.i32(1)),
                new TStmt.Let(a, TExpr.i32(2)))));
        assertTrue(errs.stream().anyMatch(e -> e.startsWith("kernel k0: use of a")), errs.toString());
        assertTrue(errs.stream().anyMatch(e -> e.contains("a defined more than once")), errs.toString());
    }

    @Test
    void reportsTypeErrors() {
        Var f = new Var("f", TType.F32);
        List<String> errs = TileVerifier.check(kernel(List.of(
                new TStmt.Let(f, new TExpr.Binary(TExpr.BinOp.ADD, TExpr.f32(1), TExpr.i32(1), TType.F32)),
                new TStmt.Store("y", Space.GLOBAL, TExpr.f32(0), TExpr.ref(f), TExpr.i32(1)),
                new TStmt.Store("x", Space.GLOBAL, TExpr.i32(0), TExpr.ref(f), null),
                new TStmt.Store("nope", Space.GLOBAL, TExpr.i32(0), TExpr.ref(f), null),
                new TStmt.Let(new Var("l", TType.F32), new TExpr.Lane(TExpr.ref(f), 1, TType.F32)),
                new TStmt.Let(new Var("p3", new TType(ScalarType.F32, 4)), new TExpr.Pack(List.of(TExpr.ref(f), TExpr.ref(f), TExpr.ref(f)), new TType(ScalarType.F32, 4))),
                new TStmt.Let(new Var("pi", new TType(ScalarType.F32, 2)), new TExpr.Pack(List.of(TExpr.ref(f), TExpr.i32(1)), new TType(ScalarType.F32, 2))),
                new TStmt.Let(new Var("w", TType.of(ScalarType.F16)), new TExpr.WarpReduce(TExpr.ReduceOp.SUM, new TExpr.Const(0, TType.of(ScalarType.F16)), TType.of(ScalarType.F16))),
                new TStmt.For(new Var("j", TType.I64), new TExpr.Const(0, TType.I64), new TExpr.Const(4, TType.I64), 1, List.of(), false),
                new TStmt.Mma(TStmt.MmaShape.M16N8K8_TF32, List.of(new Var("d0", TType.F32)), List.of(), List.of(), List.of()))));
        String all = String.join("\n", errs);
        assertTrue(all.contains("add of different types f32 and i32"), all);
        assertTrue(all.contains("index must be i32 or i64, is f32"), all);
        assertTrue(all.contains("store mask of y must be bool"), all);
        assertTrue(all.contains("store to read-only buffer x"), all);
        assertTrue(all.contains("unknown global buffer nope"), all);
        assertTrue(all.contains("lane 1 of a f32 value"), all);
        assertTrue(all.contains("pack of 3 lanes typed f32x4"), all);
        assertTrue(all.contains("pack of a i32 lane into f32x2"), all);
        assertTrue(all.contains("warp reduce needs a 32-bit or 64-bit scalar"), all);
        assertTrue(all.contains("for index j must be i32"), all);
        assertTrue(all.contains("a has 0 fragments, needs 4"), all);
        assertTrue(all.contains("d has 1 fragments, needs 4"), all);
    }

    @Test
    void reportsBadLaunchAndUndeclaredLocals() {
        Kernel k = new Kernel("k1", List.of(Y), List.of(), new Launch(0, 1, 1, 32, 1, 1),
                List.of(new TStmt.LocalStore("acc", TExpr.i32(0), TExpr.f32(1))));
        String all = String.join("\n", TileVerifier.check(k));
        assertTrue(all.contains("kernel k1: launch dimensions must be positive"), all);
        assertTrue(all.contains("undeclared local array acc"), all);
    }
}
