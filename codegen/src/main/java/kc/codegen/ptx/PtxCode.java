package kc.codegen.ptx;

import java.util.LinkedHashMap;
import java.util.Map;

import kc.ir.tile.ScalarType;

/** The instructions of one kernel body as they are printed, with its virtual registers (numbered per class) and labels. */
final class PtxCode {
    private final StringBuilder text = new StringBuilder();
    /** Register prefix -> (declaration type, count). */
    private final Map<String, String> classes = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private int labels;

    /** A fresh virtual register of a class, e.g. reg("%f", "f32"). */
    String reg(String prefix, String declType) {
        classes.putIfAbsent(prefix, declType);
        int n = counts.merge(prefix, 1, Integer::sum);
        return prefix + n;
    }

    String reg(ScalarType t) { return reg(PtxTypes.regPrefix(t), PtxTypes.regType(t)); }

    String label() { return "$L" + (++labels); }

    void emit(String instruction) { text.append('\t').append(instruction).append(";\n"); }

    void place(String label) { text.append(label).append(":\n"); }

    void comment(String line) { text.append("\t// ").append(line.replace('\n', ' ').replace('\r', ' ')).append('\n'); }

    /** The register declarations for everything allocated so far. */
    String declarations() {
        StringBuilder sb = new StringBuilder();
        for (var e : classes.entrySet())
            sb.append("\t.reg .").append(e.getValue()).append(' ').append(e.getKey()).append('<').append(counts.get(e.getKey()) + 1).append(">;\n");
        return sb.toString();
    }

    String body() { return text.toString(); }
}
