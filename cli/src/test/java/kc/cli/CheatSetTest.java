package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import kc.codegen.Toolchain;
import kc.frontend.Frontend;
import kc.ir.graph.Graph;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.PlanJson;
import kc.runtime.ExitCode;
import kc.runtime.gpu.GpuDevice;
import kc.runtime.gpu.GpuVerifier;

/**
 * The planted cheats in examples/cheats: kernels that skip writing, mutate an input, return a cached result, ignore
 * an input, race, plus an honest control. On the GPU each must be caught by the guard its "expect" file names (and
 * the control by none); everywhere, each must be a well-formed kernel set for the model (so that only the guards
 * can stop it).
 */
class CheatSetTest {
    static final Path DIR = Path.of("../examples/cheats");
    static final Path MODEL = DIR.resolve("model.py");

    static List<Path> cheats() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** The kernels that fault or hang (examples/faults), for kc bench's isolation. */
    static List<Path> faults() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("../examples/faults"))) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test void theSetHasEveryKindOfCheatAndAControl() throws IOException {
        List<String> expected = cheats().stream().map(CheatSetTest::expect).sorted().toList();
        assertEquals(List.of("deterministic", "fully-written", "input-dependence", "input-dependence", "inputs-unchanged", "none"), expected);
        for (String e : expected) assertTrue(e.equals("none") || GpuVerifier.GUARDS.contains(e), e);
    }

    @TestFactory Stream<DynamicTest> eachCheatIsAWellFormedKernelSetForTheModel() throws IOException {
        Graph graph = Frontend.load(MODEL, java.util.Map.of()).graph();
        return Stream.concat(cheats().stream(), faults().stream()).map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            PlanJson.Read read = PlanJson.read(Files.readString(dir.resolve("plan.json")));
            List<LaunchPlan.Buffer> inputs = read.plan().buffers().stream().filter(b -> b.role() == LaunchPlan.Role.INPUT).toList();
            List<LaunchPlan.Buffer> outputs = read.plan().buffers().stream().filter(b -> b.role() == LaunchPlan.Role.OUTPUT).toList();
            assertEquals(graph.inputs().size(), inputs.size());
            for (int i = 0; i < inputs.size(); i++) assertEquals(graph.inputs().get(i).type().shape(), inputs.get(i).shape());
            assertEquals(graph.outputs().get(0).type().shape(), outputs.get(0).shape());
            Path source = dir.resolve(read.kernelFile());
            assertTrue(Files.isRegularFile(source));
            Toolchain.require(nvccAvailable(), "nvcc is not on PATH: the cheat kernels are not compiled");
            Path ptx = Files.createTempFile("kc-cheat", ".ptx");
            Process p = new ProcessBuilder("nvcc", "-ptx", "-arch=sm_90", "-o", ptx.toString(), source.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, log);
            assertTrue(Files.readString(ptx).contains(".entry forward"));
            Files.delete(ptx);
        }));
    }

    /** On a GPU host: each cheat is run as kc run --kernels would, and must fail its own guard. */
    @TestFactory Stream<DynamicTest> eachCheatIsCaughtByItsGuardOnTheGpu() throws IOException {
        assumeTrue(GpuDevice.available(), "no GPU here: the planted cheats run only on a GPU host (kc run --kernels examples/cheats/NAME)");
        return cheats().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            CliRun r = CliRun.of("run", MODEL.toString(), "--kernels", dir.toString());
            String expect = expect(dir);
            if (expect.equals("none")) {
                assertEquals(0, r.status(), r.out() + r.err());
            } else {
                assertEquals(ExitCode.VERIFICATION_FAILED, r.status(), r.out() + r.err());
                assertTrue(r.out().contains(expect + " FAILED"), r.out());
            }
        }));
    }

    /** On a GPU host: a sweep over faulting and hanging kernels reports each as its own failure and finishes. */
    @Test void aFaultingKernelDoesNotStopABenchSweep(@org.junit.jupiter.api.io.TempDir Path out) throws IOException {
        assumeTrue(GpuDevice.available(), "no GPU here: kc bench --suite examples/faults/suite.txt runs only on a GPU host");
        CliRun r = CliRun.of("bench", "--suite", "../examples/faults/suite.txt", "--timeout", "120", "--no-baselines", "-o", out.toString());
        String table = Files.readString(out.resolve("bench.txt"));
        assertTrue(table.contains("out_of_bounds") && table.contains("hang"), table);
        assertTrue(table.contains("TIMEOUT"), table);
        assertTrue(table.lines().filter(l -> l.contains("PASS")).count() >= 2, "the honest problems before and after pass: " + table + r.err());
    }

    static String expect(Path dir) {
        try {
            return Files.readString(dir.resolve("expect")).strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static boolean nvccAvailable() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
