package kc.frontend;

/**
 * How to get the model and its example inputs from a file that does not follow the KernelBench convention: Python
 * expressions evaluated in the file's namespace after its module-level code ({@code --entry}, {@code --inputs}).
 * Null parts take the convention's: {@code Model(*get_init_inputs())} and {@code get_inputs()}.
 *
 * @param entry  an expression giving the nn.Module, e.g. {@code GPT(GPTConfig(n_layer=2))}
 * @param inputs an expression giving the list of example inputs (tensors, tuples of tensors, Python scalars)
 * @param path   folders searched for the file's own imports after the file's folder, like PYTHONPATH ({@code --path})
 */
public record ModelEntry(String entry, String inputs, java.util.List<String> path) {
    public ModelEntry { path = path == null ? java.util.List.of() : java.util.List.copyOf(path); }

    public ModelEntry(String entry, String inputs) { this(entry, inputs, java.util.List.of()); }

    public static final ModelEntry CONVENTION = new ModelEntry(null, null);

    /** Where errors in the entry and inputs expressions are reported: {@code <entry>:1:COL}. */
    public static final String ENTRY_FILE = "<entry>", INPUTS_FILE = "<inputs>";

    public boolean conventional() { return entry == null && inputs == null && path.isEmpty(); }
}
