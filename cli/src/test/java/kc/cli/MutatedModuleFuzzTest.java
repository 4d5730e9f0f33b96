package kc.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds mutated module files through `kc graph` and asserts the bad-input contract end to end: either the
 * mutant still compiles (status 0), or kc prints exactly one `file:line:col: error: message` line (plus an
 * optional source line and caret) and exits with status 2. Never an internal error, never a stack trace.
 * Mutations are token-level so most mutants still parse and exercise the evaluator and the op library:
 * numbers changed (shape mismatches), names swapped, lines deleted or duplicated, arguments dropped.
 */
class MutatedModuleFuzzTest {
    static final Pattern TOKEN = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*|\\d+(?:\\.\\d+)?|\\S");
    static final String[] NUMBERS = {"0", "1", "-1", "2", "7", "1000000", "0.5", "-3", "True", "None", "()", "[]", "'x'"};

    @Test void mutantsCompileOrFailWithOneLocatedError(@TempDir Path dir) throws Exception {
        List<String> sources = new ArrayList<>();
        for (String name : new String[] {"conv_block.py", "tiny_gpt_block.py"})
            sources.add(Files.readString(Path.of("..", "examples", name)));
        Random random = new Random(20261121);
        long deadline = System.nanoTime() + 8_000_000_000L;
        int runs = 0, rejected = 0;
        while (runs < 400 && System.nanoTime() < deadline) {
            String mutant = mutate(sources.get(runs % sources.size()), random);
            Path file = dir.resolve("mutant" + runs + ".py");
            Files.writeString(file, mutant);
            CliRun r = CliRun.of("graph", file.toString(), "--format", "summary");
            runs++;
            if (r.status() == 0) continue;
            rejected++;
            String first = r.err().lines().findFirst().orElse("");
            if (r.status() != 2 || !first.matches(Pattern.quote(file.toString()) + ":\\d+:\\d+: error: .+"))
                fail("mutant " + file + " gave status " + r.status() + ":\n" + r.err() + "\n--- source ---\n" + mutant);
            assertTrue(r.err().lines().count() <= 3, r.err());
            assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
        }
        assertTrue(runs >= 50, "ran only " + runs + " mutants");
        assertTrue(rejected > runs / 10, "most mutants should be rejected, only " + rejected + " of " + runs + " were");
    }

    static String mutate(String source, Random random) {
        String[] lines = source.split("\n", -1);
        int line = random.nextInt(lines.length);
        switch (random.nextInt(5)) {
            case 0 -> { // replace a token
                List<int[]> spans = tokens(lines[line]);
                if (spans.isEmpty()) return source;
                int[] s = spans.get(random.nextInt(spans.size()));
                String replacement = random.nextBoolean() ? NUMBERS[random.nextInt(NUMBERS.length)]
                        : lines[random.nextInt(lines.length)].strip().split("\\W+")[0];
                lines[line] = lines[line].substring(0, s[0]) + replacement + lines[line].substring(s[1]);
            }
            case 1 -> lines[line] = ""; // delete a line
            case 2 -> lines[line] = lines[line] + "\n" + lines[random.nextInt(lines.length)]; // duplicate a line elsewhere
            case 3 -> { // drop a token
                List<int[]> spans = tokens(lines[line]);
                if (spans.isEmpty()) return source;
                int[] s = spans.get(random.nextInt(spans.size()));
                lines[line] = lines[line].substring(0, s[0]) + lines[line].substring(s[1]);
            }
            default -> { // change a number
                Matcher m = Pattern.compile("\\d+").matcher(lines[line]);
                if (!m.find()) return source;
                lines[line] = lines[line].substring(0, m.start()) + (random.nextInt(9) + 1) + lines[line].substring(m.end());
            }
        }
        return String.join("\n", lines);
    }

    private static List<int[]> tokens(String line) {
        List<int[]> spans = new ArrayList<>();
        Matcher m = TOKEN.matcher(line);
        while (m.find()) spans.add(new int[] {m.start(), m.end()});
        return spans;
    }
}
