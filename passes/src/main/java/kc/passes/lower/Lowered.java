package kc.passes.lower;

import java.util.List;

import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;

/**
 * The result of lowering a graph: the kernels (each verified) and the plan that launches them.
 *
 * @param launchGroups the fusion group each launch of the plan computes, in launch order ("" for the copies into
 *                     outputs, which no group owns): how a limit a launch breaks is traced back to a group's schedule
 */
public record Lowered(List<Kernel> kernels, LaunchPlan plan, List<String> launchGroups) {
    public Lowered {
        kernels = List.copyOf(kernels);
        launchGroups = List.copyOf(launchGroups);
        if (launchGroups.size() != plan.launches().size())
            throw new IllegalArgumentException(launchGroups.size() + " launch groups for " + plan.launches().size() + " launches");
    }
}
