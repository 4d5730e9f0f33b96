package kc.passes.schedule.language;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import kc.passes.schedule.Accumulation;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.Tiles;
import kc.passes.schedule.MatrixUnit;
import kc.passes.schedule.Precision;

/**
 * Random schedules, seeded: print then parse gives the schedule back and prints the same text again, and any
 * respacing, reordering, commenting or leaving out of default knobs of a printed text means the same schedule.
 */
class ScheduleTextPropertyTest {
    private static final int CASES = 600;
    private static final String[] KEYWORDS = {"group", "strategy", "threads", "items", "vector", "accumulate", "split",
            "pointwise", "warp", "block", "grid", "scan", "plain", "double", "tile", "thread", "16x16", "mma", "tf32x3",
            "tf32", "bf16", "fp32", "precision"};
    private static final String FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:";
    private static final String REST = FIRST + "#";

    @Test
    void printThenParseIsTheIdentity() throws Exception {
        Random r = new Random(11);
        for (int i = 0; i < CASES; i++) {
            Schedule s = schedule(r);
            String text = ScheduleText.print(s);
            ScheduleText.Parsed p = ScheduleText.parse(text);
            assertEquals(s, p.schedule(), text);
            assertEquals(text, ScheduleText.print(p.schedule()));
            assertEquals(s.groups().stream().map(GroupSchedule::name).toList(), List.copyOf(p.groups().keySet()), text);
        }
    }

    @Test
    void anyLayoutOfTheSameKnobsParsesTheSame() throws Exception {
        Random r = new Random(12);
        for (int i = 0; i < CASES; i++) {
            Schedule s = schedule(r);
            StringBuilder text = new StringBuilder(r.nextBoolean() ? "" : "# kc schedule\n");
            if (s.precision() != null) text.append("precision").append(space(r)).append(s.precision().word()).append(space(r));
            for (GroupSchedule g : s.groups()) text.append(relaidOut(g, r)).append(space(r));
            assertEquals(s, ScheduleText.parse(text.toString()).schedule(), text.toString());
        }
    }

    // ---- random schedules ----

    private static Schedule schedule(Random r) {
        int n = r.nextInt(8);
        Set<String> names = new HashSet<>();
        List<GroupSchedule> groups = new ArrayList<>();
        while (groups.size() < n) {
            String name = name(r);
            if (!names.add(name)) continue;
            Strategy strategy = Strategy.values()[r.nextInt(Strategy.values().length)];
            int splits = strategy == Strategy.GRID ? count(r) : r.nextInt(8) == 0 ? count(r) : 1;
            Tiles tiles = strategy != Strategy.TILE && r.nextInt(8) != 0 ? null
                    : r.nextBoolean() ? new Tiles(count(r), count(r), count(r), count(r), count(r))
                    : Tiles.mma(count(r), count(r), count(r), count(r), count(r), TENSOR_UNITS[r.nextInt(TENSOR_UNITS.length)]);
            if (tiles != null && r.nextBoolean()) tiles = tiles.withStages(count(r));
            if (tiles != null && r.nextBoolean()) tiles = tiles.withSwizzle(count(r));
            groups.add(new GroupSchedule(name, members(r), strategy, count(r), count(r), count(r),
                    Accumulation.values()[r.nextInt(Accumulation.values().length)], splits, tiles));
        }
        Precision[] precisions = Precision.values();
        return new Schedule(r.nextInt(4) == 0 ? null : precisions[r.nextInt(precisions.length)], groups);
    }

    private static final MatrixUnit[] TENSOR_UNITS = {MatrixUnit.TF32X3, MatrixUnit.TF32, MatrixUnit.BF16};

    private static List<String> members(Random r) {
        int n = r.nextInt(10) == 0 ? 20 + r.nextInt(30) : r.nextInt(4); // now and then a list long enough to wrap
        Set<String> m = new java.util.LinkedHashSet<>();
        while (m.size() < n) m.add(name(r));
        return List.copyOf(m);
    }

