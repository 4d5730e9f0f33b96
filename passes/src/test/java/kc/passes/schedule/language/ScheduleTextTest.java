package kc.passes.schedule.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.passes.schedule.Accumulation;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.language.ScheduleText.Location;

/** The schedule language by example: what a hand-written text means, and the exact printed form. */
class ScheduleTextTest {
    private static GroupSchedule gs(String name, List<String> members, Strategy s, int threads, int items, int vector, Accumulation a, int splits) {
        return new GroupSchedule(name, members, s, threads, items, vector, a, splits);
    }

    @Test
    void handWrittenTextWithCommentsOddSpacingAndKeywordNames() throws Exception {
        String text = """
                # my schedule for the attention block
                group blocks.0.attn/softmax#2:3=blocks.0.attn/softmax#2 ,block # a member called block; '#' after a space starts a comment
                    threads 128 strategy
                  block   # the strategy's value on the line after its key
                accumulate plain
                group group = group,strategy, threads,256   # keywords and a number as names
                  strategy pointwise  items 0004 vector 2\tthreads 1024
                \tgroup  big_sum#1  strategy grid split 8
                group 0 strategy scan group op#1:2 strategy warp threads 32
                """;
        ScheduleText.Parsed p = ScheduleText.parse(text);
        assertEquals(new Schedule(List.of(
                gs("blocks.0.attn/softmax#2:3", List.of("blocks.0.attn/softmax#2", "block"), Strategy.BLOCK, 128, 1, 1, Accumulation.PLAIN, 1),
                gs("group", List.of("group", "strategy", "threads", "256"), Strategy.POINTWISE, 1024, 4, 2, Accumulation.DOUBLE, 1),
                gs("big_sum#1", List.of(), Strategy.GRID, 256, 1, 1, Accumulation.DOUBLE, 8),
                gs("0", List.of(), Strategy.SCAN, 256, 1, 1, Accumulation.DOUBLE, 1),
                gs("op#1:2", List.of(), Strategy.WARP, 32, 1, 1, Accumulation.DOUBLE, 1))), p.schedule());
        assertEquals(Map.of("blocks.0.attn/softmax#2:3", new Location(2, 1), "group", new Location(6, 1),
                "big_sum#1", new Location(8, 2), "0", new Location(9, 1), "op#1:2", new Location(9, 23)), p.groups());
        assertEquals(List.of("blocks.0.attn/softmax#2:3", "group", "big_sum#1", "0", "op#1:2"), new ArrayList<>(p.groups().keySet()), "in text order");
    }

    @Test
    void printsEveryKnobInAFixedOrder() {
        Schedule s = new Schedule(List.of(
                gs("linear1", List.of("linear1", "sigmoid#1"), Strategy.POINTWISE, 256, 1, 1, Accumulation.DOUBLE, 1),
                gs("softmax#1:2", List.of("softmax#1"), Strategy.BLOCK, 512, 1, 4, Accumulation.PLAIN, 1),
                gs("big_sum#1", List.of(), Strategy.GRID, 256, 1, 1, Accumulation.DOUBLE, 8),
                gs("odd", List.of(), Strategy.WARP, 32, 1, 1, Accumulation.DOUBLE, 3)));
        assertEquals("""
                # kc schedule
                group linear1 = linear1, sigmoid#1
                  strategy pointwise  threads 256  items 1  vector 1  accumulate double
                group softmax#1:2 = softmax#1
                  strategy block  threads 512  items 1  vector 4  accumulate plain
                group big_sum#1
                  strategy grid  split 8  threads 256  items 1  vector 1  accumulate double
                group odd
                  strategy warp  split 3  threads 32  items 1  vector 1  accumulate double
                """, ScheduleText.print(s), "split only for grid, or where it is not 1 (legality then says why it cannot run)");
        assertEquals("# kc schedule\n", ScheduleText.print(Schedule.EMPTY));
    }

    @Test
    void longMemberListsGoOnOverIndentedLines() throws Exception {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 30; i++) members.add("blocks." + i + ".mlp.fc");
        Schedule s = new Schedule(List.of(gs("blocks.0.mlp.fc", members, Strategy.POINTWISE, 256, 1, 1, Accumulation.DOUBLE, 1)));
        String text = ScheduleText.print(s);
        String[] lines = text.split("\n");
        assertTrue(lines.length > 4, text);
        for (String line : lines) assertTrue(line.length() <= ScheduleText.WIDTH, "too wide: " + line);
        assertTrue(lines[1].startsWith("group blocks.0.mlp.fc = blocks.0.mlp.fc, blocks.1.mlp.fc,"), lines[1]);
        assertTrue(lines[2].startsWith("    blocks."), "continuations are indented: " + lines[2]);
        assertEquals(s, ScheduleText.parse(text).schedule());
    }

    @Test
    void knobsLeftOutTakeTheDefaults() throws Exception {
        GroupSchedule g = ScheduleText.parse("group x strategy block").schedule().groups().get(0);
        assertEquals(gs("x", List.of(), Strategy.BLOCK, ScheduleText.DEFAULT_THREADS, ScheduleText.DEFAULT_ITEMS, ScheduleText.DEFAULT_VECTOR,
                ScheduleText.DEFAULT_ACCUMULATION, ScheduleText.DEFAULT_SPLIT), g);
        assertEquals(gs("x", List.of(), Strategy.BLOCK, 256, 1, 1, Accumulation.DOUBLE, 1), g, "the defaults the grammar's header documents");
    }

    @Test
    void emptyTextsAreTheEmptySchedule() throws Exception {
        assertEquals(Schedule.EMPTY, ScheduleText.parse("").schedule());
        assertEquals(Schedule.EMPTY, ScheduleText.parse("# kc schedule\n\n   # nothing yet\n").schedule());
    }

    @Test
    void printRefusesWhatTheTextCannotHold() {
        GroupSchedule ok = gs("a", List.of("b"), Strategy.POINTWISE, 256, 1, 1, Accumulation.DOUBLE, 1);
        List<Schedule> bad = List.of(
                new Schedule(List.of(ok.withName("a b"))),
                new Schedule(List.of(ok.withName("#1"))),
                new Schedule(List.of(ok.withName(""))),
                new Schedule(List.of(ok.withMembers(List.of("conv-1")))),
                new Schedule(List.of(ok.withMembers(List.of("b", "b")))),
                new Schedule(List.of(ok, ok)),
                new Schedule(List.of(ok.withThreads(0))),
                new Schedule(List.of(ok.withItems(-1))),
                new Schedule(List.of(ok.withVector(0))),
                new Schedule(List.of(ok.withSplits(0))),
                new Schedule(List.of(ok.withStrategy(null))),
                new Schedule(List.of(ok.withAccumulation(null))));
        for (Schedule s : bad) assertThrows(IllegalArgumentException.class, () -> ScheduleText.print(s), s.toString());
    }
}
