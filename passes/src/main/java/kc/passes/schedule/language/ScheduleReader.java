package kc.passes.schedule.language;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

import kc.grammar.ScheduleLexer;
import kc.grammar.ScheduleParser;
import kc.passes.schedule.Accumulation;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.MatrixUnit;
import kc.passes.schedule.Precision;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.Tiles;
import kc.passes.schedule.language.ScheduleText.Location;
import kc.passes.schedule.language.ScheduleText.Parsed;
import kc.passes.schedule.language.ScheduleText.SyntaxError;

/**
 * Schedule text to kc's records: ANTLR's parse tree (grammar/…/Schedule.g4) goes no further than this class. The
 * first problem stops the parse: one error with a precise place is worth more than a cascade after recovery.
 */
final class ScheduleReader {
    private ScheduleReader() {}

    static final String KNOBS = "strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle";
    static final String STRATEGIES = "pointwise, warp, block, grid, scan, tile, window";
    static final String ACCUMULATIONS = "plain, double";

    static Parsed read(String text) throws SyntaxError {
        ScheduleLexer lexer = new ScheduleLexer(CharStreams.fromString(text));
        lexer.removeErrorListeners(); // the STRAY rule makes lexer errors impossible; never let ANTLR print one
        lexer.addErrorListener(FIRST_ERROR);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        ScheduleParser parser = new ScheduleParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(FIRST_ERROR);
        try {
            return build(parser.schedule());
        } catch (Stop stop) {
            throw stop.error;
        }
    }

    /** Carries a SyntaxError (checked) out of ANTLR's callbacks and the tree walk. */
    private static final class Stop extends RuntimeException {
        final SyntaxError error;
        Stop(SyntaxError error) { super(null, null, false, false); this.error = error; }
    }

    private static Stop error(Token at, String message) { return new Stop(new SyntaxError(location(at), message)); }

    static Location location(Token t) { return new Location(t.getLine(), t.getCharPositionInLine() + 1); }

    // ---- the tree to records: the checks that need more than one token ----

    private static Parsed build(ScheduleParser.ScheduleContext tree) {
        Map<String, Location> declared = new LinkedHashMap<>();
        List<GroupSchedule> groups = new ArrayList<>();
        for (ScheduleParser.GroupContext g : tree.group()) {
            String name = g.name().getText();
            Location previous = declared.putIfAbsent(name, location(g.GROUP().getSymbol()));
            if (previous != null) throw error(g.name().getStart(), "group " + name + " is declared twice (first at line " + previous.line() + ")");
            groups.add(group(name, g));
        }
        Precision precision = tree.precision() == null ? null : Precision.of(tree.precision().word.getText());
        return new Parsed(new Schedule(precision, groups), Collections.unmodifiableMap(declared));
    }

