package kc.runtime.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import kc.ir.graph.Json;

/**
 * Measured ceilings are kept per device name in ~/.cache/kc/ceilings-NAME.json (or $KC_CACHE), as torch_bench.py
 * --ceilings writes them: measured once per GPU, reused by every run.
 */
public final class CeilingsCache {
    private CeilingsCache() {}

    public static Path file(String deviceName) {
        String base = System.getenv("KC_CACHE");
        Path dir = base != null ? Path.of(base) : Path.of(System.getProperty("user.home"), ".cache", "kc");
        return dir.resolve("ceilings-" + deviceName.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
    }

    public static Optional<Ceilings> load(String deviceName) {
        Path f = file(deviceName);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            Map<?, ?> m = (Map<?, ?>) Json.parse(Files.readString(f, StandardCharsets.UTF_8));
            return Optional.of(new Ceilings(String.valueOf(m.get("device")), ((Number) m.get("copy_bytes_per_second")).doubleValue(),
                    ((Number) m.get("fp32_flops_per_second")).doubleValue(), ((Number) m.get("tensor_core_flops_per_second")).doubleValue()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged cache is measured again
        }
    }
}
