package kc.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.frontend.LoadedModel;
import kc.ir.graph.Graph;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.TExpr;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;
import kc.ir.tile.Var;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.schedule.Schedule;
import kc.runtime.Diagnostic;
import kc.runtime.ExitCode;

class PipelineTest {
    static final Path EXAMPLE = Path.of("..", "examples", "conv_block.py");
    static final Pipeline.Input INPUT = Pipeline.Input.of(EXAMPLE, Map.of("batch_size", "2"), MachineModel.SM_90).withEmit(Emit.PTX);

    /** Runs with one stage's output replaced: the way a broken stage is planted. */
    static Compilation tampered(Stage stage, java.util.function.UnaryOperator<Object> replace) {
        return new Pipeline(INPUT, (s, out) -> s == stage ? replace.apply(out) : out).through(Stage.RENDER);
    }

    @Test void stagesRunInOrderAndARunStopsAfterAnyOfThem() {
        for (Stage last : Stage.values()) {
            Compilation c = Pipeline.run(INPUT, last);
            assertEquals(last, c.last());
            assertEquals(Arrays.asList(Stage.values()).subList(0, last.ordinal() + 1), c.times().stream().map(Compilation.StageTime::stage).toList());
            assertNotNull(c.loaded());
            assertEquals(last.compareTo(Stage.SCHEDULE) >= 0, c.schedule() != null, "schedule after " + last);
            assertEquals(last.compareTo(Stage.SCHEDULE) >= 0, c.estimate() != null, "estimate after " + last);
            assertEquals(last.compareTo(Stage.LOWER) >= 0, c.lowered() != null, "kernels after " + last);
            assertEquals(last == Stage.RENDER, c.rendered() != null, "rendered after " + last);
            for (Stage s : Stage.values())
                assertEquals(s.producesGraph() && s.compareTo(last) <= 0, c.graphs().containsKey(s), s + " after " + last);
        }
        Compilation all = Pipeline.run(INPUT);
        assertTrue(all.rendered().source().contains(".target sm_90"));
        assertEquals("conv_block.ptx", all.rendered().kernelFile());
        assertTrue(all.rendered().planJson().contains("\"conv_block.ptx\""), all.rendered().planJson());
        assertSame(all.graph(Stage.VERIFY), all.evaluated(), "verify checks the evaluated graph and hands it on");
    }

