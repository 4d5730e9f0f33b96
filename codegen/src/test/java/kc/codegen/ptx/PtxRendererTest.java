package kc.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.ir.tile.BufferParam;
import kc.ir.tile.BufferParam.Access;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LocalArray;
import kc.ir.tile.ScalarType;
import kc.ir.tile.SharedArray;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.UnOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;

/** Hand-built kernels covering every statement, expression, operator and type, all through ptxas for sm_90 and sm_80. */
class PtxRendererTest {
    private static final ScalarType[] ALL = ScalarType.values();
    private static final ScalarType[] FLOATS = {ScalarType.F32, ScalarType.F64, ScalarType.F16, ScalarType.BF16};
    private static final ScalarType[] INTS = {ScalarType.I32, ScalarType.I64, ScalarType.U32};

    private static String in(ScalarType t) { return "in_" + t.name().toLowerCase(); }
    private static String out(ScalarType t) { return "out_" + t.name().toLowerCase(); }

    /** An input and an output buffer of every type. */
    private static List<BufferParam> buffers() {
        List<BufferParam> ps = new ArrayList<>();
        for (ScalarType t : ALL) {
            ps.add(new BufferParam(in(t), t, 4096, Access.READ));
            ps.add(new BufferParam(out(t), t, 1 << 20, Access.WRITE));
        }
        ps.add(new BufferParam("rw", ScalarType.F32, 4096, Access.READ_WRITE));
        return ps;
    }

    private static int counter;

    private static Var v(String name, TType t) { return new Var(name + "_" + (++counter), t); }

