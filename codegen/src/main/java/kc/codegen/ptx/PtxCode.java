package kc.codegen.ptx;

import java.util.ArrayList;
import java.util.List;

import kc.ir.tile.ScalarType;

/** The instructions of one kernel body as they are printed, with its virtual registers (numbered per class) and labels. */
final class PtxCode {
    private final StringBuilder text = new StringBuilder();
    /** The register classes in the order first used (their declarations' order). */
    private final List<RegClass> classes = new ArrayList<>(6);
    private int labels;

    /** A register class: its name prefix, declaration type, and how many registers it has handed out. */
    private static final class RegClass {
        final String prefix, declType;
        int count;

        RegClass(String prefix, String declType) {
            this.prefix = prefix;
            this.declType = declType;
        }
    }

    /** A fresh virtual register of a class, e.g. reg("%f", "f32"). */
    String reg(String prefix, String declType) {
        RegClass c = null;
        for (int i = 0; i < classes.size() && c == null; i++) if (classes.get(i).prefix.equals(prefix)) c = classes.get(i);
        if (c == null) classes.add(c = new RegClass(prefix, declType));
        return prefix + ++c.count;
    }

    String reg(ScalarType t) { return reg(PtxTypes.regPrefix(t), PtxTypes.regType(t)); }

    String label() { return "$L" + (++labels); }

    void emit(String instruction) { text.append('\t').append(instruction).append(";\n"); }

    /** {@code instr dest, args...}, appended without joining the parts first (kernels have thousands of lines). */
    void emit(String instr, String dest, String... args) {
        text.append('\t').append(instr).append(' ').append(dest);
        for (String a : args) text.append(", ").append(a);
        text.append(";\n");
    }

    void place(String label) { text.append(label).append(":\n"); }

    void comment(String line) { text.append("\t// ").append(line.replace('\n', ' ').replace('\r', ' ')).append('\n'); }

    /** The register declarations for everything allocated so far. */
    String declarations() {
        StringBuilder sb = new StringBuilder();
        for (RegClass c : classes)
            sb.append("\t.reg .").append(c.declType).append(' ').append(c.prefix).append('<').append(c.count + 1).append(">;\n");
        return sb.toString();
    }

    String body() { return text.toString(); }
}
