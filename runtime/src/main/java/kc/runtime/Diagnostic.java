package kc.runtime;

import java.util.List;

/**
 * Why kc stopped, as one of the three things a user must tell apart: their input is wrong or unsupported
 * ({@link BadInput}, exit status 2, one {@code file:line:col: error: message} per problem), a tool kc needs is not
 * installed ({@link MissingTool}, 3), or kc has a bug ({@link Internal}, 70). A bug is never reported as bad input:
 * whatever a stage of kc throws that is not one of these is wrapped as {@link Internal}.
 */
public abstract sealed class Diagnostic extends RuntimeException
        permits Diagnostic.BadInput, Diagnostic.MissingTool, Diagnostic.Internal {

    private Diagnostic(String message, Throwable cause, boolean stackTrace) { super(message, cause, false, stackTrace); }

    /** The process's exit status for this diagnostic (see {@link ExitCode}). */
    public abstract int exitCode();

    /** One problem at a place in a user's file (the module or a schedule); line and column are 1-based. */
    public record Message(String file, int line, int column, String text) {
        /** {@code file:line:col: error: text} */
        public String format() { return file + ":" + line + ":" + column + ": error: " + text; }
    }

    /** The user's input is wrong or asks for something kc does not support: every problem found, each located. */
    public static final class BadInput extends Diagnostic {
        private final List<Message> messages;

        public BadInput(List<Message> messages) {
            super(String.join("\n", messages.stream().map(Message::format).toList()), null, false);
            if (messages.isEmpty()) throw new IllegalArgumentException("bad input needs at least one message");
            this.messages = List.copyOf(messages);
        }

        public static BadInput at(String file, int line, int column, String text) {
            return new BadInput(List.of(new Message(file, line, column, text)));
        }

        public List<Message> messages() { return messages; }

        @Override public int exitCode() { return ExitCode.BAD_INPUT; }
    }

    /** A tool kc needs (nvcc, ptxas, a Python with torch) is not installed: one line saying which and where kc looked. */
    public static final class MissingTool extends Diagnostic {
        public MissingTool(String message) { super(message, null, false); }

        @Override public int exitCode() { return ExitCode.NO_TOOLCHAIN; }
    }

    /**
     * A bug in kc: a stage threw, or produced output its verifier rejects. The message says where in one line; the
     * stack trace (kept, with the cause's) is for whoever fixes it.
     */
    public static final class Internal extends Diagnostic {
        public Internal(String message, Throwable cause) { super(message, cause, true); }

        @Override public int exitCode() { return ExitCode.INTERNAL; }
    }
}
