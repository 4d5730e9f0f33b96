package kc.frontend.torch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutates the numbers of KernelBench files (shapes, strides, dims, kernel sizes) and loads them: every mutant
 * must either build a graph or fail with a CompileError, never with another exception.
 */
@Tag("sweep")
class TorchFuzzTest {
    static final Pattern NUMBER = Pattern.compile("(?<![A-Za-z_0-9.])\\d+(?![A-Za-z_0-9.])");
    static final String[] REPLACEMENTS = {"0", "1", "-1", "2", "3", "5", "-2", "7"};

    @Test
    void mutantsCompileOrFailCleanly() throws IOException {
        List<Path> files = TorchSweepTest.files();
        Random rnd = new Random(Long.getLong("kc.fuzz.seed", 7));
        long deadline = System.nanoTime() + Long.getLong("kc.fuzz.seconds", 60) * 1_000_000_000L;
        List<String> internal = new ArrayList<>();
        java.util.TreeSet<String> messages = new java.util.TreeSet<>();
        int runs = 0, rejected = 0;
        while (System.nanoTime() < deadline) {
            Path f = files.get(rnd.nextInt(files.size()));
            String src = Files.readString(f);
            List<int[]> spans = new ArrayList<>();
            Matcher m = NUMBER.matcher(src);
            while (m.find()) spans.add(new int[] {m.start(), m.end()});
            if (spans.isEmpty()) continue;
            int[] s = spans.get(rnd.nextInt(spans.size()));
            String rep = REPLACEMENTS[rnd.nextInt(REPLACEMENTS.length)];
            String mutant = src.substring(0, s[0]) + rep + src.substring(s[1]);
            runs++;
            try {
                Frontend.load(f.getFileName().toString(), mutant, Map.of());
            } catch (CompileError e) {
                rejected++;
                if (Boolean.getBoolean("kc.fuzz.show")) messages.add(e.getMessage().replaceAll("\\d+", "N"));
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                int line = (int) src.substring(0, s[0]).chars().filter(c -> c == '\n').count() + 1;
                StackTraceElement[] st = e.getStackTrace();
                internal.add(f.getFileName() + ":" + line + " '" + src.substring(s[0], s[1]) + "'->'" + rep + "': " + e
                        + (st.length > 0 ? " at " + st[0] : "") + (st.length > 1 ? " < " + st[1] : ""));
            }
        }
        System.out.println("FUZZ: " + runs + " mutants, " + rejected + " rejected, " + internal.size() + " internal errors");
        internal.forEach(x -> System.out.println("FUZZ INTERNAL " + x));
        messages.forEach(x -> System.out.println("FUZZ MESSAGE " + x));
        assertTrue(internal.isEmpty(), internal.size() + " internal errors");
    }
}
