package kc.runtime.pipeline;

import java.util.Locale;

/** The stages of kc's {@link Pipeline}, in the order they run; {@code kc explain --after STAGE} names them by {@link #word}. */
public enum Stage {
    /** The module file parsed and evaluated symbolically into the Graph IR (the frontend). */
    EVALUATE,
    /** The evaluated graph checked by the Graph IR verifier: the user's module, as kc understood it. */
    VERIFY,
    /** Graph rewrites to a canonical form. */
    CANONICALISE,
    /** Ops replaced by cheaper equivalent forms for the target. */
    SUBSTITUTE,
    /** Nodes merged into fusion groups, as a given schedule directs or the heuristics choose. */
    FUSE,
    /** A schedule for every fusion group: the given one completed with the defaults, checked for legality. */
    SCHEDULE,
    /** Every group and its schedule lowered to Tile IR kernels and a launch plan; checked against the target's limits. */
    LOWER,
    /** Tile IR rewrites that every target shares. */
    TILE_REWRITES,
    /** The kernels printed for the target (CUDA C, PTX or Metal) and the plan as JSON. */
    RENDER;

    /** The stage's name on the command line: {@code tile-rewrites}. */
    public String word() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    /** The stage of a command-line name, or null. */
    public static Stage byWord(String word) {
        for (Stage s : values()) if (s.word().equals(word)) return s;
        return null;
    }

    /** True for the stages whose output is a Graph. */
    public boolean producesGraph() { return compareTo(FUSE) <= 0; }
}
