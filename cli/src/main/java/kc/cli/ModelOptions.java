package kc.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import kc.frontend.ModelEntry;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that reads a module file shares. */
final class ModelOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "A PyTorch module file: class Model(nn.Module), get_inputs(), get_init_inputs().")
    Path file;

    @Option(names = "-D", paramLabel = "NAME=VALUE", mapFallbackValue = "",
            description = "Override a module-level constant before evaluation, e.g. -D batch_size=2 (a Python literal). Repeatable.")
    Map<String, String> defines = new LinkedHashMap<>();

    @Option(names = "--entry", paramLabel = "EXPR", description = {"The model, as a Python expression evaluated in the file's namespace after its module-level code,",
            "e.g. --entry 'GPT(GPTConfig(n_layer=2))' (default: Model(*get_init_inputs()))."})
    String entry;

    @Option(names = "--inputs", paramLabel = "EXPR", description = "The example inputs, as an expression giving a list, e.g. --inputs '[torch.randint(0, 512, (4, 64))]' (default: get_inputs()).")
    String inputs;

    @Option(names = "--path", paramLabel = "DIR", description = "A folder searched for the file's own imports after the file's folder, like PYTHONPATH. Repeatable.")
    java.util.List<String> path = new java.util.ArrayList<>();

    /** The model and inputs as named on the command line (the KernelBench convention for what is not named). */
    ModelEntry entry() { return new ModelEntry(entry, inputs, path); }
}
