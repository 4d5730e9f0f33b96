package kc.cli;

import java.io.PrintStream;
import java.io.PrintWriter;

import kc.frontend.CompileError;
import kc.runtime.Diagnostic;
import kc.runtime.ExitCode;
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
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> report(ex, commandLine.getErr(),
                commandLine.getCommandSpec().root().userObject() instanceof KcCommand k && k.stackTrace));
        cli.setParameterExceptionHandler((ex, args) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            e.println("kc: " + ex.getMessage());
            e.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCode.BAD_INPUT;
        });
        return cli;
    }

    /**
     * Prints what stopped a command and gives its exit status: bad input as {@code file:line:col: error: message}
     * lines with the source line and a caret, a missing tool or a command's own failure in one line, and anything
     * else as kc's internal error in one line (its stack trace only with --stacktrace).
     */
    static int report(Exception ex, PrintWriter err, boolean stackTrace) {
        if (ex instanceof CompileError ce) {
            err.println(ce.format());
            Diagnostics.printCaret(err, ce.file(), ce.line(), ce.column());
            return ExitCode.BAD_INPUT;
        }
        if (ex instanceof KcFailure f) {
            err.println("kc: " + f.getMessage());
            return f.exitCode();
        }
        if (ex instanceof Diagnostic d) {
            switch (d) {
                case Diagnostic.BadInput bad -> {
                    for (Diagnostic.Message m : bad.messages()) {
                        err.println(m.format());
                        Diagnostics.printCaret(err, m.file(), m.line(), m.column());
                    }
                }
                case Diagnostic.MissingTool missing -> err.println("kc: " + missing.getMessage());
                case Diagnostic.Internal internal -> internalError(err, internal.getMessage(), internal, stackTrace);
            }
            return d.exitCode();
        }
        internalError(err, ex.toString(), ex, stackTrace);
        return ExitCode.INTERNAL;
    }

    private static void internalError(PrintWriter err, String message, Exception ex, boolean stackTrace) {
        String line = message == null ? ex.getClass().getName() : message.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) line = line.substring(0, nl) + " ...";
        err.println("kc: internal error (a bug in kc): " + line + (stackTrace ? "" : " [--stacktrace shows where]"));
        if (stackTrace) ex.printStackTrace(err);
    }
}
