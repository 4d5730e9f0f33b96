package kc.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import kc.frontend.CompileError;

/** Prints the source line and a caret under the column of a {@link CompileError}, when the file is readable. */
final class Diagnostics {
    private Diagnostics() {}

    static void printCaret(PrintWriter err, CompileError e) {
        if (e.line() < 1) return;
        try {
            List<String> lines = Files.readAllLines(Path.of(e.file()), StandardCharsets.UTF_8);
            if (e.line() > lines.size()) return;
            String line = lines.get(e.line() - 1).replace('\t', ' ');
            if (line.isBlank() || line.length() > 300) return;
            err.println("  " + line);
            err.println("  " + " ".repeat(Math.max(0, Math.min(e.column() - 1, line.length()))) + "^");
        } catch (Exception ignored) {
            // the caret is a courtesy; the one-line message above already says everything
        }
    }
}
