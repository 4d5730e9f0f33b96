package kc.cli;

import picocli.CommandLine.Option;

/** How kc run and kc bench time a forward (kc's and PyTorch's alike). */
final class TimingOptions {
    @Option(names = "--timing-trials", defaultValue = "100", paramLabel = "N", description = "Timed runs per measurement, each after a 256 MB L2 flush. Default: ${DEFAULT-VALUE}.")
    int trials;

    @Option(names = "--timing-budget", defaultValue = "10", paramLabel = "SECONDS", description = "Fewer timed runs (at least 10) where --timing-trials would take longer than this; the report says how many ran. Default: ${DEFAULT-VALUE}.")
    double budget;
}
