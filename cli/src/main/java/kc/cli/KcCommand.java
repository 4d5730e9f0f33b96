package kc.cli;

import kc.runtime.ExitCode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kc",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "kc compiles PyTorch modules (class Model(nn.Module) with get_inputs()/get_init_inputs(), the",
            "KernelBench convention) into verified GPU kernels. It reads the Python source itself: no Python is",
            "needed to compile; Python with torch is used only to check kc against PyTorch."},
        subcommands = {GraphCommand.class, CompileCommand.class, ExplainCommand.class, CheckCommand.class, RunCommand.class, BenchCommand.class},
        footerHeading = "%n",
        footer = ExitCode.TABLE)
final class KcCommand implements Runnable {
    @Option(names = "--stacktrace", description = "Print Java stack traces of internal errors.", scope = picocli.CommandLine.ScopeType.INHERIT)
    boolean stackTrace;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
