package kc.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;

    @Test void withoutAConsoleItPrintsOneLinePerFinishedProblem() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(5 * SECOND);
        try (ProgressBar bar = new ProgressBar(12, new PrintStream(bytes, true, StandardCharsets.UTF_8), false, clock::get)) {
            bar.started("level1/a");
            clock.addAndGet(10 * SECOND);
            bar.finished("level1/a", "PASS 1.20x");
            bar.started("level1/b");
            clock.addAndGet(50 * SECOND);
            bar.finished("level1/b", "FAIL");
            clock.addAndGet(3600 * SECOND);
            bar.finished("level2/c", "");
            assertEquals(3, bar.done());
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(out.contains("\r"), out);
        List<String> lines = out.lines().toList();
        assertEquals(List.of(
                "[ 1/12]  10s elapsed, 1m50s left  level1/a  PASS 1.20x",
                "[ 2/12]  1m00s elapsed, 5m00s left  level1/b  FAIL",
                "[ 3/12]  1h01m elapsed, 3h03m left  level2/c"), lines);
    }

    @Test void onAConsoleItRedrawsOneLineAndEndsItOnClose() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong();
        try (ProgressBar bar = new ProgressBar(4, new PrintStream(bytes, true, StandardCharsets.UTF_8), true, clock::get)) {
            bar.started("a_long_problem_name");
            clock.addAndGet(2 * SECOND);
            bar.finished("a_long_problem_name", "PASS");
            bar.started("b");
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        String[] frames = out.split("\r", -1);
        assertEquals("", frames[0]);
        assertEquals(4, frames.length, out);
        assertTrue(frames[1].startsWith("[........................]  0/4  0s elapsed, ? left  a_long_problem_name"), frames[1]);
        assertTrue(frames[2].startsWith("[######..................]  1/4  2s elapsed, 6s left  a_long_problem_name  PASS"), frames[2]);
        // the shorter last frame is padded over the longer one before it, then the line is ended
        assertEquals(frames[2].length() + 1, frames[3].length(), frames[3]);
        assertTrue(frames[3].endsWith("\n") && frames[3].stripTrailing().endsWith("left  b"), frames[3]);
    }

    @Test void durations() {
        assertEquals("0s", ProgressBar.duration(0));
        assertEquals("59s", ProgressBar.duration(59 * SECOND));
        assertEquals("1m00s", ProgressBar.duration(60 * SECOND));
        assertEquals("59m59s", ProgressBar.duration(3599 * SECOND));
        assertEquals("2h05m", ProgressBar.duration((2 * 3600 + 5 * 60 + 7) * SECOND));
    }
}
