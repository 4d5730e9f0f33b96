package kc.runtime.gpu;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jcuda.driver.CUstream;
import kc.ir.graph.DType;
import kc.ir.tile.LaunchPlan;
import kc.runtime.verify.Tolerance;

/**
 * Judges a compiled model on the GPU against PyTorch, with MEASURING.md's rules built in rather than left to
 * whoever runs it. Per trial (5 by default, alternating get_inputs() and normal(0, 2) inputs):
 * <ul>
 *   <li><b>allclose</b>: every output within atol = rtol = 1e-4 (fp32) / 1e-2 (fp16, bf16) of PyTorch's; NaN never passes.</li>
 *   <li><b>fully-written</b>: outputs are poisoned (all bytes 0xFF) before the run; no element may keep the poison.</li>
 *   <li><b>inputs-unchanged</b>: inputs and weights are bit-identical after the run.</li>
 *   <li><b>deterministic</b>: a second run on the default stream, in freshly allocated zero-filled buffers, gives
 *       bit-identical outputs to the first on a non-default stream (catches races and stream-order bugs).</li>
 *   <li><b>input-dependence</b>: where PyTorch's outputs differ between two trials, kc's must too; and with several
 *       inputs, changing only input i must change kc's outputs where it changes PyTorch's. Outputs are compared
 *       through 64-bit fingerprints ({@link RuntimeKernels#fingerprint}), which is all that is kept across trials:
 *       two outputs with different contents have equal fingerprints only with probability about 2^-64.</li>
 * </ul>
 * Every run gets freshly allocated buffers, so no result survives from an earlier run; a trial's inputs, reference
 * outputs and kc's outputs leave the device once the trial is judged (at most one trial's tensors are held at a time).
 */
public final class GpuVerifier {
    public static final String ALLCLOSE = "allclose", FULLY_WRITTEN = "fully-written", INPUTS_UNCHANGED = "inputs-unchanged",
            DETERMINISTIC = "deterministic", INPUT_DEPENDENCE = "input-dependence";
    public static final List<String> GUARDS = List.of(ALLCLOSE, FULLY_WRITTEN, INPUTS_UNCHANGED, DETERMINISTIC, INPUT_DEPENDENCE);

    /** One guard's verdict over all trials; {@code detail} names the first violation. */
    public record GuardResult(String guard, boolean passed, String detail) {}

    /**
     * The whole verdict: each guard, and the worst output comparison (largest relative error) with its trial.
     * @param float64Arbitrated where kc's float32 output missed the reference's float32 one but matched the
     *                          reference computed in float64 (the float32 reference was the less exact of the two)
     */
    public record Verification(List<GuardResult> guards, CompareStats worst, String worstWhere, int trials, String reference,
                               List<String> float64Arbitrated) {
        public boolean passed() { return guards.stream().allMatch(GuardResult::passed); }

        public List<String> failedGuards() {
            return guards.stream().filter(g -> !g.passed()).map(GuardResult::guard).toList();
        }
    }

    private final GpuDevice device;
    private final RuntimeKernels helpers;
    private final GpuModel model;
    private final Reference reference;
    private final CUstream stream;
    private final Map<String, String> violations = new LinkedHashMap<>();
    private final List<String> arbitrated = new ArrayList<>();
    /** Why the float64 outputs of the trial being judged could not be had (null: they could, or were not asked for). */
    private String exactMissing;
    /** The float64 outputs of the trial being judged, fetched at its first float32 miss. */
    private List<Reference.TensorData> exactOutputs;
    private CompareStats worst;
    private String worstWhere = "";

    public GpuVerifier(GpuDevice device, RuntimeKernels helpers, GpuModel model, Reference reference) {
        this.device = device;
        this.helpers = helpers;
        this.model = model;
        this.reference = reference;
        this.stream = device.newStream();
    }

    /** Tensors kept on the device (a run's outputs, a trial's data) with their dtypes. */
    private record Outputs(List<DeviceBuffer> buffers, List<DType> dtypes) implements AutoCloseable {
        @Override public void close() { buffers.forEach(DeviceBuffer::close); }
    }

    /** One run's outputs as 64-bit fingerprints, one per output: kc's and the reference's. */
    private record Prints(long[] candidate, long[] reference) {}

