package kc.cli;

import java.nio.file.Path;

import kc.runtime.pipeline.ScheduleSource;
import picocli.CommandLine.Option;

/** --schedule S: a schedule in kc's schedule language for the commands that compile. */
final class ScheduleOption {
    @Option(names = "--schedule", paramLabel = "S",
            description = {"A schedule file (kc's schedule language; `kc explain FILE --after schedule` prints the default one).",
                    "Its groups direct fusion and their knobs replace the defaults; groups it leaves out get the defaults.",
                    "Problems are reported as S:LINE:COL: error: group NAME: reason (exit status 2)."})
    Path file;

    /** The schedule to compile with, or null for the defaults. */
    ScheduleSource source() { return file == null ? null : ScheduleSource.read(file); }
}
