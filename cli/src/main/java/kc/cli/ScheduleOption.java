package kc.cli;

import java.nio.file.Path;

import kc.passes.schedule.Precision;
import kc.runtime.ExitCode;
import kc.runtime.pipeline.ScheduleSource;
import picocli.CommandLine.Option;

/** --schedule S: a schedule in kc's schedule language for the commands that compile. */
final class ScheduleOption {
    @Option(names = "--schedule", paramLabel = "S",
            description = {"A schedule file (kc's schedule language; `kc explain FILE --after schedule` prints the default one).",
                    "Its groups direct fusion and their knobs replace the defaults; groups it leaves out get the defaults.",
                    "Problems are reported as S:LINE:COL: error: group NAME: reason (exit status 2)."})
    Path file;

    @Option(names = "--precision", paramLabel = "P", description = {"fp32 (the cores only) or tf32x3 (tensor cores with each fp32 operand split in two tf32 parts;",
            "the default): both meet the 1e-4 tolerance. tf32 or bf16: PyTorch's reduced classes (operands rounded once),",
            "verified at 1e-2 with atol relative to the output's rms, and labelled so. Recorded in the schedule and in plan.json."})
    String precision;

    /** The precision asked for, or null; bad input for a word kc does not know. */
    Precision precision() {
        if (precision == null) return null;
        Precision p = Precision.of(precision);
        if (p == null) throw new KcFailure(ExitCode.BAD_INPUT, "--precision: unknown precision '" + precision + "' (known: "
                + java.util.Arrays.stream(Precision.values()).map(Precision::word).collect(java.util.stream.Collectors.joining(", ")) + ")");
        return p;
    }

    /** The schedule to compile with, or null for the defaults. */
    ScheduleSource source() { return file == null ? null : ScheduleSource.read(file); }
}
