package kc.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep's expected-failure list: new failures and listed problems that pass both fail the sweep. */
class ExpectedFailuresTest {
    @Test void newFailuresFixedProblemsAndStaleNamesAreAllReported(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("check.txt");
        Files.writeString(file, """
                # known failures
                level1/a.py  # frontend: torch.foo is not supported

                level1/b.py  # too large
                level9/gone.py
                """);
        ExpectedFailures list = ExpectedFailures.read(file);
        assertEquals(Map.of("level1/a.py", "frontend: torch.foo is not supported", "level1/b.py", "too large", "level9/gone.py", ""), list.reasons());

        List<String> ran = List.of("level1/a.py", "level1/b.py", "level1/c.py");
        assertEquals(List.of(), list.check(ran.subList(0, 2), Map.of("level1/a.py", "x", "level1/b.py", "y"), false),
                "a selection that fails exactly its listed problems matches");
        List<String> wrong = list.check(ran, Map.of("level1/a.py", "x", "level1/c.py", "nan in output 0"), true);
        assertEquals(3, wrong.size(), wrong.toString());
        assertTrue(wrong.get(0).startsWith("level1/c.py fails and is not on the expected-failure list") && wrong.get(0).endsWith(": nan in output 0"), wrong.get(0));
        assertTrue(wrong.get(1).startsWith("level1/b.py passes now: remove it from"), wrong.get(1));
        assertTrue(wrong.get(2).startsWith("level9/gone.py is on") && wrong.get(2).endsWith("remove it"), wrong.get(2));
    }

    @Test void writtenListReadsBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("target/l.txt");
        ExpectedFailures.write(file, Map.of("level2/z.py", "run: first line\nsecond line", "level1/y.py", "lower: # of dims"));
        assertEquals("level1/y.py  # lower: # of dims\nlevel2/z.py  # run: first line\n", Files.readString(file));
        assertEquals(Map.of("level1/y.py", "lower: # of dims", "level2/z.py", "run: first line"), ExpectedFailures.read(file).reasons());
    }

    @Test void malformedListsAreRejected(@TempDir Path dir) throws Exception {
        Path twice = dir.resolve("twice.txt"), spaced = dir.resolve("spaced.txt");
        Files.writeString(twice, "level1/a.py\nlevel1/a.py  # again\n");
        Files.writeString(spaced, "level1/a.py too large\n");
        assertThrows(IllegalArgumentException.class, () -> ExpectedFailures.read(twice));
        assertThrows(IllegalArgumentException.class, () -> ExpectedFailures.read(spaced));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ExpectedFailures.read(dir.resolve("absent.txt")));
    }
}
