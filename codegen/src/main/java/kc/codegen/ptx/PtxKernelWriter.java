package kc.codegen.ptx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

import kc.ir.tile.BufferParam;
import kc.ir.tile.Kernel;
import kc.ir.tile.LocalArray;
import kc.ir.tile.ScalarType;
import kc.ir.tile.SharedArray;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TExpr.UnOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;

/**
 * Prints one kernel as a PTX .entry: every expression evaluated into fresh virtual registers (a value is the list
 * of its lanes' registers), statements as straight-line code, labels and predicated branches. It knows instructions,
 * not operators: the Tile IR says what to compute.
 */
final class PtxKernelWriter {
    /** Arrays longer than this stay in local memory even with constant indices (register pressure). */
    private static final int MAX_REGISTER_ARRAY = 256;

    private final Kernel kernel;
    private final PtxCode code = new PtxCode();
    private final PtxMath<String, String, String> math32;
    private final PtxMath<String, String, String> math64;
    private final Map<String, List<String>> vars = new HashMap<>();
    private final Map<String, BufferParam> params = new HashMap<>();
    private final Map<String, String> paramBase = new HashMap<>();
    private final Map<String, SharedArray> shared = new HashMap<>();
    /** Each shared array's address: its symbol, or a register holding its place in the dynamic allocation. */
    private final Map<String, String> sharedBase = new HashMap<>();
    private final Map<String, LocalArray> locals = new HashMap<>();
    /** Local arrays held in registers: name -> one register per element. */
    private final Map<String, List<String>> localRegs = new HashMap<>();
    /** Local arrays whose indices are not all constant, hence in .local memory. */
    private final Set<String> inMemory = new HashSet<>();
    private final StringBuilder localDecls = new StringBuilder();

    PtxKernelWriter(Kernel kernel) {
        this.kernel = kernel;
        this.math32 = new PtxMath<>(new PtxOps(code, false));
        this.math64 = new PtxMath<>(new PtxOps(code, true));
    }

    static String symbol(String prefix, String name) { return prefix + identifier(name); }

    /** name with every character but ASCII letters, digits and _ replaced by _ (a loop: a regex per access was slow). */
    private static String identifier(String name) {
        char[] c = name.toCharArray();
        for (int i = 0; i < c.length; i++)
            if (!(c[i] >= 'A' && c[i] <= 'Z' || c[i] >= 'a' && c[i] <= 'z' || c[i] >= '0' && c[i] <= '9' || c[i] == '_')) c[i] = '_';
        return new String(c);
    }

    String entryName() {
        String n = identifier(kernel.name());
        return Character.isLetter(n.charAt(0)) || n.charAt(0) == '_' ? n : "k_" + n;
    }

    String render() {
        List<TStmt> body = Unroll.expand(kernel.body());
        findArraysInMemory(body);
        for (BufferParam p : kernel.params()) {
            params.put(p.name(), p);
            String raw = code.reg(ScalarType.I64), global = code.reg(ScalarType.I64);
            code.emit("ld.param.u64 " + raw + ", [" + symbol("param_", p.name()) + "]");
            code.emit("cvta.to.global.u64 " + global + ", " + raw);
            paramBase.put(p.name(), global);
        }
        for (SharedArray s : kernel.shared()) shared.put(s.name(), s);
        if (kernel.dynamicShared()) { // the arrays at their offsets in the one dynamic allocation
            String base = code.reg(ScalarType.U32);
            code.emit("mov.u32 " + base + ", " + PtxRenderer.DYNAMIC_SHARED);
            for (SharedArray s : kernel.shared()) {
                String at = code.reg(ScalarType.U32);
                code.emit("add.u32 " + at + ", " + base + ", " + kernel.sharedOffset(s.name()));
                sharedBase.put(s.name(), at);
            }
        } else {
            for (SharedArray s : kernel.shared()) sharedBase.put(s.name(), symbol("smem_", s.name()));
        }
        block(body);
        code.emit("ret");

        StringBuilder sb = new StringBuilder();
        sb.append(".visible .entry ").append(entryName()).append("(");
        List<String> ps = new ArrayList<>();
        for (BufferParam p : kernel.params()) ps.add("\n\t.param .u64 " + symbol("param_", p.name()));
        sb.append(String.join(",", ps)).append(ps.isEmpty() ? ")\n" : "\n)\n");
        var l = kernel.launch();
        sb.append(".maxntid ").append(l.blockX()).append(", ").append(l.blockY()).append(", ").append(l.blockZ()).append("\n{\n");
        sb.append(code.declarations());
        if (!kernel.dynamicShared())
            for (SharedArray s : kernel.shared())
                sb.append("\t.shared .align 16 .b8 ").append(symbol("smem_", s.name())).append('[').append(Math.max(1, s.bytes())).append("];\n");
        sb.append(localDecls);
        sb.append(code.body());
        sb.append("}\n");
        return sb.toString();
    }

