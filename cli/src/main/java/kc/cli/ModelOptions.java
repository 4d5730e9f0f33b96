package kc.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that reads a module file shares. */
final class ModelOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "A PyTorch module file: class Model(nn.Module), get_inputs(), get_init_inputs().")
    Path file;

    @Option(names = "-D", paramLabel = "NAME=VALUE", mapFallbackValue = "",
            description = "Override a module-level constant before evaluation, e.g. -D batch_size=2 (a Python literal). Repeatable.")
    Map<String, String> defines = new LinkedHashMap<>();
}
