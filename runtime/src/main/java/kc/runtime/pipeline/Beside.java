package kc.runtime.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import kc.runtime.Diagnostic;

/**
 * Work that runs on one thread beside the stages (the machine's second core) until something needs its result:
 * verifiers whose verdict only has to be known by the end (for the 100k-node graphs of unrolled RNNs they take a
 * few hundred milliseconds that the later stages hide), the cost estimate, the plan's JSON. One thread, first in
 * first out, so checks finish in stage order.
 */
final class Beside implements AutoCloseable {
    private record Check(Stage stage, Future<?> done) {}

    private ExecutorService thread; // started on first use: a run that stops early may never need it
    private final List<Check> checks = new ArrayList<>();
    private final Map<Stage, Double> checkMillis = new ConcurrentHashMap<>();

    /** Starts the check of a stage's output. */
    void check(Stage stage, Runnable check) {
        checks.add(new Check(stage, submit(() -> {
            long t0 = System.nanoTime();
            check.run();
            checkMillis.put(stage, (System.nanoTime() - t0) / 1e6);
            return null;
        })));
    }

    <T> Future<T> submit(Callable<T> work) {
        if (thread == null) thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kc-beside");
            t.setDaemon(true);
            return t;
        });
        return thread.submit(work);
    }

    /** The result of submitted work; what it threw is rethrown as it was (unchecked), not wrapped. */
    static <T> T join(Future<T> work) {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return work.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) throw r;
                    if (cause instanceof Error err) throw err;
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for every check started so far; the first that failed, as a diagnostic (a verifier that itself threw
     * is kc's bug), or null when all passed.
     */
    Diagnostic firstFailure() {
        Diagnostic first = null;
        for (Check c : checks) {
            try {
                join(c.done());
            } catch (Diagnostic d) {
                if (first == null) first = d;
            } catch (RuntimeException e) {
                if (first == null) first = new Diagnostic.Internal("checking the output of stage " + c.stage().word() + " failed: " + e, e);
            }
        }
        checks.clear();
        return first;
    }

    /**
     * The first failure among the checks that have finished, without waiting, when every check before it passed:
     * a run need not go on once its input is known to be bad.
     */
    Diagnostic failedSoFar() {
        for (Check c : checks) {
            if (!c.done().isDone()) return null;
            if (c.done().state() == Future.State.FAILED) return firstFailure();
        }
        return null;
    }

    /** How long a stage's check took, or NaN when it ran inline or not at all. */
    double checkMillis(Stage stage) { return checkMillis.getOrDefault(stage, Double.NaN); }

    @Override public void close() {
        if (thread != null) thread.shutdownNow();
    }
}
