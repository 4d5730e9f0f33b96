package kc.passes.cost;

import java.util.ArrayList;
import java.util.List;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Value;
import kc.passes.schedule.Contraction;
import kc.passes.schedule.GroupNames;
import kc.passes.schedule.Precision;

/**
 * Work and traffic of a fused graph's kernels, for the roofline floor: flops are the body operations (plus the
 * reduction's combine and the epilogue) at every domain point; bytes are what enters and leaves the kernel, each
 * tensor read or written once (the ideal a kernel can reach, not what a naive one does).
 */
public final class CostModel {
    private CostModel() {}

    /** One group's kernel: its work, its traffic, its floor, and whether it is a contraction (matrix-unit rate). */
    public record KernelCost(String kernel, double flops, double bytes, double floorSeconds, boolean contraction) {}

    /**
     * @param floorSeconds the sum over kernels of each kernel's floor (what this fusion could reach at best)
     * @param idealBytes   the graph's own traffic: every input and parameter read once, every output written once
     * @param idealSeconds the ideal floor: max(all flops at peak, idealBytes at the copy bandwidth), what any
     *                     implementation of the model could reach (each kernel's compute at its rate, summed);
 *                     `kc bench`'s "over floor" is against this
     */
    public record Estimate(List<KernelCost> kernels, double flops, double bytes, double floorSeconds,
                           double idealBytes, double idealSeconds) {}

    /** The estimate at kc's default precision. */
    public static Estimate estimate(Graph g, MachineModel machine) { return estimate(g, machine, Precision.DEFAULT); }

    /**
     * One kernel per fusion group (a non-constant node of the fused graph): what enters it and what it stores. A
     * contraction's compute runs at the rate of the precision's matrix unit (whatever unit its schedule chose: the
     * floor is what the class allows), everything else at the cores' fp32 rate.
     */
    public static Estimate estimate(Graph g, MachineModel machine, Precision precision) {
        GroupNames names = GroupNames.of(g);
        List<KernelCost> costs = new ArrayList<>();
        double flops = 0, bytes = 0, floor = 0, computeSeconds = 0;
        for (Node n : names.groupNodes()) {
            double f = flops(n), b = 0; // bytes are whole numbers, summed exactly in any order
            List<Value> operands = n.operands();
            for (int i = 0; i < operands.size(); i++) {
                boolean again = false;
                for (int j = 0; j < i && !again; j++) again = operands.get(j).id() == operands.get(i).id();
                if (!again) b += bytes(operands.get(i));
            }
            b += bytes(n.result());
            boolean contraction = Contraction.of(n) != null;
            double rate = contraction ? machine.contractionFlopsPerSecond(precision) : machine.fp32FlopsPerSecond();
            double fl = machine.floorSeconds(f, b, rate);
            computeSeconds += f / rate;
            costs.add(new KernelCost(names.group(n), f, b, fl, contraction));
            flops += f;
            bytes += b;
            floor += fl;
        }
        double ideal = 0;
        java.util.Set<Integer> counted = new java.util.HashSet<>();
        for (Value v : g.inputs()) if (counted.add(v.id())) ideal += bytes(v);
        for (Value v : g.params()) if (counted.add(v.id())) ideal += bytes(v);
        for (Value v : g.outputs()) if (counted.add(v.id())) ideal += bytes(v);
        return new Estimate(costs, flops, bytes, floor, ideal, Math.max(computeSeconds, ideal / machine.bytesPerSecond()));
    }

    private static double bytes(Value v) { return (double) v.type().shape().numel() * v.type().dtype().bytes; }

    /** Floating-point operations of one node: body operations (and the combine) at every domain point. */
    public static double flops(Node n) {
        return switch (n.op()) {
            case Op.Generic gen -> flops(gen, n.result().type().shape().numel());
            case Op.RowFused row -> flops(row.stats(), row.statsType().shape().numel()) + flops(row.then(), n.result().type().shape().numel());
            case Op.Scan s -> n.result().type().shape().numel();
            case Op.Constant c -> 0;
        };
    }

    private static double flops(Op.Generic gen, double elems) {
        // a compound reduction evaluates the body once per output point for all its statistics (~4 operations a term)
        return elems / gen.reduction().components() * Math.max(1, gen.reduceShape().numel())
                * (operations(gen.body()) + (gen.reduction() == Op.Reduction.NONE ? 0 : gen.reduction().compound() ? 4 : 1))
                + (gen.epilogue() == null ? 0 : elems * operations(gen.epilogue()));
    }

    private static int operations(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Read r -> 0;
            case ScalarExpr.Index i -> 0;
            case ScalarExpr.Reduced r -> 0;
            case ScalarExpr.Const c -> 0;
            case ScalarExpr.Cast c -> operations(c.a());
            case ScalarExpr.Unary u -> 1 + operations(u.a());
            case ScalarExpr.Binary b -> 1 + operations(b.a()) + operations(b.b());
            case ScalarExpr.Select s -> 1 + operations(s.cond()) + operations(s.a()) + operations(s.b());
        };
    }
}