    /** Numbers from 1: the usual ones, small ones, and any up to Integer.MAX_VALUE. */
    private static int count(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> new int[] {1, 2, 4, 32, 128, 256, 1024}[r.nextInt(7)];
            case 1 -> 1 + r.nextInt(64);
            case 2 -> Integer.MAX_VALUE - r.nextInt(3);
            default -> 1 + r.nextInt(Integer.MAX_VALUE);
        };
    }

    /** Names as GroupNames makes them, keywords, numbers, keywords grown into names, and anything in the alphabet. */
    static String name(Random r) {
        return switch (r.nextInt(7)) {
            case 0 -> KEYWORDS[r.nextInt(KEYWORDS.length)];
            case 1 -> Integer.toString(r.nextInt(300));
            case 2 -> "blocks." + r.nextInt(12) + "." + pick(r, "attn", "mlp", "ln_1") + "." + pick(r, "c_proj", "c_fc", "block", "0");
            case 3 -> (r.nextBoolean() ? pick(r, "blocks.0.attn/", "layer1/", "group/") : "")
                    + pick(r, "softmax", "relu", "op", "scan", "split") + "#" + (1 + r.nextInt(9)) + (r.nextBoolean() ? ":" + (2 + r.nextInt(3)) : "");
            case 4 -> KEYWORDS[r.nextInt(KEYWORDS.length)] + randomWord(r, REST, 1 + r.nextInt(3));
            default -> FIRST.charAt(r.nextInt(FIRST.length())) + randomWord(r, REST, r.nextInt(12));
        };
    }

    private static String randomWord(Random r, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        return b.toString();
    }

    private static String pick(Random r, String... options) { return options[r.nextInt(options.length)]; }

    // ---- the same group, laid out at random ----

    /** Whitespace that may separate two words: spaces, tabs, line breaks, comments (after a space: '#' inside a word is part of it). */
    private static String space(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> "\t";
            case 1 -> "\n";
            case 2 -> "   \n\n  ";
            case 3 -> " # " + pick(r, "note", "group a strategy grid", "@@@ -1", "") + "\n";
            default -> " ";
        };
    }

    /** Around '=' and ',' no space is needed. */
    private static String maybeSpace(Random r) { return r.nextBoolean() ? "" : space(r); }

    private static String relaidOut(GroupSchedule g, Random r) {
        StringBuilder b = new StringBuilder("group").append(space(r)).append(g.name());
        for (int i = 0; i < g.members().size(); i++)
            b.append(maybeSpace(r)).append(i == 0 ? "=" : ",").append(maybeSpace(r)).append(g.members().get(i));
        List<String> knobs = new ArrayList<>();
        knobs.add("strategy" + space(r) + g.strategy().word());
        if (g.tiles() != null) { // without threads the parser would take the tiles' own count
            Tiles t = g.tiles();
            knobs.add("tile" + space(r) + t.m() + "x" + t.n() + "x" + t.k());
            if (t.unit() == MatrixUnit.SIMT) {
                knobs.add("thread" + space(r) + t.threadM() + "x" + t.threadN());
            } else {
                knobs.add("warp" + space(r) + t.warpM() + "x" + t.warpN());
                knobs.add("mma" + space(r) + t.unit().word());
            }
            if (t.stages() > 0) knobs.add("stages" + space(r) + t.stages());
            if (t.swizzle() > 0) knobs.add("swizzle" + space(r) + t.swizzle());
            knobs.add("threads" + space(r) + g.threads());
        } else {
            knob(knobs, "threads", g.threads(), ScheduleText.DEFAULT_THREADS, r);
        }
        knob(knobs, "items", g.items(), ScheduleText.DEFAULT_ITEMS, r);
        knob(knobs, "vector", g.vector(), ScheduleText.DEFAULT_VECTOR, r);
        knob(knobs, "split", g.splits(), ScheduleText.DEFAULT_SPLIT, r);
        if (g.accumulation() != ScheduleText.DEFAULT_ACCUMULATION || r.nextBoolean())
            knobs.add("accumulate" + space(r) + g.accumulation().word());
        Collections.shuffle(knobs, r);
        for (String k : knobs) b.append(space(r)).append(k);
        return b.toString();
    }

    /** A knob at its default may be left out; a number may have leading zeros. */
    private static void knob(List<String> knobs, String key, int value, int fallback, Random r) {
        if (value == fallback && r.nextBoolean()) return;
        knobs.add(key + space(r) + (r.nextInt(5) == 0 ? "00" : "") + value);
    }
}
