package kc.passes.cost;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import kc.ir.graph.Graph;
import kc.ir.graph.Node;
import kc.ir.graph.NodesById;
import kc.ir.graph.Op;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Value;
import kc.passes.schedule.KernelSchedule;
import kc.passes.schedule.Schedule;

/**
 * Work and traffic of a schedule's kernels, for the roofline floor: flops are the body operations (plus the
 * reduction's combine) at every domain point of the nodes a kernel computes; bytes are what enters and leaves the
 * kernel's group of nodes, each read or written once (the ideal a kernel can reach, not what a naive one does).
 */
public final class CostModel {
    private CostModel() {}

    public record KernelCost(String kernel, double flops, double bytes, double floorSeconds) {}

    public record Estimate(List<KernelCost> kernels, double flops, double bytes, double floorSeconds) {}

    public static Estimate estimate(Graph g, Schedule schedule, MachineModel machine) {
        NodesById byId = new NodesById(g);
        List<KernelCost> costs = new ArrayList<>();
        double flops = 0, bytes = 0, floor = 0;
        for (KernelSchedule ks : schedule.kernels()) {
            double f = 0, b = 0; // bytes are whole numbers, summed exactly in any order
            if (ks.nodes().size() == 1) { // the default schedule's kernels, without sets: 100k of them for an RNN
                Node n = byId.get(ks.nodes().get(0));
                if (n != null) {
                    f = flops(n);
                    List<Value> operands = n.operands();
                    for (int i = 0; i < operands.size(); i++) {
                        boolean again = false;
                        for (int j = 0; j < i && !again; j++) again = operands.get(j).id() == operands.get(i).id();
                        if (!again) b += bytes(operands.get(i));
                    }
                }
            } else {
                Set<Value> inside = new HashSet<>(), read = new HashSet<>();
                for (int id : ks.nodes()) {
                    Node n = byId.get(id);
                    if (n == null) continue;
                    inside.add(n.result());
                    read.addAll(n.operands());
                    f += flops(n);
                }
                for (Value v : read) if (!inside.contains(v)) b += bytes(v);
            }
            Node root = byId.get(ks.root());
            if (root != null) b += bytes(root.result());
            double fl = machine.floorSeconds(f, b);
            costs.add(new KernelCost(ks.name(), f, b, fl));
            flops += f;
            bytes += b;
            floor += fl;
        }
        return new Estimate(costs, flops, bytes, floor);
    }

    private static double bytes(Value v) { return (double) v.type().shape().numel() * v.type().dtype().bytes; }

    /** Floating-point operations of one node: body operations (and the combine) at every domain point. */
    public static double flops(Node n) {
        double elems = n.result().type().shape().numel();
        return switch (n.op()) {
            case Op.Generic gen -> elems * Math.max(1, gen.reduceShape().numel())
                    * (operations(gen.body()) + (gen.reduction() == Op.Reduction.NONE ? 0 : 1));
            case Op.Scan s -> elems;
            case Op.Constant c -> 0;
        };
    }

    private static int operations(ScalarExpr e) {
        return switch (e) {
            case ScalarExpr.Read r -> 0;
            case ScalarExpr.Index i -> 0;
            case ScalarExpr.Const c -> 0;
            case ScalarExpr.Cast c -> operations(c.a());
            case ScalarExpr.Unary u -> 1 + operations(u.a());
            case ScalarExpr.Binary b -> 1 + operations(b.a()) + operations(b.b());
            case ScalarExpr.Select s -> 1 + operations(s.cond()) + operations(s.a()) + operations(s.b());
        };
    }
}