    // ---- local arrays: registers when every index folded to a constant ----

    private void findArraysInMemory(List<TStmt> body) {
        for (TStmt s : body) {
            switch (s) {
                case TStmt.DeclareLocal d -> { if (d.array().length() > MAX_REGISTER_ARRAY) inMemory.add(d.array().name()); }
                case TStmt.LocalStore ls -> { if (!(ls.index() instanceof TExpr.Const)) inMemory.add(ls.array()); }
                case TStmt.For f -> findArraysInMemory(f.body());
                case TStmt.If i -> { findArraysInMemory(i.then()); findArraysInMemory(i.otherwise()); }
                default -> { }
            }
            for (TExpr e : exprsOf(s)) scanLocalLoads(e);
        }
    }

    private void scanLocalLoads(TExpr e) {
        if (e instanceof TExpr.LocalLoad l && !(l.index() instanceof TExpr.Const)) inMemory.add(l.array());
        for (TExpr c : TExpr.children(e)) scanLocalLoads(c);
    }

    private static List<TExpr> exprsOf(TStmt s) {
        List<TExpr> out = new ArrayList<>();
        switch (s) {
            case TStmt.Let l -> out.add(l.value());
            case TStmt.Declare d -> out.add(d.init());
            case TStmt.Assign a -> out.add(a.value());
            case TStmt.LocalStore ls -> { out.add(ls.index()); out.add(ls.value()); }
            case TStmt.Store st -> { out.add(st.index()); out.add(st.value()); if (st.mask() != null) out.add(st.mask()); }
            case TStmt.For f -> { out.add(f.start()); out.add(f.end()); }
            case TStmt.If i -> out.add(i.cond());
            case TStmt.Mma m -> { out.addAll(m.a()); out.addAll(m.b()); out.addAll(m.c()); }
            case TStmt.CopyAsync c -> { out.add(c.to()); out.add(c.from()); if (c.valid() != null) out.add(c.valid()); }
            default -> { }
        }
        return out;
    }

    // ---- statements ----

    private void block(List<TStmt> stmts) { for (TStmt s : stmts) stmt(s); }

    private void stmt(TStmt s) {
        switch (s) {
            case TStmt.Let l -> {
                List<String> value = eval(l.value()), copied = copy(value, l.var().type().elem());
                // a let never changes, so its copy of a tf32-rounded value stays one (a declared variable may not)
                for (int i = 0; i < value.size(); i++) if (tf32Bits.containsKey(value.get(i))) tf32Bits.put(copied.get(i), tf32Bits.get(value.get(i)));
                vars.put(l.var().name(), copied);
            }
            case TStmt.Declare d -> vars.put(d.var().name(), copy(eval(d.init()), d.var().type().elem()));
            case TStmt.Assign a -> {
                List<String> dst = var(a.var().name());
                List<String> v = eval(a.value());
                for (int i = 0; i < dst.size(); i++) mov(dst.get(i), v.get(i), a.var().type().elem());
            }
            case TStmt.DeclareLocal d -> declareLocal(d.array());
            case TStmt.LocalStore ls -> localStore(ls);
            case TStmt.Store st -> store(st);
            case TStmt.For f -> loop(f);
            case TStmt.If i -> branch(i);
            case TStmt.Barrier b -> code.emit("bar.sync 0");
            case TStmt.Mma m -> mma(m);
            case TStmt.CopyAsync c -> copyAsync(c);
            case TStmt.AsyncCommit c -> code.emit("cp.async.commit_group");
            case TStmt.AsyncWait w -> code.emit("cp.async.wait_group " + w.pending());
            case TStmt.Comment c -> code.comment(c.text());
        }
    }

