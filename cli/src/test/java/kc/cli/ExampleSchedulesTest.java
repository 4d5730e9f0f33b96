package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.runtime.verify.PythonTorch;

/**
 * The expert schedules shipped in examples/schedules: each names groups that exist (a schedule that names nothing
 * would compile to the default silently) and its kernels agree with PyTorch's module through the CUDA C CPU shim.
 */
@Tag("sweep") // a PyTorch reference run and a CPU-shim run per example: tens of seconds
class ExampleSchedulesTest {
    private static final Path SCHEDULES = Path.of("..", "examples", "schedules");

    @Test void everyExampleScheduleVerifiesOnTheCpuShim() throws Exception {
        List<Path> schedules;
        try (Stream<Path> s = Files.list(SCHEDULES)) { schedules = s.filter(p -> p.toString().endsWith(".schedule")).sorted().toList(); }
        assertFalse(schedules.isEmpty(), "no schedules in " + SCHEDULES);
        Toolchain.require(PythonTorch.find(null).isPresent(), "no Python with torch: the example schedules are not checked against PyTorch");
        for (Path schedule : schedules) {
            String name = schedule.getFileName().toString().replace(".schedule", "");
            Path module = Path.of("..", "examples", name + ".py");
            assertTrue(Files.isRegularFile(module), schedule + " belongs to " + module);
            CliRun explained = CliRun.of("explain", module.toString(), "--after", "schedule", "--schedule", schedule.toString());
            assertEquals(0, explained.status(), explained.err());
            CliRun defaults = CliRun.of("explain", module.toString(), "--after", "schedule");
            assertFalse(explained.out().equals(defaults.out()), schedule + " changes nothing from the defaults");
            CliRun checked = CliRun.of("check", module.toString(), "--shrink", "--backend", "cuda-cpu", "--schedule", schedule.toString());
            assertEquals(0, checked.status(), schedule + ":\n" + checked.out() + checked.err());
            assertTrue(checked.out().contains("PASS"), checked.out());
        }
    }
}
