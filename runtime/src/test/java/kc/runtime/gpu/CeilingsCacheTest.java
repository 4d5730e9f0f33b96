package kc.runtime.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ceilings are read from the directory given (kc's --cache-dir), one file per device, and a damaged file is no cache. */
class CeilingsCacheTest {
    @Test void ceilingsAreReadFromTheGivenDirectoryOnly(@TempDir Path dir) throws Exception {
        CeilingsCache here = new CeilingsCache(dir.resolve("a")), elsewhere = new CeilingsCache(dir.resolve("b"));
        Path file = here.file("NVIDIA H100 80GB HBM3");
        assertEquals(dir.resolve("a").resolve("ceilings-NVIDIA_H100_80GB_HBM3.json"), file);
        Files.createDirectories(file.getParent());
        Files.writeString(file, """
                {"device": "NVIDIA H100 80GB HBM3", "copy_bytes_per_second": 2.9e12, "fp32_flops_per_second": 5.1e13,
                 "tensor_core_flops_per_second": 7.5e14}""");
        Ceilings c = here.load("NVIDIA H100 80GB HBM3").orElseThrow();
        assertEquals(2.9e12, c.copyBytesPerSecond());
        assertEquals(7.5e14, c.tensorCoreFlopsPerSecond());
        assertTrue(elsewhere.load("NVIDIA H100 80GB HBM3").isEmpty());
        assertTrue(here.load("NVIDIA A100").isEmpty());
        Files.writeString(file, "{\"device\": \"NVIDIA H100 80GB HBM3\"");
        assertTrue(here.load("NVIDIA H100 80GB HBM3").isEmpty(), "a damaged cache is measured again");
    }
}
