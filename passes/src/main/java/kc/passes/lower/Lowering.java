package kc.passes.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.ir.graph.DType;
import kc.ir.graph.Graph;
import kc.ir.graph.IndexMap;
import kc.ir.graph.Node;
import kc.ir.graph.NodesById;
import kc.ir.graph.Op;
import kc.ir.graph.Origin;
import kc.ir.graph.ScalarExpr;
import kc.ir.graph.Shape;
import kc.ir.graph.Value;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;
import kc.passes.cost.MachineModel;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.GroupNames;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.ScheduleLegality;

/**
 * Graph IR + Schedule to Tile IR kernels and a LaunchPlan. Buffers: graph inputs are INPUT (index = position),
 * parameters PARAM (key = state_dict name), graph outputs OUTPUT, Constant nodes CONSTANT, every other node
 * SCRATCH, and so are the partial results a GRID group keeps between its two kernels. A graph output that is an
 * input, a parameter, a constant or an earlier output gets its own OUTPUT buffer through a copy kernel.
 */
public final class Lowering {
    private Lowering() {}

    /** CUDA's grid limits, which Metal's dispatch also respects. */
    public static final long MAX_GRID_X = Integer.MAX_VALUE, MAX_GRID_Y = 65535;

    /** Lowers with the default schedule. */
    public static Lowered lower(Graph g) { return lower(g, DefaultScheduler.schedule(g), MachineModel.SM_90); }

    /**
     * Lowers every fusion group (a non-constant node of the graph) with its schedule, in graph order.
     *
     * @param s a complete schedule (see {@link DefaultScheduler#complete})
     * @throws IllegalArgumentException when the schedule is illegal for the graph (with every reason)
     */
    public static Lowered lower(Graph g, Schedule s, MachineModel machine) {
        ScheduleLegality.require(g, s, machine);
        NodesById byId = new NodesById(g);
        Buffers buffers = new Buffers(g, byId);
        SharedKernels kernels = new SharedKernels();
        GroupNames names = GroupNames.of(g);
        Map<String, GroupSchedule> byName = s.byName();
        List<String> launchGroups = new ArrayList<>();
        int index = 0;
        for (Node n : names.groupNodes()) {
            GroupSchedule gs = byName.get(names.group(n));
            String name = "k" + index++ + "_" + kernelName(gs.name());
            if (n.result().type().shape().numel() == 0) continue; // nothing to compute
            String dest = buffers.nameOf(n.result());
            List<String> scratch = n.op() instanceof Op.Generic ? buffers.scratch(dest, GenericLowering.scratch(n, gs)) : List.of();
            kernels.launch(n, gs, dest, scratch, buffers, () -> {
                try {
                    return lowerNode(n, gs, name, buffers, dest, scratch);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("group " + gs.name() + ": " + e.getMessage(), e);
                }
            });
            while (launchGroups.size() < kernels.launches().size()) launchGroups.add(gs.name()); // grid: two launches
        }
        for (Copy c : buffers.copies) {
            Value src = c.source();
            Node copy = new Node(new Value(-1, src.type(), c.dest()),
                    new Op.Generic(Shape.SCALAR, List.of(IndexMap.identity(src.type().rank())), ScalarExpr.read(0), Op.Reduction.NONE),
                    List.of(src), Origin.NONE);
            if (src.type().shape().numel() == 0) continue;
            String name = "k" + kernels.kernels().size() + "_copy_" + c.dest();
            GroupSchedule gs = DefaultScheduler.defaults(name, List.of(), copy, machine);
            kernels.launch(copy, gs, c.dest(), List.of(), buffers, () -> lowerNode(copy, gs, name, buffers, c.dest(), List.of()));
            launchGroups.add("");
        }
        kernels.verify();
        return new Lowered(kernels.kernels(), new LaunchPlan(g.name(), buffers.plan, kernels.launches(), s.precisionOrDefault().word()), launchGroups);
    }

    /** A lowered kernel and the plan buffers its parameters stand for, in parameter order. */
    record Emitted(Kernel kernel, List<String> args) {}

    /**
     * A buffer a group's kernels keep for themselves (a GRID's partial results): named by the group's destination
     * and {@code suffix}, {@code numel} elements of {@code dtype}, a SCRATCH buffer of the plan that no graph value owns.
     */
    record Scratch(String suffix, DType dtype, long numel) {}

