package kc.runtime.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import kc.ir.graph.Json;

/**
 * Measured ceilings, kept per device name as DIR/ceilings-NAME.json (DIR is kc run's and kc bench's --cache-dir,
 * by default ~/.cache/kc), as torch_bench.py --ceilings writes them: measured once per GPU, reused by every run.
 */
public record CeilingsCache(Path dir) {
    /** ~/.cache/kc: where kc keeps what it measures once per machine unless told otherwise. */
    public static Path defaultDir() { return Path.of(System.getProperty("user.home"), ".cache", "kc"); }

    public Path file(String deviceName) {
        return dir.resolve("ceilings-" + deviceName.replaceAll("[^A-Za-z0-9._-]", "_") + ".json");
    }

    public Optional<Ceilings> load(String deviceName) {
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
