package kc.passes.lower;

import java.util.List;

import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;

/** The result of lowering a graph: the kernels (each verified) and the plan that launches them. */
public record Lowered(List<Kernel> kernels, LaunchPlan plan) {
    public Lowered { kernels = List.copyOf(kernels); }
}
