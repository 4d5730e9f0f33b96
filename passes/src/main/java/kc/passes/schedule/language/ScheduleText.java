package kc.passes.schedule.language;

import java.util.Map;

import kc.passes.schedule.Schedule;

/**
 * The schedule language: kc's text form of a {@link Schedule}. (Being written: parse and print land with the
 * grammar.)
 */
public final class ScheduleText {
    private ScheduleText() {}

    /** Where something is in a schedule text (1-based line, 1-based column). */
    public record Location(int line, int column) {}

    /** A parsed schedule and where each of its groups was declared (for errors that name the group). */
    public record Parsed(Schedule schedule, Map<String, Location> groups) {}

    /** A schedule text that is not in the language: {@code line:col: reason}. */
    public static final class SyntaxError extends Exception {
        private final Location location;
        public SyntaxError(Location location, String message) { super(message); this.location = location; }
        public Location location() { return location; }
    }

    /** Parses a schedule text. */
    public static Parsed parse(String text) throws SyntaxError { throw new UnsupportedOperationException("not yet"); }

    /** The normalised text of a schedule: parse(print(s)) gives s back, and print(parse(t)) is t normalised. */
    public static String print(Schedule s) { throw new UnsupportedOperationException("not yet"); }
}
