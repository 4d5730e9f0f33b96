package kc.runtime.pipeline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import kc.ir.graph.Graph;
import kc.ir.graph.GraphPrinter;
import kc.ir.graph.Node;
import kc.ir.graph.Origin;
import kc.ir.graph.SourcePos;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.TilePrinter;
import kc.passes.cost.CostModel;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.schedule.GroupNames;
import kc.passes.schedule.language.ScheduleText;

/** What {@code kc explain} prints of a {@link Compilation}: the IR after one stage, or a summary of the whole run. */
public final class Explain {
    private Explain() {}

    /**
     * The output of a stage in its own text form: the Graph IR after a graph stage, the schedule in the schedule
     * language (alone: what a user may edit and give back with --schedule), the Tile IR kernels and launch plan
     * after lowering, the rendered kernel file.
     */
    public static String after(Compilation c, Stage stage) {
        return switch (stage) {
            case EVALUATE, VERIFY, CANONICALISE, SUBSTITUTE, FUSE -> GraphPrinter.print(c.graph(stage));
            case SCHEDULE -> ScheduleText.print(c.schedule());
            case LOWER -> tileIr(c.lowered());
            case TILE_REWRITES -> tileIr(c.tiles());
            case RENDER -> c.rendered().source();
        };
    }

    /**
     * The stages run and their times; the fusion groups with their members and where in the source each came from;
     * the schedule; each group's kernel and launch with its cost estimate against the roofline floor. The run must
     * have gone through LOWER.
     */
    public static String summary(Compilation c) {
        StringBuilder sb = new StringBuilder();
        MachineModel m = c.input().machine();
        sb.append("kc explain ").append(c.input().file()).append(" (target ").append(m.target()).append(")\n");
        stages(sb, c);
        Graph g = c.graph();
        GroupNames names = GroupNames.of(g);
        List<Node> groups = names.groupNodes();

        sb.append("groups: ").append(groups.size()).append(" (").append(g.nodes().size()).append(" nodes after fuse)\n");
        List<String[]> rows = new ArrayList<>();
        for (Node n : groups)
            rows.add(new String[] {names.group(n), n.op().name(), n.result().type().toString(), members(names, n)});
        table(sb, rows, "");

        sb.append("schedule:\n");
        for (String line : ScheduleText.print(c.schedule()).split("\n")) sb.append("  ").append(line).append('\n');

        Lowered lowered = c.kernels();
        Map<String, LaunchPlan.KernelLaunch> launchOf = new HashMap<>();
        for (int i = 0; i < lowered.launchGroups().size(); i++)
            launchOf.putIfAbsent(lowered.launchGroups().get(i), lowered.plan().launches().get(i));
        CostModel.Estimate cost = c.estimate();
        sb.append(String.format(Locale.ROOT, "kernels: %d kernels, %d launches; estimate against the roofline floor on %s%n",
                lowered.kernels().size(), lowered.plan().launches().size(), m.describe()));
        rows = new ArrayList<>();
        rows.add(new String[] {"group", "kernel", "grid x block", "MFLOP", "MB", "floor us", "bound"});
        for (CostModel.KernelCost k : cost.kernels()) {
            LaunchPlan.KernelLaunch l = launchOf.get(k.kernel());
            rows.add(new String[] {k.kernel(), l == null ? "(nothing to compute)" : l.kernel(), l == null ? "" : geometry(l.launch()),
                    number(k.flops() / 1e6), number(k.bytes() / 1e6), number(k.floorSeconds() * 1e6), bound(k.flops(), k.bytes(), m)});
        }
        rows.add(new String[] {"total", "", "", number(cost.flops() / 1e6), number(cost.bytes() / 1e6), number(cost.floorSeconds() * 1e6),
                bound(cost.flops(), cost.bytes(), m)});
        table(sb, rows, "lllrrrl");
        return sb.toString();
    }

    private static void stages(StringBuilder sb, Compilation c) {
        sb.append("stages (ms):\n");
        double total = 0;
        for (Compilation.StageTime t : c.times()) {
            sb.append(String.format(Locale.ROOT, "  %-14s %8.1f", t.stage().word(), t.millis()));
            if (unchanged(c, t.stage())) sb.append("  unchanged");
            else if (!Double.isNaN(t.checkMillis()))
                sb.append(String.format(Locale.ROOT, "  + check %.1f%s", t.checkMillis(), t.beside() ? " beside" : ""));
            sb.append('\n');
            total += t.millis();
        }
        sb.append(String.format(Locale.ROOT, "  %-14s %8.1f  (kc's whole compile: %.1f)%n", "stages", total, c.millis()));
    }

    /** True when a rewriting stage handed its input on as it was. */
    private static boolean unchanged(Compilation c, Stage s) {
        return switch (s) {
            case CANONICALISE, SUBSTITUTE, FUSE -> c.graph(s) == c.graph(Stage.values()[s.ordinal() - 1]);
            case TILE_REWRITES -> c.tiles() == c.lowered();
            case EVALUATE, VERIFY, SCHEDULE, LOWER, RENDER -> false;
        };
    }

    /** A group's members, each once with where it was called: {@code bn (conv_block.py:18:13), mish#1 (conv_block.py:19:13)}. */
    private static String members(GroupNames names, Node n) {
        Map<String, SourcePos> at = new LinkedHashMap<>();
        List<Origin> origins = new ArrayList<>();
        origins.add(n.origin());
        origins.addAll(n.absorbed());
        for (Origin o : origins) at.putIfAbsent(names.origin(o), o == null ? null : o.pos());
        List<String> parts = new ArrayList<>();
        for (var e : at.entrySet()) {
            SourcePos p = e.getValue();
            boolean known = p != null && !p.equals(SourcePos.UNKNOWN);
            parts.add(e.getKey() + (known ? " (" + Path.of(p.file()).getFileName() + ":" + p.line() + ":" + p.column() + ")" : ""));
        }
        return String.join(", ", parts);
    }

    private static String tileIr(Lowered l) {
        StringBuilder sb = new StringBuilder();
        for (Kernel k : l.kernels()) sb.append(TilePrinter.print(k)).append('\n');
        return sb.append(TilePrinter.print(l.plan())).toString();
    }

    private static String geometry(Launch l) {
        String grid = l.gridY() == 1 && l.gridZ() == 1 ? Long.toString(l.gridX()) : l.gridX() + "x" + l.gridY() + "x" + l.gridZ();
        String block = l.blockY() == 1 && l.blockZ() == 1 ? Integer.toString(l.blockX()) : l.blockX() + "x" + l.blockY() + "x" + l.blockZ();
        return grid + " x " + block;
    }

    /** Which roof the floor stands on. */
    private static String bound(double flops, double bytes, MachineModel m) {
        return flops / m.fp32FlopsPerSecond() > bytes / m.bytesPerSecond() ? "compute" : "memory";
    }

    private static String number(double x) { return x == 0 ? "0" : String.format(Locale.ROOT, "%.3g", x); }

    /** Rows as aligned columns, indented by two; {@code align} says per column l(eft) or r(ight), left when absent. */
    private static void table(StringBuilder sb, List<String[]> rows, String align) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(width[i] - r[i].length());
                boolean right = i < align.length() && align.charAt(i) == 'r';
                line.append(right ? pad + r[i] : r[i] + (i == r.length - 1 ? "" : pad)).append(i == r.length - 1 ? "" : "  ");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