    private static GroupSchedule group(String name, ScheduleParser.GroupContext g) {
        List<String> members = new ArrayList<>();
        if (g.members() != null) {
            for (ScheduleParser.NameContext m : g.members().name()) {
                if (members.contains(m.getText())) throw error(m.getStart(), "member " + m.getText() + " is listed twice in group " + name);
                members.add(m.getText());
            }
        }
        Strategy strategy = null;
        int threads = ScheduleText.DEFAULT_THREADS, items = ScheduleText.DEFAULT_ITEMS, vector = ScheduleText.DEFAULT_VECTOR;
        int splits = ScheduleText.DEFAULT_SPLIT, stages = 0, swizzle = 0;
        int[] tile = null, thread = null, warp = null;
        MatrixUnit unit = MatrixUnit.SIMT;
        Accumulation accumulation = ScheduleText.DEFAULT_ACCUMULATION;
        Map<Integer, Token> given = new HashMap<>();
        for (ScheduleParser.KnobContext k : g.knob()) {
            Token key = k.getStart();
            Token first = given.putIfAbsent(key.getType(), key);
            if (first != null) {
                Location at = location(first);
                throw error(key, key.getText() + " is given twice in group " + name + " (first at " + at.line() + ":" + at.column() + ")");
            }
            switch (key.getType()) {
                case ScheduleParser.STRATEGY -> strategy = Strategy.valueOf(k.word.getText().toUpperCase(Locale.ROOT));
                case ScheduleParser.ACCUMULATE -> accumulation = Accumulation.valueOf(k.word.getText().toUpperCase(Locale.ROOT));
                case ScheduleParser.THREADS -> threads = count(key, k.count());
                case ScheduleParser.ITEMS -> items = count(key, k.count());
                case ScheduleParser.VECTOR -> vector = count(key, k.count());
                case ScheduleParser.SPLIT -> splits = count(key, k.count());
                case ScheduleParser.STAGES -> stages = count(key, k.count());
                case ScheduleParser.SWIZZLE -> swizzle = count(key, k.count());
                case ScheduleParser.TILE -> tile = size(key, k.size(), 3, "MxNxK: the block's rows, columns and reduction step");
                case ScheduleParser.THREAD -> thread = size(key, k.size(), 2, "MxN: each thread's rows and columns");
                case ScheduleParser.WARP -> warp = size(key, k.size(), 2, "MxN: each warp's rows and columns");
                case ScheduleParser.MMA -> unit = MatrixUnit.valueOf(k.word.getText().toUpperCase(Locale.ROOT));
                default -> throw new IllegalStateException("the grammar has a knob ScheduleReader does not know: " + key.getText());
            }
        }
        if (strategy == null) throw error(g.GROUP().getSymbol(), "group " + name + ": strategy is required (" + STRATEGIES + ")");
        boolean cores = unit == MatrixUnit.SIMT;
        if (thread != null && !cores) throw error(given.get(ScheduleParser.THREAD), "group " + name + ": thread MxN is for the cores; with mma give warp MxN");
        if (warp != null && cores) throw error(given.get(ScheduleParser.WARP), "group " + name + ": warp MxN goes with mma (tensor cores); on the cores give thread MxN");
        int[] per = cores ? thread : warp;
        if ((tile == null) != (per == null) || !cores && tile == null) {
            int at = tile != null ? ScheduleParser.TILE : cores ? ScheduleParser.THREAD : ScheduleParser.WARP;
            Token where = given.containsKey(at) ? given.get(at) : given.get(ScheduleParser.MMA);
            throw error(where, "group " + name + (cores ? ": tile and thread go together (tile MxNxK  thread MxN)" : ": mma needs tile MxNxK and warp MxN"));
        }
        Tiles tiles = tile == null ? null : cores ? new Tiles(tile[0], tile[1], tile[2], thread[0], thread[1]) : Tiles.mma(tile[0], tile[1], tile[2], warp[0], warp[1], unit);
        if (stages > 0 && tiles == null) throw error(given.get(ScheduleParser.STAGES), "group " + name + ": stages go with tile MxNxK (strategy tile)");
        if (swizzle > 0 && tiles == null) throw error(given.get(ScheduleParser.SWIZZLE), "group " + name + ": swizzle goes with tile MxNxK (strategy tile)");
        if (tiles != null) tiles = tiles.withStages(stages).withSwizzle(swizzle);
        if (tiles != null && !given.containsKey(ScheduleParser.THREADS)) threads = tiles.threads();
        return new GroupSchedule(name, members, strategy, threads, items, vector, accumulation, splits, tiles);
    }

    /** A knob's whole number: from 1 to Integer.MAX_VALUE. */
    private static int count(Token key, ScheduleParser.CountContext c) {
        String text = c.getText();
        BigInteger n = new BigInteger(text);
        if (n.signum() <= 0) throw error(c.getStart(), key.getText() + " must be at least 1, not " + text);
        if (n.bitLength() > 31) throw error(c.getStart(), key.getText() + " " + text + " is too large (at most " + Integer.MAX_VALUE + ")");
        return n.intValue();
    }

    /** A knob's size: {@code parts} whole numbers from 1 joined by x. */
    private static int[] size(Token key, ScheduleParser.SizeContext c, int parts, String what) {
        String[] text = c.getText().split("x");
        if (text.length != parts) throw error(c.getStart(), key.getText() + " needs " + what + ", found '" + c.getText() + "'");
        int[] out = new int[parts];
        for (int i = 0; i < parts; i++) {
            BigInteger n = new BigInteger(text[i]);
            if (n.signum() <= 0 || n.bitLength() > 31)
                throw error(c.getStart(), key.getText() + " " + c.getText() + ": each size must be from 1 to " + Integer.MAX_VALUE);
            out[i] = n.intValue();
        }
        return out;
    }

    // ---- ANTLR's syntax errors, worded for this language ----

