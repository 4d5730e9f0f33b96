package kc.codegen.ptx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs NVIDIA's ptxas over a PTX module (an external check: kc writes the PTX itself) and reports whether it is
 * accepted, with the registers per thread and static shared memory of every kernel as {@code ptxas -v} prints them.
 */
public final class PtxasCheck {
    private PtxasCheck() {}

    /**
     * @param ok          ptxas accepted the module
     * @param error       ptxas's messages when it did not (else "")
     * @param registers   kernel (entry) name -> registers per thread
     * @param sharedBytes kernel name -> static shared memory in bytes
     */
    public record Result(boolean ok, String error, Map<String, Integer> registers, Map<String, Long> sharedBytes) {
        public Result {
            registers = Map.copyOf(registers);
            sharedBytes = Map.copyOf(sharedBytes);
        }
    }

    private static final Pattern ENTRY = Pattern.compile("Compiling entry function '([^']+)'");
    private static final Pattern REGISTERS = Pattern.compile("Used (\\d+) registers");
    private static final Pattern SHARED = Pattern.compile("(\\d+) bytes smem");

    /** ptxas on PATH, else under /usr/local/cuda/bin. */
    public static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, "ptxas");
                if (Files.isExecutable(p)) return Optional.of(p);
            }
        }
        Path cuda = Path.of("/usr/local/cuda/bin/ptxas");
        return Files.isExecutable(cuda) ? Optional.of(cuda) : Optional.empty();
    }

    public static boolean available() { return find().isPresent(); }

    /**
     * Assembles {@code ptxText} for {@code arch} (e.g. "sm_90"). Throws IllegalStateException when ptxas is not
     * installed or does not finish within a minute.
     */
    public static Result run(String ptxText, String arch) {
        Path ptxas = find().orElseThrow(() -> new IllegalStateException("ptxas not found on PATH or in /usr/local/cuda/bin"));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kc-ptxas");
            Path src = dir.resolve("module.ptx"), out = dir.resolve("module.cubin");
            Files.writeString(src, ptxText, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder(ptxas.toString(), "-arch=" + arch, "-v", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
            byte[] bytes = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IllegalStateException("ptxas did not finish in 60 s"); }
            String text = new String(bytes, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) return new Result(false, text.strip(), Map.of(), Map.of());
            return parse(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ptxas", e);
        } finally {
            if (dir != null) deleteQuietly(dir);
        }
    }

    /** Reads ptxas -v's per-entry lines: "Compiling entry function 'k'" then "Used N registers, ... M bytes smem". */
    static Result parse(String text) {
        Map<String, Integer> regs = new LinkedHashMap<>();
        Map<String, Long> smem = new LinkedHashMap<>();
        String current = null;
        for (String line : text.split("\n")) {
            Matcher e = ENTRY.matcher(line);
            if (e.find()) { current = e.group(1); continue; }
            Matcher r = REGISTERS.matcher(line);
            if (current != null && r.find()) {
                regs.put(current, Integer.parseInt(r.group(1)));
                Matcher s = SHARED.matcher(line);
                smem.put(current, s.find() ? Long.parseLong(s.group(1)) : 0L);
            }
        }
        return new Result(true, "", regs, smem);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.deleteIfExists(f);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }
}
