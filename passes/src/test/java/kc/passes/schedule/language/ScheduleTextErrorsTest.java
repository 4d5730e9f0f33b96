package kc.passes.schedule.language;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import kc.passes.schedule.Accumulation;
import kc.passes.schedule.GroupSchedule;
import kc.passes.schedule.Schedule;
import kc.passes.schedule.Strategy;
import kc.passes.schedule.language.ScheduleText.Location;
import kc.passes.schedule.language.ScheduleText.SyntaxError;

/** Every kind of error: the first one stops the parse, at the offending token's 1-based line and column. */
class ScheduleTextErrorsTest {
    // text ('~' is a line break) | line | column | message
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            group a~  strategy blok                     | 2 | 12 | unknown strategy 'blok'; strategies are pointwise, warp, block, grid, scan, tile, window
            group a strategy 256                        | 1 | 18 | expected a strategy (pointwise, warp, block, grid, scan, tile, window), found '256'
            group a strategy                            | 1 | 17 | expected a strategy (pointwise, warp, block, grid, scan, tile, window), found the end of the schedule
            group a strategy block accumulate triple    | 1 | 35 | unknown accumulation 'triple'; accumulate is plain, double
            group a strategy block thred 256            | 1 | 24 | unknown knob 'thred'; knobs are strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle
            group a strategy tile tile 128x128 thread 8x8 | 1 | 28 | tile needs MxNxK: the block's rows, columns and reduction step, found '128x128'
            group a strategy tile tile 64x64x8 thread 4 | 1 | 43 | thread needs MxN: each thread's rows and columns, found '4'
            group a strategy tile tile 64x64x0 thread 4x4 | 1 | 28 | tile 64x64x0: each size must be from 1 to 2147483647
            group a strategy tile tile 64x64x8          | 1 | 23 | group a: tile and thread go together (tile MxNxK  thread MxN)
            group a strategy tile tile 64x64x8 mma fp32 | 1 | 40 | mma needs a matrix unit (tf32x3, tf32 or bf16), found 'fp32'
            group a strategy tile tile 64x64x8 thread 4x4 mma tf32x3 | 1 | 36 | group a: thread MxN is for the cores; with mma give warp MxN
            group a strategy tile tile 64x64x8 warp 32x32 | 1 | 36 | group a: warp MxN goes with mma (tensor cores); on the cores give thread MxN
            group a strategy tile mma tf32x3            | 1 | 23 | group a: mma needs tile MxNxK and warp MxN
            group a strategy block stages 2             | 1 | 24 | group a: stages go with tile MxNxK (strategy tile)
            group a strategy block swizzle 8            | 1 | 24 | group a: swizzle goes with tile MxNxK (strategy tile)
            group a strategy tile tile 64x64x8 thread 4x4 stages 0 | 1 | 54 | stages must be at least 1, not 0
            group a strategy tile thread x4             | 1 | 30 | thread needs a size such as 8x8, found 'x4'
            group a = b c strategy block                | 1 | 13 | unknown knob 'c'; knobs are strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle
            group a strategy block, threads 4           | 1 | 23 | expected a knob (strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle) or 'group', found ','
            group a strategy block 64                   | 1 | 24 | expected a knob (strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle) or 'group', found '64'
            group a strategy block threads abc          | 1 | 32 | threads needs a whole number, found 'abc'
            group a strategy block items 1.5            | 1 | 30 | items needs a whole number, found '1.5'
            group a strategy block vector               | 1 | 30 | vector needs a whole number, found the end of the schedule
            group a strategy grid split 0               | 1 | 29 | split must be at least 1, not 0
            group a strategy block~threads -4           | 2 |  9 | threads must be at least 1, not -4
            group a strategy block items 99999999999    | 1 | 30 | items 99999999999 is too large (at most 2147483647)
            group a strategy block threads 2147483648   | 1 | 32 | threads 2147483648 is too large (at most 2147483647)
            group a strategy block threads 32 threads 64| 1 | 35 | threads is given twice in group a (first at 1:24)
            group a~strategy block~strategy warp        | 3 |  1 | strategy is given twice in group a (first at 2:1)
            group a strategy block~group b strategy warp~  group a strategy scan| 3 | 9 | group a is declared twice (first at line 1)
            group a strategy block~  group b threads 32 | 2 |  3 | group b: strategy is required (pointwise, warp, block, grid, scan, tile, window)
            group a = b, c, b strategy block            | 1 | 17 | member b is listed twice in group a
            strategy block                              | 1 |  1 | expected 'group', found 'strategy'
            ~# a comment, then~  threads 32             | 3 |  3 | expected 'group', found 'threads'
            group = a strategy block                    | 1 |  7 | expected a group name after 'group', found '='
            group                                       | 1 |  6 | expected a group name after 'group', found the end of the schedule
            group a = strategy block                    | 1 | 20 | expected a knob (strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle) or 'group', found 'block'
            group a = b,                                | 1 | 13 | expected a member name, found the end of the schedule
            group a = , b strategy block                | 1 | 11 | expected a member name, found ','
            group conv-a strategy block                 | 1 | 11 | unexpected character '-'; a name is letters, digits and _ . # / :
            group conv-1 strategy block                 | 1 | 11 | unexpected character '-'; a name is letters, digits and _ . # / :
            group a strategy block @                    | 1 | 24 | unexpected character '@'
            group a -1 strategy block                   | 1 |  9 | expected a knob (strategy, threads, items, vector, accumulate, split, tile, thread, warp, mma, stages, swizzle) or 'group', found '-1'
            group a strategy -1                         | 1 | 18 | expected a strategy (pointwise, warp, block, grid, scan, tile, window), found '-1'
            group a strategy block threads-4            | 1 | 31 | threads must be at least 1, not -4
            group a = b, @c strategy block              | 1 | 14 | unexpected character '@'
            group café strategy block                   | 1 | 10 | unexpected character 'é'; a name is letters, digits and _ . # / :
            """)
    void reportsWhereAndWhy(String text, int line, int column, String message) {
        SyntaxError e = assertThrows(SyntaxError.class, () -> ScheduleText.parse(text.replace('~', '\n')));
        assertEquals(message, e.getMessage());
        assertEquals(new Location(line, column), e.location(), e.format());
        assertEquals(line + ":" + column + ": " + message, e.format());
    }

    @Test
    void commentsAndNamesHoldAnything() throws Exception {
        // '#' after a space starts a comment: what follows is never an error; inside a name it is part of the name.
        Schedule s = ScheduleText.parse("# @@@ threads -1 group\ngroup a#b#  # -- é\n strategy block # threads 0\n").schedule();
        assertEquals(List.of(new GroupSchedule("a#b#", List.of(), Strategy.BLOCK, 256, 1, 1, Accumulation.DOUBLE, 1)), s.groups());
    }

    @Test
    void antlrPrintsNothing() {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setErr(capture);
            System.setOut(capture);
            for (String bad : new String[] {"strategy", "group", "group a strategy blok", "group a @", "group a = ,", "group a b c d"})
                assertThrows(SyntaxError.class, () -> ScheduleText.parse(bad));
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }
}
