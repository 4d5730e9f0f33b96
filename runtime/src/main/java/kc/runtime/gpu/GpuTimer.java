package kc.runtime.gpu;

import static jcuda.driver.JCudaDriver.*;

import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import kc.runtime.bench.Timing;

/**
 * Times a model's whole forward (its launch sequence) as MEASURING.md says: CUDA events on a stream around the
 * work, warm-up runs first, and before every timed trial a 256 MB buffer written so that the L2 cache holds nothing
 * of the previous trial. PyTorch's baselines are timed the same way by kc's torch_bench.py.
 */
public final class GpuTimer {
    public static final long FLUSH_BYTES = 256L << 20;
    private final GpuDevice device;

    public GpuTimer(GpuDevice device) { this.device = device; }

    /** MEASURING.md's 100 trials, unless a slow forward would take longer than the budget; never fewer than 10. */
    public static int trialsWithin(int maxTrials, double budgetSeconds, double secondsPerRun) {
        if (!(secondsPerRun > 0)) return maxTrials;
        return (int) Math.max(Math.min(maxTrials, 10), Math.min(maxTrials, Math.floor(budgetSeconds / secondsPerRun)));
    }

    /**
     * Times {@code run}: {@code warmups} runs, then up to {@code maxTrials} timed runs, fewer (but at least 10) when
     * they would take longer than {@code budgetSeconds} (the returned Timing says how many ran).
     */
    public Timing time(GpuModel.Bound run, int warmups, int maxTrials, double budgetSeconds) {
        CUstream stream = device.newStream();
        try (DeviceBuffer flush = device.allocate(FLUSH_BYTES)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < warmups; i++) run.run(stream);
            device.synchronize("warm-up runs");
            double each = (System.nanoTime() - t0) / 1e9 / Math.max(1, warmups);
            int trials = trialsWithin(maxTrials, budgetSeconds, each);
            CUevent[] start = new CUevent[trials], end = new CUevent[trials];
            for (int i = 0; i < trials; i++) {
                start[i] = device.newEvent();
                end[i] = device.newEvent();
                cuMemsetD32Async(flush.pointer(), i, FLUSH_BYTES / 4, stream);
                cuEventRecord(start[i], stream);
                run.run(stream);
                cuEventRecord(end[i], stream);
            }
            device.synchronize("timed runs");
            double[] ms = new double[trials];
            float[] elapsed = new float[1];
            for (int i = 0; i < trials; i++) {
                cuEventElapsedTime(elapsed, start[i], end[i]);
                ms[i] = elapsed[0];
                cuEventDestroy(start[i]);
                cuEventDestroy(end[i]);
            }
            return Timing.of(ms);
        } finally {
            cuStreamDestroy(stream);
        }
    }

    /**
     * Each launch's time inside the forward, over {@code trials} forwards (after warm-ups, an L2 flush before each
     * forward): [trial][launch] in ms, between events recorded around every launch. The events add a little to
     * each launch; {@link #time} stays the forward's figure.
     */
    public double[][] perLaunch(GpuModel.Bound run, int warmups, int trials) {
        CUstream stream = device.newStream();
        int n = run.launchCount();
        try (DeviceBuffer flush = device.allocate(FLUSH_BYTES)) {
            for (int i = 0; i < warmups; i++) run.run(stream);
            device.synchronize("warm-up runs");
            CUevent[][] marks = new CUevent[trials][n + 1];
            for (int t = 0; t < trials; t++) {
                for (int i = 0; i <= n; i++) marks[t][i] = device.newEvent();
                cuMemsetD32Async(flush.pointer(), t, FLUSH_BYTES / 4, stream);
                run.run(stream, marks[t]);
            }
            device.synchronize("timed runs, launch by launch");
            double[][] ms = new double[trials][n];
            float[] elapsed = new float[1];
            for (int t = 0; t < trials; t++) {
                for (int i = 0; i < n; i++) {
                    cuEventElapsedTime(elapsed, marks[t][i], marks[t][i + 1]);
                    ms[t][i] = elapsed[0];
                }
                for (CUevent e : marks[t]) cuEventDestroy(e);
            }
            return ms;
        } finally {
            cuStreamDestroy(stream);
        }
    }

}