    private List<String> var(String name) {
        List<String> regs = vars.get(name);
        if (regs == null) throw new IllegalStateException("kernel " + kernel.name() + ": variable " + name + " used before its definition");
        return regs;
    }

    private List<String> copy(List<String> v, ScalarType t) {
        List<String> out = new ArrayList<>();
        for (String r : v) { String d = code.reg(t); mov(d, r, t); out.add(d); }
        return out;
    }

    private void mov(String dst, String src, ScalarType t) { code.emit(MOV[t.ordinal()], dst, src); }

    /** mov.b32 and the like by ScalarType ordinal: moves are a quarter of a kernel's lines. */
    private static final String[] MOV = new String[ScalarType.values().length];
    static { for (ScalarType t : ScalarType.values()) MOV[t.ordinal()] = "mov." + PtxTypes.bits(t); }

    private void loop(TStmt.For f) {
        String i = code.reg(ScalarType.I32);
        mov(i, eval(f.start()).get(0), ScalarType.I32);
        vars.put(f.index().name(), List.of(i));
        String head = code.label(), exit = code.label();
        code.place(head);
        String done = code.reg(ScalarType.BOOL);
        code.emit("setp.ge.s32 " + done + ", " + i + ", " + eval(f.end()).get(0));
        code.emit("@" + done + " bra " + exit);
        block(f.body());
        code.emit("add.s32 " + i + ", " + i + ", " + f.step());
        code.emit("bra " + head);
        code.place(exit);
    }

    private void branch(TStmt.If s) {
        String c = eval(s.cond()).get(0);
        String otherwise = code.label(), end = code.label();
        code.emit("@!" + c + " bra " + (s.otherwise().isEmpty() ? end : otherwise));
        block(s.then());
        if (!s.otherwise().isEmpty()) {
            code.emit("bra " + end);
            code.place(otherwise);
            block(s.otherwise());
        }
        code.place(end);
    }

    private void mma(TStmt.Mma m) {
        String kind = switch (m.shape()) {
            case M16N8K8_TF32 -> "m16n8k8.row.col.f32.tf32.tf32.f32";
            case M16N8K16_F16 -> "m16n8k16.row.col.f32.f16.f16.f32";
            case M16N8K16_BF16 -> "m16n8k16.row.col.f32.bf16.bf16.f32";
        };
        boolean tf32 = m.shape() == TStmt.MmaShape.M16N8K8_TF32;
        List<String> a = new ArrayList<>(), b = new ArrayList<>(), c = new ArrayList<>();
        for (TExpr e : m.a()) a.add(tf32 ? toTf32(eval(e).get(0)) : eval(e).get(0));
        for (TExpr e : m.b()) b.add(tf32 ? toTf32(eval(e).get(0)) : eval(e).get(0));
        for (TExpr e : m.c()) c.add(eval(e).get(0));
        List<String> d = new ArrayList<>();
        for (var v : m.d()) {
            List<String> regs = vars.get(v.name());
            if (regs == null) { regs = List.of(code.reg(ScalarType.F32)); vars.put(v.name(), regs); }
            d.add(regs.get(0));
        }
        code.emit("mma.sync.aligned." + kind + " {" + String.join(", ", d) + "}, {" + String.join(", ", a) + "}, {"
                + String.join(", ", b) + "}, {" + String.join(", ", c) + "}");
    }

    /**
     * The f32 registers that hold a value already rounded to tf32 (ROUND_TF32's result and lets of it), with the u32
     * register of its bits: a matrix-unit operand takes those rather than rounding it again.
     */
    private final Map<String, String> tf32Bits = new HashMap<>();

    /** Records that f32 register {@code f} holds the tf32 value whose bits are in {@code bits}. */
    void roundedToTf32(String f, String bits) { tf32Bits.put(f, bits); }

    private String toTf32(String f) {
        if (tf32Bits.containsKey(f)) return tf32Bits.get(f);
        String r = code.reg(ScalarType.U32);
        code.emit("cvt.rna.tf32.f32 " + r + ", " + f);
        return r;
    }

