package kc.runtime.pipeline;

import kc.codegen.ptx.PtxTarget;
import kc.passes.cost.MachineModel;

/** What the render stage prints the kernels as, and the kernel file's extension. */
public enum Emit {
    /** CUDA C, built with nvcc beside kc's header kc_cuda.h. */
    CUDA("cu"),
    /** PTX written by kc itself. */
    PTX("ptx"),
    /** The Metal Shading Language. */
    METAL("metal");

    public final String extension;

    Emit(String extension) { this.extension = extension; }

    /** The target kc assumes when none is named. */
    public String defaultTarget() { return this == METAL ? "apple" : "sm_90"; }

    /** Whether kernels for this machine can be printed in this form: Metal for Apple GPUs, CUDA C and PTX for NVIDIA's. */
    public boolean supports(MachineModel m) {
        return this == METAL ? m.target().equals("apple") : PtxTarget.byName(m.target()) != null;
    }
}
