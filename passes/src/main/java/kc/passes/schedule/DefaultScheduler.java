package kc.passes.schedule;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;

/**
 * The default schedule: one kernel per non-constant node, in graph order. Generics without a reduction, or with a
 * short one, or with many outputs, run POINTWISE; long reductions over few outputs run BLOCK_REDUCE; Scans run
 * SCAN. Correct for every Graph op; fast only by accident (fusion and tiling come later).
 */
public final class DefaultScheduler {
    private DefaultScheduler() {}

    public static final int POINTWISE_THREADS = 256;
    public static final int REDUCE_THREADS = 256;
    /** Reductions at least this long may use a block per output. */
    public static final long LONG_REDUCTION = 256;
    /** ... when there are at most this many outputs (otherwise one thread per output already fills the GPU). */
    public static final long FEW_OUTPUTS = 1L << 15;

    public static Schedule schedule(Graph g) {
        List<KernelSchedule> kernels = new ArrayList<>();
        for (Node n : g.nodes()) {
            if (n.op() instanceof Op.Constant) continue;
            String name = "k" + kernels.size() + "_" + opName(n);
            Strategy strategy = strategy(n);
            int threads = strategy == Strategy.BLOCK_REDUCE ? REDUCE_THREADS : POINTWISE_THREADS;
            kernels.add(new KernelSchedule(name, List.of(n.result().id()), strategy, threads, Tiling.NONE));
        }
        return new Schedule(kernels);
    }

    private static Strategy strategy(Node n) {
        return switch (n.op()) {
            case Op.Scan s -> Strategy.SCAN;
            case Op.Generic gen -> {
                long reduce = gen.reduceShape().numel();
                long outputs = n.result().type().shape().numel();
                yield gen.reduction() != Op.Reduction.NONE && reduce >= LONG_REDUCTION && outputs <= FEW_OUTPUTS
                        ? Strategy.BLOCK_REDUCE : Strategy.POINTWISE;
            }
            case Op.Constant c -> throw new IllegalArgumentException("constants need no kernel");
        };
    }

    /** A short identifier-safe name: the composite op it came from, else the primitive. */
    static String opName(Node n) {
        String s = n.origin() != null && !n.origin().composite().isEmpty() ? n.origin().composite() : n.op().name();
        boolean plain = s.length() <= 24; // the usual case, checked without a regex or stream: 100k nodes come here
        for (int i = 0; i < s.length() && plain; i++) plain = isIdentifierChar(s.charAt(i));
        if (plain) return s;
        StringBuilder id = new StringBuilder(s.length());
        s.codePoints().forEach(c -> id.append(c < 128 && isIdentifierChar((char) c) ? (char) c : '_'));
        return id.length() > 24 ? id.substring(0, 24) : id.toString();
    }

    private static boolean isIdentifierChar(char c) { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'; }
}