    public Verification verify(int trials) throws IOException, Reference.ReferenceException {
        Prints previous = null, first = null;
        Reference.Trial firstTrial = null;
        try (Outputs params = uploadParams(reference.params())) {
            for (int t = 0; t < trials; t++) {
                Reference.Trial trial = reference.trial(t);
                checkShapes(trial);
                Prints prints = judgeTrial(trial, params, "trial " + t + " (" + trial.distribution() + ")");
                if (previous != null) dependence(previous, prints, "trials " + (t - 1) + " and " + t + " have different inputs");
                if (t == 0) {
                    firstTrial = trial;
                    first = prints; // for the one-input probes
                }
                else reference.discard(trial);
                previous = prints;
            }
            // With several inputs, a kernel that ignores one of them still changes its output between trials: probe
            // each of get_inputs()'s tensors alone.
            int given = firstTrial == null ? 0 : firstTrial.givenInputs();
            for (int i = 0; given > 1 && i < given; i++) {
                Reference.Trial probe = reference.trialWithInputFrom(0, i, 1);
                checkShapes(probe);
                dependence(first, judgeTrial(probe, params, "trial 0 with input " + i + " from trial 1"), "only input " + i + " changed");
                reference.discard(probe);
            }
            if (firstTrial != null) reference.discard(firstTrial);
        }
        List<GuardResult> guards = new ArrayList<>();
        for (String g : GUARDS) guards.add(new GuardResult(g, !violations.containsKey(g), violations.getOrDefault(g, "")));
        return new Verification(guards, worst, worstWhere, trials, reference.describe(), List.copyOf(arbitrated));
    }

    private void checkShapes(Reference.Trial trial) throws Reference.ReferenceException {
        List<LaunchPlan.Buffer> inputs = model.buffers(LaunchPlan.Role.INPUT), outputs = model.buffers(LaunchPlan.Role.OUTPUT);
        if (trial.inputs().size() != inputs.size())
            throw new Reference.ReferenceException("the reference gives " + trial.inputs().size() + " input tensors (with forward's random draws), kc's plan takes " + inputs.size());
        if (trial.outputs().size() != outputs.size())
            throw new Reference.ReferenceException("forward returns " + trial.outputs().size() + " tensors in the reference, " + outputs.size() + " in kc");
        for (int i = 0; i < inputs.size(); i++) {
            var h = trial.inputs().get(i).header();
            if (!h.shape().equals(inputs.get(i).shape()) || h.dtype() != inputs.get(i).dtype())
                throw new Reference.ReferenceException("input " + i + " is " + h.dtype() + h.shape() + " in the reference, " + inputs.get(i).dtype() + inputs.get(i).shape() + " in kc");
        }
        for (int o = 0; o < outputs.size(); o++)
            if (!trial.outputs().get(o).header().shape().equals(outputs.get(o).shape()))
                throw new Reference.ReferenceException("output " + o + " is " + trial.outputs().get(o).header().shape() + " in the reference, " + outputs.get(o).shape() + " in kc");
    }

    /**
     * Uploads one trial's inputs and reference outputs, runs and judges kc on them ({@link #runAndJudge}), and returns
     * the fingerprints of both sides' outputs; every buffer of the trial is freed before this returns.
     */
    private Prints judgeTrial(Reference.Trial trial, Outputs params, String where) throws IOException {
        try (Outputs in = uploadAll(trial.inputs()); Outputs ref = uploadAll(trial.outputs());
             Outputs cand = runAndJudge(in, ref, params, where)) {
            return prints(cand, ref);
        }
    }

    /** kc's outputs (cand) and the reference's (ref) as fingerprints of their bits, output by output. */
    private Prints prints(Outputs cand, Outputs ref) {
        List<LaunchPlan.Buffer> outputs = model.buffers(LaunchPlan.Role.OUTPUT);
        long[] candidate = new long[outputs.size()], reference = new long[outputs.size()];
        for (int o = 0; o < outputs.size(); o++) {
            LaunchPlan.Buffer b = outputs.get(o);
            long n = b.shape().numel();
            DeviceBuffer r = ref.buffers().get(o);
            candidate[o] = helpers.fingerprint(cand.buffers().get(o), n, b.dtype().bytes);
            reference[o] = helpers.fingerprint(r, n, (int) (r.bytes() / Math.max(1, n)));
        }
        return new Prints(candidate, reference);
    }

