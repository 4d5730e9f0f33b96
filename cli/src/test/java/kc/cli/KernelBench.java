package kc.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared KernelBench problems (input data outside the repository), when present. */
final class KernelBench {
    private KernelBench() {}

    static final Path ROOT = Path.of("..", "..", "shared", "kernelbench");

    static boolean present() { return Files.isDirectory(ROOT.resolve("level1")); }

    /** All problem files of levels 1-3, in a stable order. */
    static List<Path> problems() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT, 2)) {
            return s.filter(p -> p.toString().endsWith(".py") && p.getParent().getFileName().toString().startsWith("level"))
                    .sorted().toList();
        }
    }

    static String name(Path problem) {
        return problem.getParent().getFileName() + "/" + problem.getFileName();
    }
}