    /** The group's kernels, in launch order. */
    private static List<Emitted> lowerNode(Node n, GroupSchedule gs, String name, Buffers buffers, String dest, List<String> scratch) {
        return switch (n.op()) {
            case Op.Generic gen -> new GenericLowering(n, buffers, dest, gs, scratch).lower(name);
            case Op.RowFused row -> List.of(new RowLowering(n, buffers, dest, gs).lower(name));
            case Op.Scan scan -> List.of(ScanLowering.lower(n, buffers, dest, name, gs));
            case Op.Constant c -> throw new IllegalArgumentException("constants are buffers, not kernels");
        };
    }

    /** A C identifier from a group name: {@code blocks.0.attn/softmax#1:2} gives {@code blocks_0_attn_softmax_1_2}. */
    static String kernelName(String group) {
        StringBuilder b = new StringBuilder(Math.min(group.length(), 32));
        for (int i = 0; i < group.length() && b.length() < 32; i++) {
            char c = group.charAt(i);
            b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_') ? c : '_');
        }
        return b.toString();
    }

    /** A 1-D grid of `blocks` blocks when it fits, else 2-D (blocks past the end must do nothing). */
    static Launch grid(long blocks, int threads) {
        if (blocks <= MAX_GRID_X) return Launch.linear(blocks, threads);
        long y = (blocks + MAX_GRID_X - 1) / MAX_GRID_X;
        if (y > MAX_GRID_Y) throw new IllegalArgumentException(blocks + " blocks exceed the grid limits");
        return new Launch((blocks + y - 1) / y, y, 1, threads, 1, 1);
    }

    record Copy(Value source, String dest) {}

    /** The plan's buffers and which buffer holds each Graph value. */
    static final class Buffers {
        final List<LaunchPlan.Buffer> plan = new ArrayList<>();
        final List<Copy> copies = new ArrayList<>();
        private final Map<Integer, String> names;

        Buffers(Graph g, NodesById byId) {
            names = new HashMap<>(2 * (g.inputs().size() + g.params().size() + g.nodes().size()));
            for (int i = 0; i < g.inputs().size(); i++) {
                Value v = g.inputs().get(i);
                add(v, "g_in" + i, LaunchPlan.Role.INPUT, i, null, null);
            }
            for (int i = 0; i < g.params().size(); i++) {
                Value v = g.params().get(i);
                add(v, "g_p" + i + "_" + ident(v.name()), LaunchPlan.Role.PARAM, 0, v.name(), null);
            }
            Set<Integer> stored = new HashSet<>();
            Map<Integer, Integer> outputOf = new HashMap<>();
            for (int i = 0; i < g.outputs().size(); i++) {
                Value v = g.outputs().get(i);
                Node def = byId.get(v.id());
                if (def != null && !(def.op() instanceof Op.Constant) && stored.add(v.id())) outputOf.put(v.id(), i);
            }
            for (Node n : g.nodes()) {
                Value v = n.result();
                if (n.op() instanceof Op.Constant c) add(v, "g_c" + v.id(), LaunchPlan.Role.CONSTANT, 0, null, c.values());
                else if (outputOf.containsKey(v.id())) add(v, "g_out" + outputOf.get(v.id()), LaunchPlan.Role.OUTPUT, outputOf.get(v.id()), null, null);
                else add(v, "g_t" + v.id(), LaunchPlan.Role.SCRATCH, 0, null, null);
            }
            for (int i = 0; i < g.outputs().size(); i++) {
                Value v = g.outputs().get(i);
                if (outputOf.getOrDefault(v.id(), -1) == i) continue;
                String dest = "g_out" + i;
                plan.add(new LaunchPlan.Buffer(dest, LaunchPlan.Role.OUTPUT, i, null, v.type().dtype(), v.type().shape(), null));
                copies.add(new Copy(v, dest));
            }
        }

        private void add(Value v, String name, LaunchPlan.Role role, int index, String key, List<Double> values) {
            names.put(v.id(), name);
            plan.add(new LaunchPlan.Buffer(name, role, index, key, v.type().dtype(), v.type().shape(), values));
        }

        /** Adds the scratch buffers of the group writing {@code dest}; their names, in order. */
        List<String> scratch(String dest, List<Scratch> specs) {
            List<String> names = new ArrayList<>(specs.size());
            for (Scratch s : specs) {
                String name = dest + "_" + s.suffix();
                plan.add(new LaunchPlan.Buffer(name, LaunchPlan.Role.SCRATCH, 0, null, s.dtype(), Shape.of(s.numel()), null));
                names.add(name);
            }
            return names;
        }

        String nameOf(Value v) {
            String n = names.get(v.id());
            if (n == null) throw new IllegalStateException("no buffer for " + v);
            return n;
        }

        private static String ident(String s) {
            String r = s == null ? "" : s.replaceAll("[^A-Za-z0-9_]", "_");
            return r.length() > 40 ? r.substring(0, 40) : r;
        }
    }
}