    /** The weights on the device, once; every run copies them into its own fresh buffers. */
    private Outputs uploadParams(Map<String, Reference.TensorData> params) throws IOException, Reference.ReferenceException {
        List<Reference.TensorData> inPlanOrder = new ArrayList<>();
        for (LaunchPlan.Buffer p : model.buffers(LaunchPlan.Role.PARAM)) {
            Reference.TensorData f = params.get(p.key());
            if (f == null) throw new Reference.ReferenceException("the reference's state_dict has no entry " + p.key());
            if (f.header().dtype() != p.dtype() || !f.header().shape().equals(p.shape()))
                throw new Reference.ReferenceException("weight " + p.key() + " is " + f.header().dtype() + f.header().shape() + " in the reference, " + p.dtype() + p.shape() + " in kc");
            inPlanOrder.add(f);
        }
        return uploadAll(inPlanOrder);
    }

    /**
     * Runs the candidate twice on one trial's data (non-default stream with poisoned outputs, then the default
     * stream in fresh zeroed buffers), judges allclose, poison, inputs and determinism; returns the first run's outputs.
     */
    private Outputs runAndJudge(Outputs in, Outputs ref, Outputs params, String where) {
        List<DeviceBuffer> kept = new ArrayList<>();
        exactOutputs = null;
        exactMissing = null;
        try {
            judgeRuns(in, ref, params, where, kept);
        } catch (RuntimeException | Error e) {
            kept.forEach(DeviceBuffer::close);
            throw e;
        }
        return new Outputs(kept, model.buffers(LaunchPlan.Role.OUTPUT).stream().map(LaunchPlan.Buffer::dtype).toList());
    }

    /** {@link #runAndJudge}'s two runs; the first run's outputs are copied into kept (which the caller frees on failure). */
    private void judgeRuns(Outputs in, Outputs ref, Outputs params, String where, List<DeviceBuffer> kept) {
        List<LaunchPlan.Buffer> inputs = model.buffers(LaunchPlan.Role.INPUT), outputs = model.buffers(LaunchPlan.Role.OUTPUT),
                weights = model.buffers(LaunchPlan.Role.PARAM);
        try (GpuModel.Bound run = model.allocate()) {
            launch(run, in, params, (byte) 0xFF, stream, "on " + where);
            for (int o = 0; o < outputs.size(); o++) {
                LaunchPlan.Buffer b = outputs.get(o);
                DeviceBuffer r = ref.buffers().get(o);
                CompareStats c = helpers.compare(run.buffer(b.name()), b.dtype(), r, ref.dtypes().get(o), b.shape().numel(), Tolerance.of(b.dtype(), model.plan().precision()));
                String at = where + " output " + o;
                if (!c.passed()) {
                    CompareStats exact = float64Judgement(run.buffer(b.name()), b, o);
                    if (exact != null && exact.passed()) arbitrated.add(at + ": float32 reference " + c.summary() + "; float64 reference " + exact.summary());
                    else violate(ALLCLOSE, at + ": " + c.summary() + (exact != null ? "; against the float64 reference " + exact.summary()
                            : exactMissing != null ? "; no float64 reference to arbitrate (" + exactMissing + ")" : ""));
                }
                if (c.poisoned() > 0) violate(FULLY_WRITTEN, at + ": " + c.poisoned() + " of " + c.count() + " elements were never written");
                if (worst == null || !c.passed() && worst.passed()
                        || c.passed() == worst.passed() && c.relativeL2Error() > worst.relativeL2Error()) {
                    worst = c;
                    worstWhere = at;
                }
                DeviceBuffer copy = device.allocate(b.bytes());
                copy.copyFrom(run.buffer(b.name()));
                kept.add(copy);
            }
            for (int i = 0; i < inputs.size(); i++)
                unchanged(run.buffer(inputs.get(i).name()), in.buffers().get(i), inputs.get(i).dtype(), where + " input " + i);
            for (int i = 0; i < weights.size(); i++)
                unchanged(run.buffer(weights.get(i).name()), params.buffers().get(i), weights.get(i).dtype(), where + " weight " + weights.get(i).key());
        }
        try (GpuModel.Bound again = model.allocate()) {
            launch(again, in, params, (byte) 0, null, "again on " + where);
            for (int o = 0; o < outputs.size(); o++) {
                LaunchPlan.Buffer b = outputs.get(o);
                long differ = helpers.countDifferent(kept.get(o), again.buffer(b.name()), b.shape().numel(), b.dtype().bytes);
                if (differ > 0) violate(DETERMINISTIC, where + " output " + o + ": " + differ + " of " + b.shape().numel()
                        + " elements differ between a run on a non-default stream and a run on the default stream");
            }
        }
    }

