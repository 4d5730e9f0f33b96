package kc.runtime.bench;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import kc.ir.graph.Json;
import kc.runtime.ExitCode;
import kc.runtime.Folders;

/**
 * {@code kc run ... --json FILE} in a child JVM, the unit of kc bench's measurements: a kernel that faults or hangs
 * fails that problem only, not the sweep. The child's result is the JSON it wrote; a child that timed out or died
 * without writing one gets a result saying so, written in its place so that a resumed sweep keeps it.
 */
public final class ChildRun {
    private final String mainClass;
    private final long timeoutSeconds;

    /**
     * @param mainClass      kc's entry point, for a child started from a class path (a child of kc.jar runs -jar)
     * @param timeoutSeconds how long a child may take before it and its children are killed
     */
    public ChildRun(String mainClass, long timeoutSeconds) {
        this.mainClass = mainClass;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * Runs kc with {@code args} (the command and its options) plus {@code --json json}, its output going to log.
     *
     * @return the result the child wrote, or one with verdict TIMEOUT, ERROR (bad input), NO_REFERENCE (a missing
     *         tool) or CRASH and the last line it printed
     */
    public Map<String, Object> run(List<String> args, Path json, Path log) throws IOException {
        Files.deleteIfExists(json);
        List<String> cmd = javaCommand();
        cmd.addAll(args);
        cmd.addAll(List.of("--json", json.toString()));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished;
        try {
            finished = child.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while kc run ran");
        }
        if (!finished) {
            child.descendants().forEach(ProcessHandle::destroyForcibly);
            child.destroyForcibly();
            return persist(json, Map.of("verdict", "TIMEOUT", "detail", "kc run took longer than " + timeoutSeconds + " s"));
        }
        if (Files.isRegularFile(json)) {
            @SuppressWarnings("unchecked") Map<String, Object> r = (Map<String, Object>) Json.parse(Files.readString(json, StandardCharsets.UTF_8));
            return r;
        }
        String text = Files.readString(log, StandardCharsets.UTF_8).strip();
        String last = text.isEmpty() ? "no output" : text.substring(text.lastIndexOf('\n') + 1);
        int status = child.exitValue();
        return persist(json, Map.of("verdict", status == ExitCode.BAD_INPUT ? "ERROR" : status == ExitCode.NO_TOOLCHAIN ? "NO_REFERENCE" : "CRASH",
                "detail", "exit status " + status + ": " + last));
    }

    /** This JVM again, the way it was started: the same java, native library path and jar (or class path). */
    private List<String> javaCommand() {
        String classPath = System.getProperty("java.class.path");
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:+UseSerialGC"));
        // the distribution's launcher points JCuda at its native libraries; the children look in the same place
        String natives = System.getProperty("java.library.path");
        if (natives != null && !natives.isEmpty()) cmd.add("-Djava.library.path=" + natives);
        // kc.jar's manifest lets JCuda load its native library quietly; that holds only when started with -jar
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator)) cmd.addAll(List.of("-jar", classPath));
        else cmd.addAll(List.of("-cp", classPath, mainClass));
        return cmd;
    }

    private static Map<String, Object> persist(Path json, Map<String, Object> result) throws IOException {
        Folders.writeAtomically(json, Json.write(result) + "\n");
        return result;
    }
}
