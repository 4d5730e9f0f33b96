package kc.runtime.pipeline;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import kc.passes.schedule.language.ScheduleText;
import kc.runtime.Diagnostic;

/**
 * A schedule written in kc's schedule language, as the user gave it: its text and the name errors give it.
 *
 * @param name the file's name as the user wrote it, for {@code name:line:col: error: ...}
 */
public record ScheduleSource(String name, String text) {
    /** @throws Diagnostic.BadInput when the file cannot be read */
    public static ScheduleSource read(Path file) {
        try {
            return new ScheduleSource(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            String why = e instanceof NoSuchFileException ? "no such file"
                    : e instanceof MalformedInputException ? "the file is not valid UTF-8"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw Diagnostic.BadInput.at(file.toString(), 1, 1, "cannot read the schedule: " + why);
        }
    }

    /** @throws Diagnostic.BadInput at the place of a syntax error */
    ScheduleText.Parsed parse() {
        try {
            return ScheduleText.parse(text);
        } catch (ScheduleText.SyntaxError e) {
            throw Diagnostic.BadInput.at(name, e.location().line(), e.location().column(), e.getMessage());
        }
    }
}
