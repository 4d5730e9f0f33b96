package kc.cli;

import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.Graph;
import kc.ir.graph.GraphVerifier;
import kc.passes.cost.MachineModel;
import kc.passes.lower.Lowered;
import kc.passes.lower.Lowering;
import kc.passes.schedule.DefaultScheduler;
import kc.passes.schedule.Schedule;

/** A module file taken through kc's pipeline to the Tile IR (evaluate, verify, schedule, lower): what compile and run share. */
record Compiled(LoadedModel loaded, Graph graph, Schedule schedule, Lowered lowered) {

    /** @param command names the command in the error a rejected schedule gives (exit status 2) */
    static Compiled of(ModelOptions model, String command, MachineModel machine) {
        LoadedModel loaded = Frontend.load(model.file, model.defines);
        Graph evaluated = loaded.graph();
        Graph g = evaluated;
        // Verification needs only the graph: it runs beside scheduling and lowering. Whatever fails later, a
        // malformed graph is reported first, as if verified up front.
        Beside<Void> verified = Beside.start("kc-verify", () -> { GraphVerifier.verifyOrThrow(evaluated); return null; });
        Schedule schedule;
        Lowered lowered;
        try {
            g = kc.passes.rules.Rules.fuse(kc.passes.rules.Rules.canonicalise(g), Schedule.EMPTY);
            GraphVerifier.verifyOrThrow(g);
            schedule = DefaultScheduler.schedule(g, machine);
            lowered = Lowering.lower(g, schedule, machine);
        } catch (IllegalArgumentException rejected) {
            verified.join();
            throw new KcFailure(ExitCode.BAD_INPUT, command + ": the schedule was rejected: " + rejected.getMessage());
        } catch (RuntimeException | Error e) {
            verified.join();
            throw e;
        }
        verified.join();
        return new Compiled(loaded, g, schedule, lowered);
    }
}
