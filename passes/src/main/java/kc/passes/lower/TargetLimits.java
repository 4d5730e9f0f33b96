package kc.passes.lower;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import kc.ir.tile.LaunchPlan;
import kc.passes.cost.MachineModel;
import kc.passes.schedule.ScheduleLegality.Problem;

/**
 * The target's hard limits that only lowered kernels show, checked per launch and reported per fusion group the way
 * {@link kc.passes.schedule.ScheduleLegality} reports a schedule's problems ({@code group softmax#1: shared memory
 * 65536 bytes exceeds 49152 per block on sm_80}): the block's threads and shared memory, and the registers of a
 * block once an assembler has counted the registers per thread. A group breaks a limit at most once in the report;
 * the copies into outputs, which no group owns, are reported without one.
 */
public final class TargetLimits {
    private TargetLimits() {}

    /** Threads and shared memory per block of every launch. */
    public static List<Problem> check(Lowered lowered, MachineModel m) {
        List<Problem> problems = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        List<LaunchPlan.KernelLaunch> launches = lowered.plan().launches();
        for (int i = 0; i < launches.size(); i++) {
            LaunchPlan.KernelLaunch l = launches.get(i);
            String group = group(lowered, i);
            int threads = l.launch().threadsPerBlock();
            String why = null;
            if (threads > m.maxThreadsPerBlock())
                why = "threads " + threads + " exceeds " + m.maxThreadsPerBlock() + " per block on " + m.target();
            else if (l.sharedBytes() > m.maxSharedBytesPerBlock())
                why = "shared memory " + l.sharedBytes() + " bytes exceeds " + m.maxSharedBytesPerBlock() + " per block on " + m.target();
            if (why != null && reported.add(String.valueOf(group))) problems.add(problem(group, l, why));
        }
        return problems;
    }

    /**
     * Registers per thread (as an assembler reports them, by kernel name) times threads per block against the
     * target's register file. Kernels the map does not name are not checked.
     */
    public static List<Problem> registers(Lowered lowered, Map<String, Integer> registersPerThread, MachineModel m) {
        List<Problem> problems = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        List<LaunchPlan.KernelLaunch> launches = lowered.plan().launches();
        for (int i = 0; i < launches.size(); i++) {
            LaunchPlan.KernelLaunch l = launches.get(i);
            Integer regs = registersPerThread.get(l.kernel());
            if (regs == null) continue;
            int threads = l.launch().threadsPerBlock();
            long perBlock = (long) regs * threads;
            String group = group(lowered, i);
            if (perBlock > m.registersPerBlock() && reported.add(String.valueOf(group)))
                problems.add(problem(group, l, "registers " + regs + " x " + threads + " threads = " + perBlock + " exceeds "
                        + m.registersPerBlock() + " per block on " + m.target()));
        }
        return problems;
    }

    /** A problem of a group's launch; a copy's names its kernel instead. */
    private static Problem problem(String group, LaunchPlan.KernelLaunch l, String why) {
        return new Problem(group, group == null ? "kernel " + l.kernel() + ": " + why : why);
    }

    /** The group of launch i; null for a copy into an output. */
    private static String group(Lowered lowered, int launch) {
        String g = lowered.launchGroups().get(launch);
        return g.isEmpty() ? null : g;
    }
}
