package kc.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** The options of every command that checks kc against PyTorch. */
final class ReferenceOptions {
    @Option(names = "--python", paramLabel = "PATH", description = "The Python with torch to use (default: the first of python3 on PATH, /usr/bin/python3, /usr/local/bin/python3 that has torch and numpy).")
    Path python;

    @Option(names = "--trials", defaultValue = "5", description = "Independent input sets; every one must pass. Default: ${DEFAULT-VALUE}.")
    int trials;
}
