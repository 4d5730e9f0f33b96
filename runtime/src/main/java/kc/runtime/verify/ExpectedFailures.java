package kc.runtime.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The gate of a KernelBench sweep: a checked-in list of the problems it is known to fail, one per line as
 * {@code level1/NAME.py  # reason}. The list may only shrink. A sweep fails when a problem that is not listed fails
 * (a regression) and when a listed problem passes (the list must lose it, so that it cannot regress unnoticed).
 * A count threshold ("200 of 220") would let one problem's fix hide another's regression.
 *
 * <p>Used by the sweeps' tests (runtime and cli); main code only because both modules' tests need it.
 */
public final class ExpectedFailures {
    private final Path file;
    private final Map<String, String> reasons;

    private ExpectedFailures(Path file, Map<String, String> reasons) {
        this.file = file;
        this.reasons = Collections.unmodifiableMap(reasons);
    }

    /** Reads a list; blank lines and lines starting with # are comments. A missing file is an error, not an empty list. */
    public static ExpectedFailures read(Path file) throws IOException {
        Map<String, String> reasons = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) continue;
            int hash = entry.indexOf('#');
            String name = (hash < 0 ? entry : entry.substring(0, hash)).strip();
            if (name.contains(" ")) throw new IllegalArgumentException(file + ":" + lineNo + ": one problem name per line, then # and a reason: " + line);
            if (reasons.put(name, hash < 0 ? "" : entry.substring(hash + 1).strip()) != null)
                throw new IllegalArgumentException(file + ":" + lineNo + ": " + name + " is listed twice");
        }
        return new ExpectedFailures(file, reasons);
    }

    public Map<String, String> reasons() { return reasons; }

    /**
     * What is wrong with a sweep's outcome against this list; empty when it matches.
     *
     * @param ran      the problems the sweep ran
     * @param failed   the problems that failed, with why
     * @param complete whether {@code ran} is the whole problem set (not a -Dkc.only selection): then a listed name
     *                 that did not run is reported too, since it names no problem any more
     */
    public List<String> check(Collection<String> ran, Map<String, String> failed, boolean complete) {
        List<String> wrong = new ArrayList<>();
        for (var e : new TreeMap<>(failed).entrySet())
            if (!reasons.containsKey(e.getKey()))
                wrong.add(e.getKey() + " fails and is not on the expected-failure list " + file + ": " + e.getValue());
        for (String name : reasons.keySet()) {
            if (ran.contains(name) && !failed.containsKey(name))
                wrong.add(name + " passes now: remove it from " + file);
            else if (complete && !ran.contains(name))
                wrong.add(name + " is on " + file + " but is not a problem of this sweep: remove it");
        }
        return wrong;
    }

    /**
     * Writes the list as it would read for this outcome ({@code NAME  # reason} per failure, sorted), e.g. into
     * target/, so that whoever updates the checked-in list can compare the two.
     */
    public static void write(Path file, Map<String, String> failed) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (var e : new TreeMap<>(failed).entrySet()) sb.append(e.getKey()).append("  # ").append(oneLine(e.getValue())).append('\n');
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /** A reason short enough for one line of a list. */
    public static String oneLine(String reason) {
        String line = reason.strip().lines().findFirst().orElse("").replaceAll("\\s+", " ");
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }
}
