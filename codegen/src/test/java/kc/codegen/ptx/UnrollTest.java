package kc.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import org.junit.jupiter.api.Test;

import kc.ir.tile.ScalarType;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

class UnrollTest {
    private static final Var I = new Var("i", TType.I32), J = new Var("j", TType.I32), X = new Var("x", TType.F32);

    @Test void substitutesIndicesAndFoldsThroughLets() {
        TStmt loop = new TStmt.For(I, TExpr.i32(0), TExpr.i32(4), 1, List.of(
                new TStmt.Let(J, TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, TExpr.ref(I), TExpr.i32(2)), TExpr.i32(1))),
                new TStmt.LocalStore("acc", TExpr.ref(J), TExpr.ref(X))), true);
        List<TStmt> out = Unroll.expand(List.of(loop));
        assertEquals(8, out.size());
        for (int k = 0; k < 4; k++) {
            TStmt.LocalStore st = assertInstanceOf(TStmt.LocalStore.class, out.get(2 * k + 1));
            assertEquals(new TExpr.Const(2 * k + 1, TType.I32), st.index());
        }
    }

    @Test void runtimeLoopsStayLoopsAndHugeUnrollsAreCapped() {
        Var k = new Var("k", TType.I32);
        TStmt inner = new TStmt.For(J, TExpr.i32(0), TExpr.i32(100), 1, List.of(new TStmt.LocalStore("acc", TExpr.ref(J), TExpr.ref(X))), true);
        TStmt outer = new TStmt.For(I, TExpr.i32(0), TExpr.i32(100), 1, List.of(inner), true);
        List<TStmt> out = Unroll.expand(List.of(outer, new TStmt.For(k, TExpr.i32(0), TExpr.ref(J), 1, List.of(), false)));
        TStmt.For kept = assertInstanceOf(TStmt.For.class, out.get(0));
        assertEquals(100, kept.body().size(), "the inner loop unrolls inside the kept outer loop");
        assertInstanceOf(TStmt.For.class, out.get(1));
    }

    @Test void foldsWithCIntegerSemantics() {
        Unroll u = new Unroll();
        assertEquals(new TExpr.Const(-3, TType.I32), u.fold(TExpr.binary(BinOp.DIV, TExpr.i32(-7), TExpr.i32(2))));
        assertEquals(new TExpr.Const(-1, TType.I32), u.fold(TExpr.binary(BinOp.REM, TExpr.i32(-7), TExpr.i32(2))));
        assertEquals(new TExpr.Const(Integer.MIN_VALUE, TType.I32), u.fold(TExpr.binary(BinOp.ADD, TExpr.i32(Integer.MAX_VALUE), TExpr.i32(1))));
        assertEquals(new TExpr.Const(1, TType.BOOL), u.fold(TExpr.binary(BinOp.LT, TExpr.i32(1), TExpr.i32(2))));
        TExpr u32 = new TExpr.Cast(TExpr.i32(-1), TType.of(ScalarType.U32));
        assertEquals(new TExpr.Const(4294967295.0, TType.of(ScalarType.U32)), u.fold(u32));
        TExpr byZero = TExpr.binary(BinOp.DIV, TExpr.i32(1), TExpr.i32(0));
        assertEquals(byZero, u.fold(byZero), "division by zero is left to run time");
    }
}
