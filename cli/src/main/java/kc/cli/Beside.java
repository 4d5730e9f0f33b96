package kc.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Work that runs on its own thread beside the main one (the machine's second core) until {@link #join} needs its
 * result. Compile uses it for the checks and estimates that depend only on the graph: for the 100k-node graphs of
 * unrolled RNNs they take a few hundred milliseconds that lowering and rendering can hide.
 */
final class Beside<T> {
    private final FutureTask<T> task;

    private Beside(Callable<T> work) { task = new FutureTask<>(work); }

    static <T> Beside<T> start(String name, Callable<T> work) {
        Beside<T> b = new Beside<>(work);
        Thread t = new Thread(b.task, name);
        t.setDaemon(true);
        t.start();
        return b;
    }

    /** The result; what the work threw is rethrown as it was (unchecked), not wrapped. */
    T join() {
        boolean interrupted = false;
        try {
            for (;;) {
                try {
                    return task.get();
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
}
