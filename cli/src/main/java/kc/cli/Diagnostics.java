package kc.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Prints the source line and a caret under the column of an error, when the file is readable. */
final class Diagnostics {
    private Diagnostics() {}

    static void printCaret(PrintWriter err, String file, int lineNo, int column) {
        if (lineNo < 1) return;
        try {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            if (lineNo > lines.size()) return;
            String line = lines.get(lineNo - 1).replace('\t', ' ');
            if (line.isBlank() || line.length() > 300) return;
            err.println("  " + line);
            err.println("  " + " ".repeat(Math.max(0, Math.min(column - 1, line.length()))) + "^");
        } catch (Exception ignored) {
            // the caret is a courtesy; the one-line message above already says everything
        }
    }
}