    // ---- memory ----

    private String stateSpace(String buffer, Space space, boolean load) {
        if (space == Space.SHARED) return "shared";
        BufferParam p = params.get(buffer);
        if (p == null) throw new IllegalStateException("kernel " + kernel.name() + ": unknown buffer " + buffer);
        return load && p.access() == BufferParam.Access.READ ? "global.nc" : "global";
    }

    /** The address operand of element {@code index} of a global buffer, a shared array or a local-memory array. */
    private String address(String base, boolean wide, TExpr index, int bytes) {
        if (index instanceof TExpr.Const c) {
            long off = (long) c.value() * bytes;
            if (off >= Integer.MIN_VALUE && off <= Integer.MAX_VALUE) return "[" + base + (off == 0 ? "" : (off > 0 ? "+" : "") + off) + "]";
        }
        String idx = eval(index).get(0);
        boolean idx64 = index.type().elem() == ScalarType.I64;
        if (wide) {
            if (!base.startsWith("%")) { String r = code.reg(ScalarType.I64); code.emit("mov.u64 " + r + ", " + base); base = r; }
            String off = code.reg(ScalarType.I64), addr = code.reg(ScalarType.I64);
            code.emit((idx64 ? "mul.lo.s64 " : "mul.wide.s32 ") + off + ", " + idx + ", " + bytes);
            code.emit("add.s64 " + addr + ", " + base + ", " + off);
            return "[" + addr + "]";
        }
        if (idx64) {
            String narrow = code.reg(ScalarType.U32);
            code.emit("cvt.u32.u64 " + narrow + ", " + idx);
            idx = narrow;
        }
        String b32 = code.reg(ScalarType.U32), addr = code.reg(ScalarType.U32);
        code.emit("mov.u32 " + b32 + ", " + base);
        code.emit("mad.lo.s32 " + addr + ", " + idx + ", " + bytes + ", " + b32);
        return "[" + addr + "]";
    }

    private String bufferAddress(String buffer, Space space, TExpr index, int bytes) {
        if (space == Space.SHARED) {
            if (!shared.containsKey(buffer)) throw new IllegalStateException("kernel " + kernel.name() + ": unknown shared array " + buffer);
            return address(sharedBase.get(buffer), false, index, bytes);
        }
        stateSpace(buffer, space, false);
        return address(paramBase.get(buffer), true, index, bytes);
    }