    @Test void theCheckAfterVerifyMakesAMalformedModuleBadInputAtTheNodeItNames() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> tampered(Stage.EVALUATE, out -> {
            LoadedModel m = (LoadedModel) out;
            return new LoadedModel(malformed(m.graph()), m.stateDict(), m.inputTypes(), m.randomDraws(), m.constants(), m.warnings());
        }));
        Diagnostic.BadInput bad = assertInstanceOf(Diagnostic.BadInput.class, d);
        assertEquals(ExitCode.BAD_INPUT, bad.exitCode());
        Diagnostic.Message m = bad.messages().get(0);
        assertEquals(EXAMPLE.toString(), m.file());
        assertEquals(18, m.line(), m.format()); // the conv's bias add reads the conv, which is gone
        assertTrue(m.text().contains("is not defined before use"), m.text());
    }

    @Test void aMalformedGraphFromARewriteIsKcsBug() {
        for (Stage rewrite : List.of(Stage.CANONICALISE, Stage.SUBSTITUTE, Stage.FUSE)) {
            Diagnostic d = assertThrows(Diagnostic.class, () -> tampered(rewrite, out -> malformed((Graph) out)));
            assertInternal(d, "stage " + rewrite.word() + " produced a malformed graph: ");
        }
    }

    @Test void anIllegalDefaultScheduleIsKcsBugNamingTheGroupAndLimit() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> tampered(Stage.SCHEDULE, out -> {
            Schedule s = (Schedule) out;
            return s.with(s.groups().get(0).withThreads(2048));
        }));
        assertInternal(d, "stage schedule broke a rule of sm_90: group conv: threads 2048 exceeds 1024 per block on sm_90");
    }

    @Test void loweredKernelsBeyondTheTargetsLimitsAreKcsBug() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> tampered(Stage.LOWER, out -> {
            Lowered l = (Lowered) out;
            List<LaunchPlan.KernelLaunch> launches = new ArrayList<>(l.plan().launches());
            LaunchPlan.KernelLaunch first = launches.get(0);
            Launch g = first.launch();
            launches.set(0, new LaunchPlan.KernelLaunch(first.kernel(), new Launch(g.gridX(), g.gridY(), g.gridZ(), 2048, 1, 1), first.args(), 300_000));
            return new Lowered(l.kernels(), new LaunchPlan(l.plan().model(), l.plan().buffers(), launches), l.launchGroups());
        }));
        assertInternal(d, "stage lower broke a rule of sm_90: group conv: threads 2048 exceeds 1024 per block on sm_90");
    }

    @Test void aRewrittenKernelIsVerified() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> tampered(Stage.TILE_REWRITES, out -> {
            Lowered l = (Lowered) out;
            List<Kernel> kernels = new ArrayList<>(l.kernels());
            Kernel k = kernels.get(0);
            List<TStmt> body = new ArrayList<>(k.body());
            body.add(new TStmt.Assign(new Var("never_declared", TType.I32), new TExpr.Const(1, TType.I32)));
            kernels.set(0, new Kernel(k.name(), k.params(), k.shared(), k.launch(), body));
            return new Lowered(kernels, l.plan(), l.launchGroups());
        }));
        assertInternal(d, "stage tile-rewrites produced a malformed kernel: kernel k0_conv");
    }

    /** The old conflation: lowering's IllegalArgumentException was reported as a rejected schedule (bad input). */
    @Test void whatAStageThrowsIsKcsBugNeverBadInput() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> tampered(Stage.LOWER, out -> {
            throw new IllegalArgumentException("group conv: a reduction of 3 elements is too long");
        }));
        assertInternal(d, "stage lower failed: java.lang.IllegalArgumentException: group conv: a reduction");
        assertNotNull(d.getCause(), "the stack trace of the bug is kept");
    }

    /** The evaluated graph is checked beside the later stages; its failure is still the one reported. */
    @Test void aMalformedModuleIsReportedBeforeALaterStagesFailure() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> new Pipeline(INPUT, (s, out) -> {
            if (s == Stage.EVALUATE) {
                LoadedModel m = (LoadedModel) out;
                return new LoadedModel(malformed(m.graph()), m.stateDict(), m.inputTypes(), m.randomDraws(), m.constants(), m.warnings());
            }
            if (s == Stage.FUSE) throw new IllegalStateException("fusion met an undefined operand");
            return out;
        }).through(Stage.RENDER));
        assertInstanceOf(Diagnostic.BadInput.class, d, d.getMessage());
    }

    @Test void unchangedStagesAreNotVerifiedAgain() {
        Compilation c = Pipeline.run(INPUT);
        for (Compilation.StageTime t : c.times()) {
            boolean checked = switch (t.stage()) {
                case VERIFY, SCHEDULE, LOWER -> true;
                // a graph rule program's output is verified when it changed the graph (the example's does)
                case CANONICALISE, SUBSTITUTE, FUSE -> c.graph(t.stage()) != c.graph(Stage.values()[t.stage().ordinal() - 1]);
                // tile rewrites hand their input on unchanged; without ptxas asked for, render has none
                case EVALUATE, TILE_REWRITES, RENDER -> false;
            };
            assertEquals(checked, !Double.isNaN(t.checkMillis()), t.toString());
            assertEquals(checked, t.beside(), t.toString());
        }
        assertTrue(c.graph(Stage.FUSE) != c.graph(Stage.SUBSTITUTE), "fusion changes the example's graph");
    }

    @Test void aBadModuleFileIsBadInputWhereItIsWrong() {
        Diagnostic d = assertThrows(Diagnostic.class, () -> Pipeline.run(INPUT.withSource("import torch\n\nclass Model(:\n"), Stage.VERIFY));
        Diagnostic.Message m = assertInstanceOf(Diagnostic.BadInput.class, d).messages().get(0);
        assertEquals(3, m.line(), m.format());
        assertTrue(m.format().startsWith(EXAMPLE + ":3:"), m.format());
    }

    private static void assertInternal(Diagnostic d, String message) {
        assertInstanceOf(Diagnostic.Internal.class, d, d.getMessage());
        assertEquals(ExitCode.INTERNAL, d.exitCode());
        assertTrue(d.getMessage().startsWith(message), d.getMessage());
        assertFalse(d.getMessage().contains("\n"), "one line: " + d.getMessage());
    }

    /** The graph without its first node: a later node reads a value nothing defines. */
    private static Graph malformed(Graph g) {
        return new Graph(g.name(), g.inputs(), g.params(), g.nodes().subList(1, g.nodes().size()), g.outputs());
    }
}
