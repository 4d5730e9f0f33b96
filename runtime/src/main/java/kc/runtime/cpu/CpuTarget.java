package kc.runtime.cpu;

import java.util.List;
import java.util.Map;

import kc.codegen.cuda.CudaRenderer;
import kc.ir.tile.Kernel;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.ScalarType;

/**
 * A kernel language the CPU runner can execute by compiling it as C++ with a shim header: CUDA C (kc_cuda.h with
 * -DKC_CPU) today, Metal Shading Language next. The runner writes the headers, prepends {@link #prelude()} to the
 * rendered source, appends a driver whose launches come from {@link #launch}, and compiles it all as one unit.
 */
public interface CpuTarget {
    /** A short name for cache directories and messages ("cuda", "metal"). */
    String name();

    /** Header files (name to text) the rendered source and the prelude include. */
    Map<String, String> headers();

    /** C++ text placed before the rendered source (includes, defines). */
    String prelude();

    /** Extra g++ arguments (e.g. -D flags). */
    List<String> compilerFlags();

    /**
     * One C++ statement (or block) launching {@code k} as {@code launch} says, inside the driver's main(); each
     * buffer of the plan is a C++ pointer variable named as the buffer, of its element type.
     */
    String launch(Kernel k, LaunchPlan.KernelLaunch launch);

    /** The C++ element type of the driver's pointer to a buffer of this type (the target's name for it). */
    default String pointerType(ScalarType t) { return CudaRenderer.scalar(t); }
}
