package kc.passes.lower;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import kc.ir.graph.Node;
import kc.ir.graph.Op;
import kc.ir.graph.TensorType;
import kc.ir.graph.Value;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.TileVerifier;
import kc.passes.schedule.GroupSchedule;

/**
 * The kernels of a lowering and their launches. A kernel identical to an earlier one but for its name (the same
 * layer shape again: parameters have local names) is not added again; the launch reuses the earlier kernel.
 * <p>
 * A node's kernels depend only on its op, the types it reads and writes, its schedule's knobs, and which of
 * its buffers are the same buffer; never on the buffers' names. Nodes alike in all of these (the steps of an
 * unrolled LSTM: 50k nodes, a few hundred distinct kernels) are lowered and verified once; later ones only map the
 * kernels' parameters to their own buffers. A group may have several kernels (GRID: partials, then their combine)
 * and buffers of its own (GRID's partials), which each node alike has separately.
 */
final class SharedKernels {
    /** Everything a node's kernels depend on but their names and buffer names; {@code aliases[k]}: the first operand
     *  in the same buffer as operand k, or -1 when that is the destination. */
    private record NodeKey(Op op, TensorType result, List<TensorType> operands, List<Integer> aliases,
                           GroupSchedule schedule) {
        // Spelled out, cheap parts first: the generated record methods are slow under the C1 JIT kc runs with.
        @Override public boolean equals(Object o) {
            return o instanceof NodeKey k && schedule.equals(k.schedule) && result.equals(k.result)
                    && aliases.equals(k.aliases) && operands.equals(k.operands) && op.equals(k.op);
        }
        @Override public int hashCode() { return ((op.hashCode() * 31 + result.hashCode()) * 31 + operands.hashCode()) * 31 + aliases.hashCode(); }
    }

    /**
     * One lowered kernel of a node, the name its launches use, and per parameter which of the node's buffers it is:
     * -1 the destination, k &lt; operands the buffer of operand k, operands + j the node's own scratch buffer j.
     */
    private record Part(Kernel kernel, String name, List<Integer> argSlots, long sharedBytes) {}

    private final List<Kernel> kernels = new ArrayList<>();
    private final List<LaunchPlan.KernelLaunch> launches = new ArrayList<>();
    private final Map<Kernel, String> nameByAnonymous = new HashMap<>();
    private final Map<NodeKey, List<Part>> byNode = new HashMap<>();

    List<Kernel> kernels() { return kernels; }

    List<LaunchPlan.KernelLaunch> launches() { return launches; }

    /**
     * Adds the launches computing node {@code n} into buffer {@code dest} (with its own buffers {@code scratch}),
     * lowering it with {@code lower} unless a node alike was lowered before.
     */
    void launch(Node n, GroupSchedule schedule, String dest, List<String> scratch, Lowering.Buffers buffers,
                Supplier<List<Lowering.Emitted>> lower) {
        List<String> nodeBuffers = new ArrayList<>(n.operands().size() + scratch.size());
        for (Value v : n.operands()) nodeBuffers.add(buffers.nameOf(v));
        // the schedule without its names: alike layers share kernels whatever their groups are called
        NodeKey key = key(n, schedule.withMembers(List.of()).withName(""), dest, nodeBuffers);
        nodeBuffers.addAll(scratch);
        List<Part> parts = byNode.get(key);
        if (parts == null) {
            parts = new ArrayList<>();
            for (Lowering.Emitted e : lower.get()) parts.add(add(e, dest, nodeBuffers));
            byNode.put(key, parts);
        }
        for (Part p : parts) {
            List<String> args = new ArrayList<>(p.argSlots().size());
            for (int slot : p.argSlots()) args.add(slot < 0 ? dest : nodeBuffers.get(slot));
            launches.add(new LaunchPlan.KernelLaunch(p.name(), p.kernel().launch(), args, p.sharedBytes()));
        }
    }

    private static NodeKey key(Node n, GroupSchedule schedule, String dest, List<String> operandBuffers) {
        int count = operandBuffers.size();
        List<TensorType> types = new ArrayList<>(count);
        List<Integer> aliases = new ArrayList<>(count);
        Map<String, Integer> first = count > 16 ? new HashMap<>() : null; // a scan is cheaper for the usual few operands
        for (int k = 0; k < count; k++) {
            types.add(n.operands().get(k).type());
            String buffer = operandBuffers.get(k);
            int earliest = k;
            if (buffer.equals(dest)) earliest = -1;
            else if (first != null) earliest = first.merge(buffer, k, Math::min);
            else for (int j = 0; j < k; j++) if (operandBuffers.get(j).equals(buffer)) { earliest = j; break; }
            aliases.add(earliest);
        }
        return new NodeKey(n.op(), n.result().type(), types, aliases, schedule);
    }

    /**
     * Verifies the kernels kept (one identical to a kept kernel but for its name would fare the same): independent
     * of each other, so on every core; the first malformed one in order is reported.
     */
    void verify() {
        for (List<String> problems : kernels.parallelStream().map(TileVerifier::check).toList())
            if (!problems.isEmpty()) throw new IllegalStateException(String.join("\n", problems));
    }

    /** Keeps a freshly lowered kernel unless an identical one (but for the name) is kept already; hashes it once (a deep tree). */
    private Part add(Lowering.Emitted e, String dest, List<String> nodeBuffers) {
        Kernel k = e.kernel();
        Kernel anonymous = new Kernel("", k.params(), k.shared(), k.launch(), k.body());
        String name = nameByAnonymous.putIfAbsent(anonymous, k.name());
        if (name == null) {
            name = k.name();
            kernels.add(k);
        }
        List<Integer> slots = new ArrayList<>(e.args().size());
        for (String arg : e.args()) {
            int slot = arg.equals(dest) ? -1 : nodeBuffers.indexOf(arg);
            if (slot < 0 && !arg.equals(dest)) throw new IllegalStateException("kernel " + k.name() + " uses " + arg + ", not one of its node's buffers");
            slots.add(slot);
        }
        return new Part(k, name, slots, k.sharedBytes());
    }
}
