package kc.passes.schedule.language;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import kc.passes.schedule.Accumulation;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.MatrixUnit;
import kc.passes.schedule.Tiles;

/**
 * The schedule language: kc's text form of a {@link Schedule}, for people, for the search and for an LLM to write.
 * The grammar (grammar/src/main/antlr4/kc/grammar/Schedule.g4) describes it; in short:
 * <pre>
 * # kc schedule
 * precision tf32x3
 * group linear1 = linear1, sigmoid#1
 *   strategy pointwise  threads 256  items 1  vector 1  accumulate double
 * group big_sum#1
 *   strategy grid  split 8  threads 256  items 1  vector 1  accumulate double
 * </pre>
 * Knobs come in any order, each at most once; all but {@code strategy} may be left out and take the defaults
 * below. Members left out ({@code group big_sum#1} alone) are an empty list: the scheduler fills them in from the
 * graph ({@link kc.passes.schedule.DefaultScheduler#complete}). Parsing knows no graph: whether the names exist and
 * the knobs can run is {@link kc.passes.schedule.ScheduleLegality}'s to say.
 */
public final class ScheduleText {
    private ScheduleText() {}

    /** The first line of every printed schedule (a comment: parsing ignores it). */
    public static final String HEADER = "# kc schedule";

    /** What a group that leaves a knob out gets. */
    public static final int DEFAULT_THREADS = 256;
    public static final int DEFAULT_ITEMS = 1;
    public static final int DEFAULT_VECTOR = 1;
    public static final int DEFAULT_SPLIT = 1;
    public static final Accumulation DEFAULT_ACCUMULATION = Accumulation.DOUBLE;

    /** One word of the language: what a group or member name must be (every keyword is one too). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_./:][A-Za-z0-9_./:#]*");

    /** Member lists longer than this many columns go on over indented lines. */
    static final int WIDTH = 100;

    /** Where something is in a schedule text (1-based line, 1-based column). */
    public record Location(int line, int column) {}

    /** A parsed schedule and where each of its groups was declared (the {@code group} keyword), in text order. */
    public record Parsed(Schedule schedule, Map<String, Location> groups) {}

    /** A schedule text that is not in the language: where, and the reason (the message; {@link #format} gives both). */
    public static final class SyntaxError extends Exception {
        private final Location location;
        public SyntaxError(Location location, String message) { super(message); this.location = location; }
        public Location location() { return location; }
        /** {@code line:col: reason}, to follow a file name. */
        public String format() { return location.line() + ":" + location.column() + ": " + getMessage(); }
    }

    /** Parses a schedule text; the first problem in it is the SyntaxError. */
    public static Parsed parse(String text) throws SyntaxError { return ScheduleReader.read(text); }

    /**
     * The normalised text of a schedule: parse(print(s)) gives s back, and print(parse(t)) is t normalised. Every
     * knob is printed, in a fixed order; {@code split} only for strategy grid (or where it is not 1, so that nothing
     * is lost). A schedule that the text cannot hold (a name that is not one word, a number below 1, a group or
     * member given twice) is an IllegalArgumentException: what print writes always parses.
     */
    public static String print(Schedule s) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        if (s.precision() != null) out.append("precision ").append(s.precision().word()).append('\n');
        Set<String> groups = new HashSet<>();
        for (GroupSchedule g : s.groups()) {
            if (!groups.add(g.name())) throw new IllegalArgumentException("group " + g.name() + " is scheduled twice");
            printGroup(out, g);
        }
        return out.toString();
    }

    private static void printGroup(StringBuilder out, GroupSchedule g) {
        int lineStart = out.length();
        out.append("group ").append(word(g.name(), g));
        List<String> members = g.members();
        for (int i = 0; i < members.size(); i++) {
            String m = word(members.get(i), g);
            if (members.indexOf(m) != i) throw new IllegalArgumentException("group " + g.name() + ": member " + m + " is listed twice");
            String sep = i == 0 ? " = " : ", ";
            if (i > 0 && out.length() - lineStart + sep.length() + m.length() > WIDTH) {
                out.append(",\n    ");
                lineStart = out.length() - 4;
            } else {
                out.append(sep);
            }
            out.append(m);
        }
        if (g.strategy() == null || g.accumulation() == null)
            throw new IllegalArgumentException("group " + g.name() + ": strategy and accumulation are required");
        out.append("\n  strategy ").append(g.strategy().word());
        if (g.strategy() == Strategy.GRID || g.splits() != DEFAULT_SPLIT) out.append("  split ").append(count("split", g.splits(), g));
        if (g.tiles() != null) {
            Tiles t = g.tiles();
            out.append("  tile ").append(count("tile", t.m(), g)).append('x').append(count("tile", t.n(), g)).append('x').append(count("tile", t.k(), g));
            if (t.unit() == MatrixUnit.SIMT) {
                out.append("  thread ").append(count("thread", t.threadM(), g)).append('x').append(count("thread", t.threadN(), g));
            } else {
                out.append("  warp ").append(count("warp", t.warpM(), g)).append('x').append(count("warp", t.warpN(), g));
                out.append("  mma ").append(t.unit().word());
            }
            if (t.stages() > 0) out.append("  stages ").append(count("stages", t.stages(), g));
            if (t.swizzle() > 0) out.append("  swizzle ").append(count("swizzle", t.swizzle(), g));
        }
        out.append("  threads ").append(count("threads", g.threads(), g));
        // a tiled group's outputs per thread are its thread tile: items and vector only where they say something
        if (g.strategy() != Strategy.TILE || g.items() != DEFAULT_ITEMS) out.append("  items ").append(count("items", g.items(), g));
        if (g.strategy() != Strategy.TILE || g.vector() != DEFAULT_VECTOR) out.append("  vector ").append(count("vector", g.vector(), g));
        out.append("  accumulate ").append(g.accumulation().word()).append('\n');
    }

    private static String word(String name, GroupSchedule g) {
        if (name == null || !NAME.matcher(name).matches())
            throw new IllegalArgumentException("group " + g.name() + ": '" + name + "' is not a name of the schedule language (letters, digits and _ . # / :)");
        return name;
    }

    private static int count(String knob, int n, GroupSchedule g) {
        if (n < 1) throw new IllegalArgumentException("group " + g.name() + ": " + knob + " " + n + " is below 1");
        return n;
    }
}
