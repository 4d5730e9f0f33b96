package kc.runtime.bench;

import java.util.List;
import java.util.Objects;

/**
 * One problem's bench outcome. Timings that were not measured are null; figures that are unknown are NaN
 * ({@code floorMs}, the errors) or -1 (the counts: {@code kernels} and the three launch counts).
 *
 * @param problem     the problem's name as reported, e.g. {@code level1/19_ReLU}
 * @param level       the KernelBench level (geometric means and fast_p are also given per level)
 * @param detail      why it did not pass (empty when it did)
 * @param kc          kc's compiled kernels, the whole forward
 * @param eager       PyTorch eager
 * @param compiled    torch.compile (inductor, default mode)
 * @param floorMs     the ideal roofline floor: max(flops / peak, bytes / bandwidth) with every input and weight
 *                    read once and every output written once
 * @param maxAbsError the largest |out - ref| over all trials and outputs
 * @param relL2Error  the largest ||out - ref|| / ||ref|| over all trials and outputs
 * @param kernels     the distinct kernels in kc's launch plan
 * @param launches    kc's kernel launches per forward: the launch plan's length, exactly what kc's timing runs
 * @param eagerLaunches    the kernels one eager forward runs on the GPU, counted by torch.profiler (memcpy and
 *                         memset excluded)
 * @param compiledLaunches the same for torch.compile's forward, counted after it was compiled and warmed up
 * @param eagerStrict PyTorch eager in strict fp32 (TF32 off for matmuls and cuDNN), beside {@code eager} as shipped
 *                    (cuDNN's convolutions in TF32); null where not measured
 * @param precision   kc's precision class for this problem (fp32, tf32x3), null where not recorded
 * @param groups      kc's forward by fusion group, each against its floor; null where not measured
 */
public record ProblemResult(String problem, int level, Verdict verdict, String detail,
                            Timing kc, Timing eager, Timing compiled,
                            double floorMs, double maxAbsError, double relL2Error, int kernels, int launches,
                            int eagerLaunches, int compiledLaunches, Timing eagerStrict, String precision, List<GroupTime> groups) {

    public ProblemResult {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(verdict, "verdict");
        detail = detail == null ? "" : detail;
    }

    /** A result without per-group times. */
    public ProblemResult(String problem, int level, Verdict verdict, String detail, Timing kc, Timing eager, Timing compiled,
                         double floorMs, double maxAbsError, double relL2Error, int kernels, int launches,
                         int eagerLaunches, int compiledLaunches, Timing eagerStrict, String precision) {
        this(problem, level, verdict, detail, kc, eager, compiled, floorMs, maxAbsError, relL2Error, kernels, launches,
                eagerLaunches, compiledLaunches, eagerStrict, precision, null);
    }

    /** A result without strict-fp32 eager or a recorded precision (what older reports hold). */
    public ProblemResult(String problem, int level, Verdict verdict, String detail, Timing kc, Timing eager, Timing compiled,
                         double floorMs, double maxAbsError, double relL2Error, int kernels, int launches,
                         int eagerLaunches, int compiledLaunches) {
        this(problem, level, verdict, detail, kc, eager, compiled, floorMs, maxAbsError, relL2Error, kernels, launches,
                eagerLaunches, compiledLaunches, null, null, null);
    }

    /** True when kc's, eager's and torch.compile's launch counts are all known. */
    public boolean launchesCounted() { return launches >= 0 && eagerLaunches >= 0 && compiledLaunches >= 0; }

    public boolean correct() { return verdict.correct(); }

    /** eager / kc (median times), NaN when either is not measured. */
    public double speedupVsEager() { return speedup(eager); }

    /** torch.compile / kc (median times), NaN when either is not measured. */
    public double speedupVsCompiled() { return speedup(compiled); }

    /** The better baseline (the faster of eager and torch.compile, whichever were measured) / kc. */
    public double speedupVsBest() {
        if (eager == null) return speedup(compiled);
        if (compiled == null) return speedup(eager);
        return speedup(eager.medianMs() <= compiled.medianMs() ? eager : compiled);
    }

    /** kc's median time over the roofline floor (1 = at the floor), NaN when either is unknown. */
    public double overFloor() {
        return kc == null || !(floorMs > 0) ? Double.NaN : kc.medianMs() / floorMs;
    }

    private double speedup(Timing baseline) {
        if (kc == null || baseline == null || !(kc.medianMs() > 0)) return Double.NaN;
        return baseline.medianMs() / kc.medianMs();
    }
}