    /**
     * Stops at the first error with kc's wording. ANTLR calls this before any recovery, with the parser still at
     * the error: its rule context and expected tokens say what was wanted there.
     */
    private static final BaseErrorListener FIRST_ERROR = new BaseErrorListener() {
        @Override
        public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                                String msg, RecognitionException e) {
            Location at = new Location(line, charPositionInLine + 1);
            if (!(recognizer instanceof ScheduleParser parser) || !(offendingSymbol instanceof Token found))
                throw new Stop(new SyntaxError(at, "unexpected character")); // the lexer: unreachable given STRAY
            throw new Stop(new SyntaxError(at, describe(parser, found)));
        }
    };

    private static String describe(ScheduleParser parser, Token found) {
        boolean glued = gluedToName(parser, found);
        if (found.getType() == ScheduleParser.STRAY || found.getType() == ScheduleParser.NEGATIVE && glued)
            return "unexpected character '" + found.getText().charAt(0) + "'" + (glued ? "; a name is letters, digits and _ . # / :" : "");
        ParserRuleContext ctx = parser.getContext();
        return switch (ctx) {
            case ScheduleParser.NameContext n when n.getParent() instanceof ScheduleParser.GroupContext ->
                    "expected a group name after 'group', found " + quote(found);
            case ScheduleParser.NameContext n -> "expected a member name, found " + quote(found);
            case ScheduleParser.CountContext c ->
                    c.getParent().getStart().getText() + " needs a whole number, found " + quote(found);
            case ScheduleParser.PrecisionContext p -> "precision needs fp32 or tf32x3, found " + quote(found);
            case ScheduleParser.SizeContext c ->
                    c.getParent().getStart().getText() + " needs a size such as " + (c.getParent().getStart().getType() == ScheduleParser.TILE ? "128x128x16" : "8x8") + ", found " + quote(found);
            case ScheduleParser.KnobContext k when k.getStart().getType() == ScheduleParser.MMA -> "mma needs a matrix unit (tf32x3, tf32 or bf16), found " + quote(found);
            case ScheduleParser.KnobContext k when k.getStart().getType() == ScheduleParser.STRATEGY ->
                    isWord(found) ? "unknown strategy " + quote(found) + "; strategies are " + STRATEGIES
                                  : "expected a strategy (" + STRATEGIES + "), found " + quote(found);
            case ScheduleParser.KnobContext k ->
                    isWord(found) ? "unknown accumulation " + quote(found) + "; accumulate is " + ACCUMULATIONS
                                  : "expected an accumulation (" + ACCUMULATIONS + "), found " + quote(found);
            // Between groups: after a group's name, members or knobs, the group may go on or the next one begin.
            case ScheduleParser.ScheduleContext s when !s.group().isEmpty() ->
                    found.getType() == ScheduleParser.NAME
                            ? "unknown knob " + quote(found) + "; knobs are " + KNOBS
                            : "expected a knob (" + KNOBS + ") or 'group', found " + quote(found);
            case ScheduleParser.ScheduleContext s -> "expected 'group', found " + quote(found);
            default -> "expected " + expected(parser.getExpectedTokens()) + ", found " + quote(found); // unforeseen: ANTLR's expected tokens
        };
    }

    /** True when found follows a name with no space between: {@code conv-1}, {@code café} were meant as one name. */
    private static boolean gluedToName(ScheduleParser parser, Token found) {
        Token before = parser.getTokenStream().LT(-1);
        return before != null && before.getStopIndex() + 1 == found.getStartIndex()
                && before.getType() != ScheduleParser.EQUALS && before.getType() != ScheduleParser.COMMA;
    }

    /** The expected tokens in words, for an error in a place that describe() has no wording of its own for. */
    private static String expected(IntervalSet tokens) {
        List<String> words = new ArrayList<>();
        for (int t : tokens.toArray()) words.add(t == Token.EOF ? "the end of the schedule" : ScheduleParser.VOCABULARY.getDisplayName(t));
        return String.join(" or ", words);
    }

    /** Names and keywords: a misspelt value rather than punctuation, a number or the end. */
    private static boolean isWord(Token t) {
        if (t.getType() == ScheduleParser.NAME) return true;
        String literal = ScheduleParser.VOCABULARY.getLiteralName(t.getType()); // a keyword's is 'group', 'block'...
        return literal != null && literal.matches("'[a-z]+'");
    }

    private static String quote(Token t) { return t.getType() == Token.EOF ? "the end of the schedule" : "'" + t.getText() + "'"; }
}
