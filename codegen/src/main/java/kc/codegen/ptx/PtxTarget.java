package kc.codegen.ptx;

/** The GPU architectures kc prints PTX for; both have what kc uses (mma.sync tf32/bf16, min/max.NaN, cvt.rna.tf32). */
public enum PtxTarget {
    SM_90("sm_90"), SM_80("sm_80");

    public final String arch;

    PtxTarget(String arch) { this.arch = arch; }

    /** The target named like ptxas's -arch (sm_90, sm_80), or null when kc has none by that name. */
    public static PtxTarget byName(String name) {
        for (PtxTarget t : values()) if (t.arch.equalsIgnoreCase(name)) return t;
        return null;
    }
}