    /** kc's output against the last trial's float64 reference; null when the reference cannot compute one. */
    private CompareStats float64Judgement(DeviceBuffer out, LaunchPlan.Buffer b, int o) {
        if (!b.dtype().isFloat()) return null;
        try {
            if (exactOutputs == null) exactOutputs = reference.float64Outputs();
            List<Reference.TensorData> exact = exactOutputs;
            try (DeviceBuffer ref = device.allocate(exact.get(o).header().dataBytes())) {
                TensorTransfer.load(exact.get(o), ref, device);
                return helpers.compare(out, b.dtype(), ref, exact.get(o).header().dtype(), b.shape().numel(), Tolerance.of(b.dtype(), model.plan().precision()));
            }
        } catch (IOException | Reference.ReferenceException | GpuException e) {
            exactMissing = e.getMessage(); // e.g. the float64 outputs did not fit beside kc's buffers
            return null;
        }
    }

    /**
     * Copies the inputs and weights into run's fresh buffers, fills the rest with pattern, runs the model on s
     * (null: the legacy default stream) and waits for it.
     */
    private void launch(GpuModel.Bound run, Outputs in, Outputs params, byte pattern, CUstream s, String where) {
        load(run, in, params);
        poisonAllBut(run, pattern, s);
        // The copies ran on the legacy default stream, which a non-blocking stream does not wait for.
        device.synchronize("loading inputs and weights");
        run.run(s);
        device.synchronize("running " + model.plan().model() + " " + where);
    }

    private void load(GpuModel.Bound run, Outputs in, Outputs params) {
        List<LaunchPlan.Buffer> inputs = model.buffers(LaunchPlan.Role.INPUT), weights = model.buffers(LaunchPlan.Role.PARAM);
        for (int i = 0; i < inputs.size(); i++) run.buffer(inputs.get(i).name()).copyFrom(in.buffers().get(i));
        for (int i = 0; i < weights.size(); i++) run.buffer(weights.get(i).name()).copyFrom(params.buffers().get(i));
    }

    /** Outputs and intermediates get the pattern; inputs, weights and constants keep their contents. */
    private void poisonAllBut(GpuModel.Bound run, byte pattern, CUstream stream) {
        for (LaunchPlan.Buffer b : model.plan().buffers())
            if (b.role() == LaunchPlan.Role.OUTPUT || b.role() == LaunchPlan.Role.SCRATCH) run.buffer(b.name()).fill(pattern, stream);
    }

    private void unchanged(DeviceBuffer used, DeviceBuffer pristine, DType dtype, String what) {
        long differ = helpers.countDifferent(used, pristine, used.bytes() / dtype.bytes, dtype.bytes);
        if (differ > 0) violate(INPUTS_UNCHANGED, what + ": " + differ + " elements were modified by the kernels");
    }

    /** Where the reference's output differs between runs a and b (by fingerprint), kc's must differ too. */
    private void dependence(Prints a, Prints b, String change) {
        for (int o = 0; o < a.candidate().length; o++)
            if (a.reference()[o] != b.reference()[o] && a.candidate()[o] == b.candidate()[o])
                violate(INPUT_DEPENDENCE, "output " + o + " is bit-identical although " + change + " and the reference's output differs");
    }

    private Outputs uploadAll(List<Reference.TensorData> files) throws IOException {
        List<DeviceBuffer> buffers = new ArrayList<>();
        List<DType> dtypes = new ArrayList<>();
        try {
            for (Reference.TensorData f : files) {
                dtypes.add(f.header().dtype());
                DeviceBuffer d = device.allocate(f.header().dataBytes());
                buffers.add(d);
                TensorTransfer.load(f, d, device);
            }
        } catch (IOException | RuntimeException e) {
            buffers.forEach(DeviceBuffer::close);
            throw e;
        }
        return new Outputs(buffers, dtypes);
    }

    private void violate(String guard, String detail) {
        violations.putIfAbsent(guard, detail);
    }
}
