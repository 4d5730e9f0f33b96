package kc.runtime.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a run over many problems, on stderr: done/total, elapsed time, an estimate of the time left and
 * the problem at hand. On a terminal one line is redrawn in place ('\r'); otherwise (a log, CI) one line is
 * printed per finished problem, so the output stays readable when captured.
 */
public final class ProgressBar implements AutoCloseable {
    private static final int BAR_WIDTH = 24;

    private final int total;
    private final PrintStream out;
    private final boolean redraw;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private int done;
    private int lastWidth;

    /**
     * @param redraw   redraw one line in place (a terminal) rather than print a line per finished problem
     * @param nanoTime the clock, {@link System#nanoTime} outside tests
     */
    public ProgressBar(int total, PrintStream out, boolean redraw, LongSupplier nanoTime) {
        if (total < 0) throw new IllegalArgumentException("negative total " + total);
        this.total = total;
        this.out = out;
        this.redraw = redraw;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    /** A progress bar on stderr that redraws in place when a console is attached. */
    public static ProgressBar onStderr(int total) {
        return new ProgressBar(total, System.err, System.console() != null, System::nanoTime);
    }

    /** Shows that work on problem has begun (redrawn on a terminal; silent otherwise). */
    public synchronized void started(String problem) {
        if (redraw) draw(status(problem));
    }

    /** Counts problem as finished, with its outcome (e.g. a verdict and a time) shown beside it. */
    public synchronized void finished(String problem, String outcome) {
        done = Math.min(done + 1, total);
        String line = status(problem) + (outcome.isEmpty() ? "" : "  " + outcome);
        if (redraw) draw(line);
        else out.println(line);
    }

    /** Ends the redrawn line, so what is printed next starts on a line of its own. */
    @Override public synchronized void close() {
        if (redraw && lastWidth > 0) { out.println(); lastWidth = 0; }
        out.flush();
    }

    public synchronized int done() { return done; }

    /** e.g. {@code [#########...............]  12/220  1m03s elapsed, 4m10s left  level1/19_ReLU} */
    private String status(String problem) {
        long elapsed = nanoTime.getAsLong() - startNanos;
        String count = String.format(Locale.ROOT, "%" + Integer.toString(total).length() + "d/%d", done, total);
        String left = done == 0 ? "?" : duration(elapsed / done * (total - done));
        String head = redraw ? bar() + "  " + count : "[" + count + "]";
        return head + "  " + duration(elapsed) + " elapsed, " + left + " left  " + problem;
    }

    private String bar() {
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "]";
    }

    private void draw(String line) {
        // pad over the remains of a longer previous line
        out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
        out.flush();
        lastWidth = line.length();
    }

    /** 45s, 3m04s, 2h05m */
    static String duration(long nanos) {
        long s = Math.max(0, Math.round(nanos / 1e9));
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
    }
}
