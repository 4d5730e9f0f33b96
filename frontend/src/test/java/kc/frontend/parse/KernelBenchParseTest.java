package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import kc.frontend.CompileError;
import kc.frontend.ast.PyModule;
import kc.frontend.ast.Stmt;
import org.junit.jupiter.api.Test;

/** Every KernelBench problem must parse. Fast enough (well under a second warm) to run by default. */
class KernelBenchParseTest {
    private static final Path ROOT = Path.of("../../shared/kernelbench");

    private static Path root() {
        // Surefire runs in the module folder (frontend/); the worktree's ../shared link is one level further up.
        for (Path p : List.of(ROOT, Path.of("../shared/kernelbench"))) {
            if (Files.isDirectory(p)) return p;
        }
        return null;
    }

    @Test
    void everyKernelBenchFileParses() throws IOException {
        Path root = root();
        assumeTrue(root != null, "KernelBench not found at ../shared/kernelbench; skipping the parse sweep");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no .py files under " + root);
        List<String> failures = new ArrayList<>();
        for (Path f : files) {
            try {
                PyModule m = PythonSource.parse(f.toString(), Files.readString(f));
                boolean hasModel = m.body().stream().anyMatch(s -> s instanceof Stmt.ClassDef c && c.name().equals("Model"));
                if (!hasModel) failures.add(f + ": no class Model in the AST");
            } catch (CompileError e) {
                failures.add(e.format());
            }
        }
        assertEquals(List.of(), failures, "of " + files.size() + " files");
    }
}