    /** tid = blockIdx.x * blockDim + threadIdx.x */
    private static TExpr tid() {
        return TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, new TExpr.Special(TExpr.Reg.BLOCK_X), TExpr.i32(128)),
                new TExpr.Special(TExpr.Reg.THREAD_X));
    }

    private static Kernel kernel(String name, List<TStmt> body) {
        return new Kernel(name, buffers(), List.of(new SharedArray("tile", ScalarType.F32, 256), new SharedArray("flags", ScalarType.BOOL, 64)),
                Launch.linear(8, 128), body);
    }

    /** Loads x (a value of type t) at the thread's index and returns the Let. */
    private static Var loadInput(List<TStmt> body, Var tid, ScalarType t) {
        Var x = v("x", TType.of(t));
        TExpr idx = TExpr.binary(BinOp.REM, TExpr.ref(tid), TExpr.i32(4096));
        body.add(new TStmt.Let(x, new TExpr.Load(in(t), Space.GLOBAL, idx, null, 0, TType.of(t))));
        return x;
    }

    private static TStmt storeAt(Var tid, int slot, TExpr value) {
        TExpr idx = TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, TExpr.ref(tid), TExpr.i32(64)), TExpr.i32(slot));
        return new TStmt.Store(out(value.type().elem()), Space.GLOBAL, idx, value, null);
    }

    private static Var tidLet(List<TStmt> body) {
        Var tid = v("tid", TType.I32);
        body.add(new TStmt.Let(tid, tid()));
        return tid;
    }

    private static String assemble(List<Kernel> kernels) {
        Toolchain.require(PtxasCheck.available(), "ptxas is not installed: PTX not assembled");
        String last = null;
        for (PtxTarget target : PtxTarget.values()) {
            String ptx = new PtxRenderer().render(kernels, target);
            PtxasCheck.Result r = PtxasCheck.run(ptx, target.arch);
            assertTrue(r.ok(), () -> "ptxas -arch=" + target.arch + " rejected:\n" + r.error() + "\n" + numbered(ptx, r.error()));
            for (Kernel k : kernels) assertTrue(r.registers().getOrDefault(k.name(), 0) > 0, "registers of " + k.name() + " reported");
            last = ptx;
        }
        if (System.getenv("KC_DUMP_PTX") != null) {
            try { java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("KC_DUMP_PTX"), kernels.get(0).name() + ".ptx"), last); }
            catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
        }
        return last;
    }

    /** The PTX lines ptxas complains about, with a little context. */
    private static String numbered(String ptx, String errors) {
        String[] lines = ptx.split("\n");
        StringBuilder sb = new StringBuilder();
        var m = java.util.regex.Pattern.compile("line (\\d+)").matcher(errors);
        int shown = 0;
        while (m.find() && shown++ < 10) {
            int n = Integer.parseInt(m.group(1));
            for (int i = Math.max(1, n - 2); i <= Math.min(lines.length, n); i++) sb.append(i).append(": ").append(lines[i - 1]).append('\n');
        }
        return sb.toString();
    }

    @Test void unaryOperatorsOnEveryType() {
        List<Kernel> kernels = new ArrayList<>();
        for (ScalarType t : ALL) {
            List<TStmt> body = new ArrayList<>();
            Var tid = tidLet(body);
            Var x = loadInput(body, tid, t);
            int slot = 0;
            for (UnOp op : UnOp.values()) {
                boolean ok = switch (op) {
                    case NOT -> !t.isFloat();
                    case NEG, ABS, SIGN -> true;
                    case ROUND_TF32, ROUND_TF32_FINITE -> t == ScalarType.F32;
                    default -> t.isFloat();
                };
                if (ok) body.add(storeAt(tid, slot++, TExpr.unary(op, TExpr.ref(x))));
            }
            kernels.add(kernel("unary_" + t.name().toLowerCase(), body));
        }
        assemble(kernels);
    }

    @Test void binaryOperatorsOnEveryType() {
        List<Kernel> kernels = new ArrayList<>();
        for (ScalarType t : ALL) {
            List<TStmt> body = new ArrayList<>();
            Var tid = tidLet(body);
            Var x = loadInput(body, tid, t);
            Var y = v("y", TType.of(t));
            body.add(new TStmt.Let(y, new TExpr.Load(in(t), Space.GLOBAL, TExpr.i32(7), null, 0, TType.of(t))));
            int slot = 0;
            for (BinOp op : BinOp.values()) {
                boolean ok = switch (op) {
                    case EQ, NE, LT, LE, GT, GE -> true;
                    case SHL, SHR -> t.isInt();
                    case AND, OR, XOR -> !t.isFloat();
                    case POW, ATAN2 -> t.isFloat();
                    case PACK_BF16X2 -> false; // f32 pairs to a u32 operand: the bf16 tile tests assemble it
                    default -> t != ScalarType.BOOL;
                };
                if (ok) body.add(storeAt(tid, slot++, TExpr.binary(op, TExpr.ref(x), TExpr.ref(y))));
            }
            kernels.add(kernel("binary_" + t.name().toLowerCase(), body));
        }
        assemble(kernels);
    }

    @Test void castsBetweenEveryPairOfTypes() {
        List<TStmt> body = new ArrayList<>();
        Var tid = tidLet(body);
        int slot = 0;
        for (ScalarType from : ALL) {
            Var x = loadInput(body, tid, from);
            for (ScalarType to : ALL) if (from != to) body.add(storeAt(tid, slot++ % 64, new TExpr.Cast(TExpr.ref(x), TType.of(to))));
        }
        assemble(List.of(kernel("casts", body)));
    }

    @Test void vectorMaskedSharedAndWideIndexedMemory() {
        List<TStmt> body = new ArrayList<>();
        Var tid = tidLet(body);
        TExpr inRange = TExpr.binary(BinOp.LT, TExpr.ref(tid), TExpr.i32(1000));
        for (ScalarType t : ALL) {
            for (int lanes : new int[] {1, 2, 4}) {
                TType vt = new TType(t, lanes);
                TExpr idx = TExpr.binary(BinOp.MUL, TExpr.ref(tid), TExpr.i32(4));
                Var x = v("vx", vt);
                body.add(new TStmt.Let(x, new TExpr.Load(in(t), Space.GLOBAL, idx, inRange, 1.5, vt)));
                body.add(new TStmt.Store(out(t), Space.GLOBAL, idx, TExpr.ref(x), inRange));
                Var lane = v("lane", TType.of(t));
                body.add(new TStmt.Let(lane, new TExpr.Lane(TExpr.ref(x), lanes - 1, TType.of(t))));
                // the lanes reversed, stored as one vector
                List<TExpr> reversed = new ArrayList<>();
                for (int q = lanes - 1; q >= 0; q--) reversed.add(new TExpr.Lane(TExpr.ref(x), q, TType.of(t)));
                body.add(new TStmt.Store(out(t), Space.GLOBAL, idx, TExpr.pack(reversed), null));
                TExpr wide = new TExpr.Cast(TExpr.ref(tid), TType.I64);
                body.add(new TStmt.Store(out(t), Space.GLOBAL, TExpr.binary(BinOp.ADD, wide, new TExpr.Const(3_000_000_000L, TType.I64)), TExpr.ref(lane), null));
            }
        }
        // shared memory: a store, a barrier, a masked and an unmasked load, a constant-indexed access, bool flags
        TExpr t0 = new TExpr.Special(TExpr.Reg.THREAD_X);
        body.add(new TStmt.Store("tile", Space.SHARED, t0, new TExpr.Load("rw", Space.GLOBAL, TExpr.ref(tid), null, 0, TType.F32), null));
        body.add(new TStmt.Store("flags", Space.SHARED, TExpr.binary(BinOp.REM, t0, TExpr.i32(64)), inRange, null));
        body.add(new TStmt.Barrier());
        TExpr other = TExpr.binary(BinOp.XOR, t0, TExpr.i32(1));
        Var s = v("s", TType.F32);
        body.add(new TStmt.Let(s, TExpr.binary(BinOp.ADD,
                new TExpr.Load("tile", Space.SHARED, other, inRange, -1, TType.F32),
                new TExpr.Load("tile", Space.SHARED, TExpr.i32(5), null, 0, TType.F32))));
        body.add(new TStmt.Let(v("vec", new TType(ScalarType.F32, 4)), new TExpr.Load("tile", Space.SHARED, new TExpr.Const(8, TType.I64), null, 0, new TType(ScalarType.F32, 4))));
        Var flag = v("flag", TType.BOOL);
        body.add(new TStmt.Let(flag, new TExpr.Load("flags", Space.SHARED, TExpr.i32(3), null, 0, TType.BOOL)));
        body.add(new TStmt.Store("rw", Space.GLOBAL, TExpr.ref(tid), TExpr.select(TExpr.ref(flag), TExpr.ref(s), TExpr.f32(0)), TExpr.ref(flag)));
        String ptx = assemble(List.of(kernel("memory", body)));
        assertTrue(ptx.contains("ld.global.nc.v4.f32"), "vector loads of read-only buffers use the non-coherent path");
        assertTrue(ptx.contains("ld.global.f32"), "a read-write buffer is loaded coherently");
        assertTrue(ptx.matches("(?s).*@%p\\d+ ld\\.global\\.nc\\.v2\\.f64.*"), "masked loads are predicated");
        assertTrue(ptx.matches("(?s).*@%p\\d+ st\\.global\\.v4\\.f32.*"), "masked stores are predicated");
        assertTrue(ptx.contains("bar.sync 0") && ptx.contains("ld.shared.f32") && ptx.contains("st.shared.u8"));
        assertTrue(ptx.contains("mul.wide.s32"), "32-bit indices widen to 64-bit addresses");
    }

    @Test void controlFlowLoopsAndLocalArrays() {
        List<TStmt> body = new ArrayList<>();
        Var tid = tidLet(body);
        Var acc = v("acc", TType.F32);
        body.add(new TStmt.Declare(acc, TExpr.f32(0)));
        // a runtime loop with an If/else inside
        Var k = v("k", TType.I32);
        Var x = v("x", TType.F32);
        body.add(new TStmt.For(k, TExpr.i32(0), TExpr.binary(BinOp.ADD, TExpr.ref(tid), TExpr.i32(3)), 2, List.of(
                new TStmt.Let(x, new TExpr.Load(in(ScalarType.F32), Space.GLOBAL, TExpr.ref(k), null, 0, TType.F32)),
                new TStmt.If(TExpr.binary(BinOp.GT, TExpr.ref(x), TExpr.f32(0)),
                        List.of(new TStmt.Assign(acc, TExpr.binary(BinOp.ADD, TExpr.ref(acc), TExpr.ref(x)))),
                        List.of(new TStmt.Comment("negative: subtract\nits square"),
                                new TStmt.Assign(acc, TExpr.binary(BinOp.SUB, TExpr.ref(acc), TExpr.binary(BinOp.MUL, TExpr.ref(x), TExpr.ref(x))))))), false));
        // an unrolled loop over a register array (constant indices after substitution: i*2+1)
        body.add(new TStmt.DeclareLocal(new LocalArray("regs", ScalarType.F32, 8)));
        Var i = v("i", TType.I32);
        Var j = v("j", TType.I32);
        body.add(new TStmt.For(i, TExpr.i32(0), TExpr.i32(4), 1, List.of(
                new TStmt.Let(j, TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, TExpr.ref(i), TExpr.i32(2)), TExpr.i32(1))),
                new TStmt.LocalStore("regs", TExpr.ref(j), TExpr.binary(BinOp.ADD, new TExpr.LocalLoad("regs", TExpr.ref(j), TType.F32), TExpr.ref(acc)))), true));
        // a local array indexed at run time lives in local memory
        body.add(new TStmt.DeclareLocal(new LocalArray("spill", ScalarType.I64, 16)));
        TExpr dyn = TExpr.binary(BinOp.REM, TExpr.ref(tid), TExpr.i32(16));
        body.add(new TStmt.LocalStore("spill", dyn, new TExpr.Cast(TExpr.ref(tid), TType.I64)));
        body.add(new TStmt.If(TExpr.binary(BinOp.EQ, new TExpr.LocalLoad("spill", TExpr.i32(2), TType.I64), new TExpr.Const(2, TType.I64)),
                List.of(storeAt(tid, 0, new TExpr.LocalLoad("regs", TExpr.i32(3), TType.F32))), List.of()));
        // selects of every kind, specials, a vector constant and lanes
        TExpr cond = TExpr.binary(BinOp.LT, new TExpr.Special(TExpr.Reg.THREAD_Y), new TExpr.Special(TExpr.Reg.LANE));
        body.add(storeAt(tid, 1, TExpr.select(cond, TExpr.ref(acc), TExpr.f32(2))));
        body.add(storeAt(tid, 2, TExpr.select(cond, TExpr.binary(BinOp.GT, TExpr.ref(acc), TExpr.f32(1)), new TExpr.Const(1, TType.BOOL))));
        TExpr sum = TExpr.binary(BinOp.ADD, new TExpr.Special(TExpr.Reg.THREAD_Z), TExpr.binary(BinOp.ADD,
                new TExpr.Special(TExpr.Reg.BLOCK_Y), new TExpr.Special(TExpr.Reg.BLOCK_Z)));
        body.add(storeAt(tid, 3, sum));
        TType f4 = new TType(ScalarType.F32, 4);
        Var vec = v("vec", f4);
        body.add(new TStmt.Let(vec, TExpr.select(cond, new TExpr.Const(1, f4), TExpr.binary(BinOp.MUL, new TExpr.Const(2, f4), new TExpr.Const(3, f4)))));
        body.add(storeAt(tid, 4, new TExpr.Lane(TExpr.ref(vec), 2, TType.F32)));
        String ptx = assemble(List.of(kernel("control", body)));
        assertTrue(ptx.contains(".local .align 16 .b8 lmem_spill[128]"), "run-time indexed arrays are in local memory");
        assertFalse(ptx.contains("lmem_regs"), "constant-indexed arrays are registers");
        // the runtime loop's exit test and back edge, the If/else's two, the other If's one, local zeroing's one;
        // the unrolled loop has none
        assertEquals(6, ptx.split("bra ", -1).length - 1, "branches");
    }

    @Test void warpShufflesReductionsAndMma() {
        List<TStmt> body = new ArrayList<>();
        Var tid = tidLet(body);
        int slot = 0;
        for (ScalarType t : new ScalarType[] {ScalarType.F32, ScalarType.F64, ScalarType.I32, ScalarType.I64, ScalarType.U32}) {
            Var x = loadInput(body, tid, t);
            for (TExpr.ShuffleKind kind : TExpr.ShuffleKind.values())
                body.add(storeAt(tid, slot++, new TExpr.Shuffle(kind, TExpr.ref(x), kind == TExpr.ShuffleKind.IDX ? new TExpr.Special(TExpr.Reg.THREAD_Y) : TExpr.i32(4), TType.of(t))));
            for (TExpr.ReduceOp op : TExpr.ReduceOp.values())
                body.add(storeAt(tid, slot++, new TExpr.WarpReduce(op, TExpr.ref(x), TType.of(t))));
        }
        for (TStmt.MmaShape shape : TStmt.MmaShape.values()) {
            boolean tf32 = shape == TStmt.MmaShape.M16N8K8_TF32;
            ScalarType in = tf32 ? ScalarType.F32 : ScalarType.U32;
            List<TExpr> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
            for (int i = 0; i < shape.aRegs; i++) a.add(new TExpr.Load(in(in), Space.GLOBAL, TExpr.binary(BinOp.ADD, new TExpr.Special(TExpr.Reg.LANE), TExpr.i32(32 * i)), null, 0, TType.of(in)));
            for (int i = 0; i < shape.bRegs; i++) b.add(new TExpr.Load(in(in), Space.GLOBAL, TExpr.binary(BinOp.ADD, new TExpr.Special(TExpr.Reg.LANE), TExpr.i32(200 + 32 * i)), null, 0, TType.of(in)));
            List<Var> d = new ArrayList<>();
            for (int i = 0; i < shape.cRegs; i++) { c.add(TExpr.f32(i)); d.add(v("d", TType.F32)); }
            body.add(new TStmt.Mma(shape, d, a, b, c));
            for (int i = 0; i < shape.cRegs; i++) body.add(storeAt(tid, 40 + i, TExpr.ref(d.get(i))));
        }
        String ptx = assemble(List.of(kernel("warp", body)));
        assertTrue(ptx.contains("shfl.sync.bfly.b32") && ptx.contains("shfl.sync.down.b32") && ptx.contains("shfl.sync.idx.b32"));
        assertTrue(ptx.contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32") && ptx.contains("cvt.rna.tf32.f32"));
        assertTrue(ptx.contains("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"));
    }

    @Test void accumulatingMmaIntoDeclaredFragments() {
        List<TStmt> body = new ArrayList<>();
        Var tid = tidLet(body);
        List<Var> d = new ArrayList<>();
        for (int i = 0; i < 4; i++) { Var acc = v("acc", TType.F32); d.add(acc); body.add(new TStmt.Declare(acc, TExpr.f32(0))); }
        Var k = v("k", TType.I32);
        List<TExpr> a = new ArrayList<>(), b = new ArrayList<>();
        for (int i = 0; i < 4; i++) a.add(new TExpr.Load(in(ScalarType.F32), Space.GLOBAL, TExpr.binary(BinOp.ADD, TExpr.ref(k), TExpr.i32(i)), null, 0, TType.F32));
        for (int i = 0; i < 2; i++) b.add(new TExpr.Load(in(ScalarType.F32), Space.GLOBAL, TExpr.binary(BinOp.ADD, TExpr.ref(k), TExpr.i32(8 + i)), null, 0, TType.F32));
        body.add(new TStmt.For(k, TExpr.i32(0), TExpr.i32(64), 8, List.of(
                new TStmt.Mma(TStmt.MmaShape.M16N8K8_TF32, d, a, b, d.stream().map(TExpr::ref).toList())), false));
        for (int i = 0; i < 4; i++) body.add(storeAt(tid, i, TExpr.ref(d.get(i))));
        assemble(List.of(kernel("mma_loop", body)));
    }

    @Test void moduleHeaderAndEntries() {
        List<TStmt> body = new ArrayList<>();
        body.add(new TStmt.Store(out(ScalarType.F32), Space.GLOBAL, tid(), TExpr.f32(1), null));
        Kernel k = new Kernel("fill", List.of(new BufferParam(out(ScalarType.F32), ScalarType.F32, 1024, Access.WRITE)), List.of(), Launch.linear(8, 128), body);
        String ptx = new PtxRenderer().render(List.of(k), PtxTarget.SM_80);
        assertTrue(ptx.contains(".version 8.5\n.target sm_80\n.address_size 64\n"));
        assertTrue(ptx.contains(".visible .entry fill(\n\t.param .u64 param_out_f32\n)"));
        assertTrue(ptx.contains(".maxntid 128, 1, 1"));
        assertTrue(ptx.contains("cvta.to.global.u64"));
        if (Toolchain.present(PtxasCheck.available(), "ptxas is not installed: the module header is not assembled")) {
            PtxasCheck.Result r = PtxasCheck.run(ptx, "sm_80");
            assertTrue(r.ok(), r.error());
            assertTrue(r.registers().get("fill") > 0);
            PtxasCheck.Result bad = PtxasCheck.run(ptx.replace("st.global.f32", "st.global.f99"), "sm_80");
            assertFalse(bad.ok());
            assertTrue(bad.error().contains("error"), bad.error());
        }
    }

    @Test void parsesPtxasVerboseOutput() {
        String text = """
                ptxas info    : 0 bytes gmem
                ptxas info    : Compiling entry function 'a' for 'sm_90'
                ptxas info    : Function properties for a
                    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
                ptxas info    : Used 16 registers, used 1 barriers, 1280 bytes smem
                ptxas info    : Compiling entry function 'b' for 'sm_90'
                ptxas info    : Used 40 registers, 368 bytes cmem[0]
                """;
        PtxasCheck.Result r = PtxasCheck.parse(text);
        assertEquals(16, r.registers().get("a"));
        assertEquals(1280L, r.sharedBytes().get("a"));
        assertEquals(40, r.registers().get("b"));
        assertEquals(0L, r.sharedBytes().get("b"));
    }
}