    /** ld of {@code lanes} consecutive elements; with a predicate, a thread whose predicate is false reads nothing and keeps {@code other}. */
    private List<String> memLoad(String space, String addr, ScalarType el, int lanes, String pred, double other) {
        boolean bool = el == ScalarType.BOOL;
        ScalarType regType = bool ? ScalarType.F16 : el; // bools travel through b16 registers
        List<String> dst = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            String d = code.reg(regType);
            if (pred != null) mov(d, bool ? (other != 0 ? "1" : "0") : PtxTypes.literal(other, el), regType);
            dst.add(d);
        }
        vectorAccess(addr, el, dst, (part, offset) -> code.emit((pred == null ? "" : "@" + pred + " ") + "ld." + space
                + vec(part.size()) + "." + PtxTypes.mem(el) + " " + regsOperand(part) + ", " + offset));
        if (!bool) return dst;
        List<String> out = new ArrayList<>();
        for (String h : dst) {
            String p = code.reg(ScalarType.BOOL);
            code.emit("setp.ne.u16 " + p + ", " + h + ", 0");
            out.add(p);
        }
        return out;
    }

    private void memStore(String space, String addr, ScalarType el, List<String> values, String pred) {
        List<String> src = values;
        if (el == ScalarType.BOOL) {
            src = new ArrayList<>();
            for (String p : values) {
                String h = code.reg(ScalarType.F16);
                code.emit("selp.u16 " + h + ", 1, 0, " + p);
                src.add(h);
            }
        }
        vectorAccess(addr, el, src, (part, offset) -> code.emit((pred == null ? "" : "@" + pred + " ") + "st." + space
                + vec(part.size()) + "." + PtxTypes.mem(el) + " " + offset + ", " + regsOperand(part)));
    }

    private interface Access { void emit(List<String> regs, String address); }

    /** Splits a vector access into pieces of at most 16 bytes (v4.f64 does not exist) at increasing offsets. */
    private void vectorAccess(String addr, ScalarType el, List<String> regs, Access access) {
        int perPiece = Math.max(1, Math.min(regs.size(), 16 / el.bytes));
        for (int i = 0; i < regs.size(); i += perPiece) {
            String offset = i == 0 ? addr : addr.substring(0, addr.length() - 1) + "+" + (i * el.bytes) + "]";
            access.emit(regs.subList(i, Math.min(regs.size(), i + perPiece)), offset.replace("+-", "-"));
        }
    }

    private static String vec(int n) { return n == 1 ? "" : ".v" + n; }

    private static String regsOperand(List<String> regs) { return regs.size() == 1 ? regs.get(0) : "{" + String.join(", ", regs) + "}"; }

    private List<String> load(TExpr.Load l) {
        ScalarType el = l.type().elem();
        String addr = bufferAddress(l.buffer(), l.space(), l.index(), el.bytes);
        String pred = l.mask() == null ? null : eval(l.mask()).get(0);
        return memLoad(stateSpace(l.buffer(), l.space(), true), addr, el, l.type().lanes(), pred, l.other());
    }

    /** cp.async of one 4-byte element; a false mask copies no bytes and zero-fills (src-size 0). */
    private void copyAsync(TStmt.CopyAsync c) {
        String to = bufferAddress(c.array(), Space.SHARED, c.to(), 4), from = bufferAddress(c.buffer(), Space.GLOBAL, c.from(), 4);
        String bytes = "";
        if (c.valid() != null) {
            String n = code.reg(ScalarType.U32);
            code.emit("selp.u32 " + n + ", 4, 0, " + eval(c.valid()).get(0));
            bytes = ", " + n;
        }
        code.emit("cp.async.ca.shared.global " + to + ", " + from + ", 4" + bytes);
    }

    private void store(TStmt.Store s) {
        ScalarType el = s.value().type().elem();
        String addr = bufferAddress(s.buffer(), s.space(), s.index(), el.bytes);
        List<String> v = eval(s.value());
        String pred = s.mask() == null ? null : eval(s.mask()).get(0);
        memStore(stateSpace(s.buffer(), s.space(), false), addr, el, v, pred);
    }

    private void declareLocal(LocalArray a) {
        locals.put(a.name(), a);
        ScalarType el = a.elem();
        if (!inMemory.contains(a.name())) {
            List<String> regs = new ArrayList<>();
            String zero = constant(0, el);
            for (int i = 0; i < a.length(); i++) { String r = code.reg(el); mov(r, zero, el); regs.add(r); }
            localRegs.put(a.name(), regs);
            return;
        }
        String sym = symbol("lmem_", a.name());
        localDecls.append("\t.local .align 16 .b8 ").append(sym).append('[').append((long) a.length() * el.bytes).append("];\n");
        String base = code.reg(ScalarType.I64);
        code.emit("mov.u64 " + base + ", " + sym);
        List<String> zero = List.of(constant(0, el));
        String i = code.reg(ScalarType.I32);
        code.emit("mov.u32 " + i + ", 0");
        String top = code.label();
        code.place(top);
        String off = code.reg(ScalarType.I64), addr = code.reg(ScalarType.I64), more = code.reg(ScalarType.BOOL);
        code.emit("mul.wide.u32 " + off + ", " + i + ", " + el.bytes);
        code.emit("add.s64 " + addr + ", " + base + ", " + off);
        memStore("local", "[" + addr + "]", el, zero, null);
        code.emit("add.u32 " + i + ", " + i + ", 1");
        code.emit("setp.lt.u32 " + more + ", " + i + ", " + a.length());
        code.emit("@" + more + " bra " + top);
    }

    private LocalArray localArray(String name) {
        LocalArray a = locals.get(name);
        if (a == null) throw new IllegalStateException("kernel " + kernel.name() + ": local array " + name + " used before its declaration");
        return a;
    }

    private String localRegister(String name, TExpr index) {
        int i = (int) ((TExpr.Const) index).value();
        List<String> regs = localRegs.get(name);
        if (i < 0 || i >= regs.size()) throw new IllegalStateException("kernel " + kernel.name() + ": index " + i + " outside local array " + name);
        return regs.get(i);
    }

    private void localStore(TStmt.LocalStore s) {
        LocalArray a = localArray(s.array());
        List<String> v = eval(s.value());
        if (localRegs.containsKey(a.name())) { mov(localRegister(a.name(), s.index()), v.get(0), a.elem()); return; }
        memStore("local", address(symbol("lmem_", a.name()), true, s.index(), a.elem().bytes), a.elem(), v, null);
    }

    private List<String> localLoad(TExpr.LocalLoad l) {
        LocalArray a = localArray(l.array());
        if (localRegs.containsKey(a.name())) return List.of(localRegister(a.name(), l.index()));
        return memLoad("local", address(symbol("lmem_", a.name()), true, l.index(), a.elem().bytes), a.elem(), 1, null, 0);
    }

    // ---- expressions ----

    private List<String> eval(TExpr e) {
        return switch (e) {
            case TExpr.Const c -> nCopies(c.type().lanes(), constant(c.value(), c.type().elem()));
            case TExpr.Ref r -> var(r.var().name());
            case TExpr.Special s -> List.of(special(s.reg()));
            case TExpr.Unary u -> {
                List<String> a = eval(u.a());
                yield lanes(u.type().lanes(), i -> PtxScalarOps.unary(this, u.op(), a.get(i), u.a().type().elem()));
            }
            case TExpr.Binary b when ConstantDivision.applies(b) -> {
                List<String> x = eval(b.a());
                yield lanes(b.type().lanes(), i -> divideByConstant(b, x.get(i)));
            }
            case TExpr.Binary b -> {
                List<String> x = eval(b.a()), y = eval(b.b());
                yield lanes(b.type().lanes(), i -> PtxScalarOps.binary(this, b.op(), x.get(i), y.get(i), b.a().type().elem()));
            }
            case TExpr.Fma f -> {
                List<String> x = eval(f.a()), y = eval(f.b()), z = eval(f.c());
                yield lanes(f.type().lanes(), i -> op("fma.rn." + PtxTypes.arith(f.type().elem()), f.type().elem(), x.get(i), y.get(i), z.get(i)));
            }
            case TExpr.Select s -> {
                List<String> c = eval(s.cond()), x = eval(s.a()), y = eval(s.b());
                yield lanes(s.type().lanes(), i -> select(c.get(c.size() == 1 ? 0 : i), x.get(i), y.get(i), s.type().elem()));
            }
            case TExpr.Cast c -> {
                List<String> a = eval(c.a());
                yield lanes(c.type().lanes(), i -> PtxScalarOps.cast(this, a.get(i), c.a().type().elem(), c.type().elem()));
            }
            case TExpr.Load l -> load(l);
            case TExpr.LocalLoad l -> localLoad(l);
            case TExpr.Lane l -> List.of(eval(l.vector()).get(l.lane()));
            case TExpr.Pack p -> lanes(p.type().lanes(), i -> eval(p.lanes().get(i)).get(0));
            case TExpr.Shuffle s -> List.of(shuffle(s.kind(), eval(s.value()).get(0), eval(s.laneOrDelta()).get(0), s.type().elem()));
            case TExpr.WarpReduce w -> List.of(warpReduce(w.op(), eval(w.value()).get(0), w.type().elem()));
        };
    }

    private static List<String> nCopies(int n, String r) { return java.util.Collections.nCopies(n, r); }

    private static List<String> lanes(int n, IntFunction<String> f) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(f.apply(i));
        return out;
    }

    /** A register holding the constant (predicates and halves have no immediates everywhere they are used). */
    String constant(double v, ScalarType t) {
        String r = code.reg(t);
        if (t == ScalarType.BOOL) code.emit("mov.pred " + r + ", " + (v != 0 ? 1 : 0));
        else mov(r, PtxTypes.literal(v, t), t);
        return r;
    }

    private String special(TExpr.Reg reg) {
        String src = switch (reg) {
            case THREAD_X -> "%tid.x"; case THREAD_Y -> "%tid.y"; case THREAD_Z -> "%tid.z";
            case BLOCK_X -> "%ctaid.x"; case BLOCK_Y -> "%ctaid.y"; case BLOCK_Z -> "%ctaid.z";
            case LANE -> "%laneid";
        };
        String r = code.reg(ScalarType.I32);
        code.emit("mov.u32 " + r + ", " + src);
        return r;
    }

    String select(String c, String a, String b, ScalarType t) {
        if (t == ScalarType.BOOL) {
            String notC = code.reg(t), x = code.reg(t), y = code.reg(t), d = code.reg(t);
            code.emit("not.pred " + notC + ", " + c);
            code.emit("and.pred " + x + ", " + c + ", " + a);
            code.emit("and.pred " + y + ", " + notC + ", " + b);
            code.emit("or.pred " + d + ", " + x + ", " + y);
            return d;
        }
        return op("selp." + PtxTypes.bits(t), t, a, b, c);
    }

    private String shuffle(TExpr.ShuffleKind kind, String value, String lane, ScalarType t) {
        String mode = switch (kind) { case IDX -> "idx"; case DOWN -> "down"; case XOR -> "bfly"; };
        if (t.bytes == 4) return op("shfl.sync." + mode + ".b32", t, value, lane, "0x1f", "0xffffffff");
        if (t.bytes != 8) throw new IllegalStateException("kernel " + kernel.name() + ": shuffle of a " + t + " value");
        String lo = code.reg(ScalarType.U32), hi = code.reg(ScalarType.U32);
        code.emit("mov.b64 {" + lo + ", " + hi + "}, " + value);
        String lo2 = op("shfl.sync." + mode + ".b32", ScalarType.U32, lo, lane, "0x1f", "0xffffffff");
        String hi2 = op("shfl.sync." + mode + ".b32", ScalarType.U32, hi, lane, "0x1f", "0xffffffff");
        String d = code.reg(t);
        code.emit("mov.b64 " + d + ", {" + lo2 + ", " + hi2 + "}");
        return d;
    }

    /** A butterfly of xor shuffles: after 5 steps every lane holds the combination of all 32 (the same bits in every lane). */
    private String warpReduce(TExpr.ReduceOp op, String value, ScalarType t) {
        BinOp combine = switch (op) { case SUM -> BinOp.ADD; case PROD -> BinOp.MUL; case MAX -> BinOp.MAX; case MIN -> BinOp.MIN; };
        String v = value;
        for (int offset = 16; offset >= 1; offset /= 2)
            v = PtxScalarOps.binary(this, combine, v, shuffle(TExpr.ShuffleKind.XOR, v, Integer.toString(offset), t), t);
        return v;
    }

    // ---- helpers for PtxScalarOps ----

    PtxCode code() { return code; }

    PtxMath<String, String, String> math(boolean f64) { return f64 ? math64 : math32; }

    /** Emits {@code instr d, args...} into a fresh register of type t and returns d. */
    /**
     * b (a DIV or REM by a constant, see {@link ConstantDivision#applies}) of x: integers through multiply-high and
     * shifts, floats divided by a power of two as a multiply by its exact reciprocal (the same rounding).
     */
    private String divideByConstant(TExpr.Binary b, String x) {
        ScalarType t = b.a().type().elem();
        double d = ((TExpr.Const) b.b()).value();
        if (t.isFloat()) return op("mul.rn." + PtxTypes.arith(t), t, x, PtxTypes.literal(1 / d, t));
        int bits = t == ScalarType.I64 ? 64 : 32;
        ConstantDivision c = ConstantDivision.of((long) d, bits);
        String s = "s" + bits, u = "u" + bits;
        String h = op("mul.hi." + s, t, x, Long.toString(c.magic()));
        if (c.addDividend()) h = op("add." + s, t, h, x);
        if (c.shift() > 0) h = op("shr." + s, t, h, Integer.toString(c.shift()));
        String q = op("add." + s, t, h, op("shr." + u, t, x, Integer.toString(bits - 1)));
        if (b.op() == TExpr.BinOp.DIV) return q;
        return op("sub." + s, t, x, op("mul.lo." + s, t, q, PtxTypes.literal(d, t)));
    }

    String op(String instr, ScalarType t, String... args) {
        String d = code.reg(t);
        code.emit(instr, d, args);
        return d;
    }

    String kernelName() { return kernel.name(); }
}
