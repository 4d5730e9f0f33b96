package kc.frontend;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import kc.frontend.ast.Expr;
import kc.frontend.ast.PyModule;
import kc.frontend.ast.Stmt;
import kc.frontend.parse.PythonSource;

/**
 * A module file's text with -D overrides written into it, as kc and its PyTorch reference apply them: after each
 * module-level assignment to NAME, {@code NAME = VALUE}. Code that kc emits around the user's own file (a PyTorch
 * {@code ModelNew}) then builds the model and its inputs at the sizes kc compiled for.
 */
public final class DefinedSource {
    private DefinedSource() {}

    /**
     * The source with each define's line inserted after every top-level statement that assigns its name (before the
     * next top-level statement, above its decorators).
     *
     * @throws CompileError when the source does not parse, or a define names no module-level assignment
     */
    public static String apply(String fileName, String source, Map<String, String> defines) {
        if (defines.isEmpty()) return source;
        PyModule module = PythonSource.parse(fileName, source);
        List<String> lines = new ArrayList<>(Arrays.asList(source.split("\n", -1)));
        Map<Integer, List<String>> insertBefore = new LinkedHashMap<>(); // 0-based line -> lines to insert there
        Map<String, String> unused = new LinkedHashMap<>(defines);
        List<Stmt> body = module.body();
        for (int i = 0; i < body.size(); i++) {
            TreeSet<String> names = new TreeSet<>();
            switch (body.get(i)) {
                case Stmt.Assign a -> a.targets().forEach(t -> names(t, names));
                case Stmt.AugAssign a -> names(a.target(), names);
                case Stmt.AnnAssign a -> names(a.target(), names);
                default -> { }
            }
            names.retainAll(defines.keySet());
            if (names.isEmpty()) continue;
            int at = i + 1 < body.size() ? firstLine(body.get(i + 1), lines) : lines.size();
            for (String n : names) {
                insertBefore.computeIfAbsent(at, k -> new ArrayList<>()).add(n + " = " + defines.get(n) + "  # kc -D");
                unused.remove(n);
            }
        }
        if (!unused.isEmpty())
            throw new CompileError(fileName, 1, 1, "-D " + String.join(", ", unused.keySet()) + ": no module-level assignment to override");
        StringBuilder out = new StringBuilder();
        for (int l = 0; l <= lines.size(); l++) {
            List<String> here = insertBefore.getOrDefault(l, List.of());
            if (!here.isEmpty() && l == lines.size() && !out.isEmpty() && out.charAt(out.length() - 1) != '\n') out.append('\n');
            for (String s : here) out.append(s).append('\n');
            if (l < lines.size()) out.append(lines.get(l)).append(l + 1 < lines.size() ? "\n" : "");
        }
        return out.toString();
    }

    /** The 0-based line a top-level statement starts on, counting its decorators. */
    private static int firstLine(Stmt s, List<String> lines) {
        int line = s.pos().line() - 1;
        while (line > 0 && lines.get(line - 1).startsWith("@")) line--;
        return line;
    }

    private static void names(Expr target, TreeSet<String> into) {
        switch (target) {
            case Expr.Name n -> into.add(n.id());
            case Expr.Tuple t -> t.elements().forEach(e -> names(e, into));
            case Expr.ListExpr l -> l.elements().forEach(e -> names(e, into));
            case Expr.Starred s -> names(s.value(), into);
            default -> { }
        }
    }
}
