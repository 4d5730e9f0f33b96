package kc.cli;

import java.io.PrintStream;
import java.io.PrintWriter;

import kc.frontend.CompileError;
import picocli.AutoComplete;
import picocli.CommandLine;

/** Entry point. {@link #run} is the testable form: no System.exit, streams passed in. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cli = commandLine(out, err);
        return cli.execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new KcCommand());
        cli.addSubcommand("completion", new AutoComplete.GenerateCompletion());
        cli.getSubcommands().get("completion").getCommandSpec().usageMessage().hidden(false)
                .description("Prints a bash completion script for kc: source <(kc completion)");
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter e = commandLine.getErr();
            if (ex instanceof CompileError ce) {
                e.println(ce.format());
                Diagnostics.printCaret(e, ce);
                return ExitCode.BAD_INPUT;
            }
            if (ex instanceof KcFailure f) {
                e.println("kc: " + f.getMessage());
                return f.exitCode();
            }
            e.println("kc: internal error: " + ex);
            if (commandLine.getCommandSpec().root().userObject() instanceof KcCommand k && k.stackTrace) {
                ex.printStackTrace(e);
            } else {
                e.println("kc: (run with --stacktrace for details)");
            }
            return ExitCode.INTERNAL;
        });
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("kc: " + ex.getMessage());
            e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCode.BAD_INPUT;
        });
        return cli;
    }
}
