package kc.frontend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import kc.frontend.ast.PyModule;
import kc.frontend.eval.ModelEvaluator;
import kc.frontend.parse.PythonSource;

/** kc's frontend in one call: a PyTorch model file (KernelBench convention) to a {@link LoadedModel}. */
public final class Frontend {
    private Frontend() {}

    /**
     * Reads, parses and evaluates a model file.
     *
     * @param defines -D overrides of module-level constants: name to the text of a Python literal
     * @throws CompileError for anything wrong with the file (unreadable, not UTF-8, syntax, evaluation)
     */
    public static LoadedModel load(Path file, Map<String, String> defines) { return load(file, defines, ModelEntry.CONVENTION); }

    /** The same, with the model and its inputs named by {@code entry}'s expressions where it gives them. */
    public static LoadedModel load(Path file, Map<String, String> defines, ModelEntry entry) {
        ModelEvaluator.prefetch();
        String name = file.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            throw new CompileError(name, 1, 1, "cannot read file: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CompileError(name, 1, 1, "the file is not valid UTF-8");
        }
        return load(name, text, defines, entry);
    }

    /** Parses and evaluates model source text; {@code fileName} is used in positions. */
    public static LoadedModel load(String fileName, String source, Map<String, String> defines) {
        return load(fileName, source, defines, ModelEntry.CONVENTION);
    }

    public static LoadedModel load(String fileName, String source, Map<String, String> defines, ModelEntry entry) {
        ModelEvaluator.prefetch();
        PyModule module = PythonSource.parse(fileName, source);
        PyModule entryExpr = entry.entry() == null ? null : PythonSource.parse(ModelEntry.ENTRY_FILE, entry.entry());
        PyModule inputsExpr = entry.inputs() == null ? null : PythonSource.parse(ModelEntry.INPUTS_FILE, entry.inputs());
        java.util.List<java.nio.file.Path> searchPath = new java.util.ArrayList<>();
        java.nio.file.Path folder = java.nio.file.Path.of(fileName).toAbsolutePath().getParent();
        if (folder != null) searchPath.add(folder);
        for (String d : entry.path()) searchPath.add(java.nio.file.Path.of(d).toAbsolutePath());
        return ModelEvaluator.evaluate(module, defines == null ? Map.of() : defines, entryExpr, inputsExpr, searchPath);
    }
}
