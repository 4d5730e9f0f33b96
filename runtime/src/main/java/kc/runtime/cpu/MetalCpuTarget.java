package kc.runtime.cpu;

import java.util.List;
import java.util.Map;

import kc.codegen.metal.MetalRenderer;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;
import kc.ir.tile.ScalarType;

/**
 * Metal Shading Language on the CPU: the MSL compiles as C++ with metal_cpu_shim.h, which its
 * {@code #include <metal_stdlib>} finds through a one-line header of that name. Kernels that never synchronise run
 * thread by thread; the others as one fiber per GPU thread of a threadgroup.
 */
public final class MetalCpuTarget implements CpuTarget {
    /** The MSL for the kernels, followed by the lines that end the shim's MSL keyword macros before the driver. */
    public static String source(List<Kernel> kernels) {
        return new MetalRenderer().render(kernels) + "\n// end of MSL: the driver follows\n" + MetalRenderer.CPU_SHIM_END;
    }

    @Override public String name() { return "metal"; }

    @Override public Map<String, String> headers() {
        return Map.of(MetalRenderer.CPU_SHIM, MetalRenderer.cpuShimHeader(), "metal_stdlib", "#include \"" + MetalRenderer.CPU_SHIM + "\"\n");
    }

    @Override public String prelude() { return ""; }

    @Override public List<String> compilerFlags() { return List.of(); }

    @Override public String pointerType(ScalarType t) { return MetalRenderer.storageName(t); }

    @Override public String launch(Kernel k, LaunchPlan.KernelLaunch kl) {
        Launch l = kl.launch();
        return "metal::kc_launch(metal::kc_uint3(" + l.gridX() + ", " + l.gridY() + ", " + l.gridZ() + "), metal::kc_uint3("
                + l.blockX() + ", " + l.blockY() + ", " + l.blockZ() + "), " + MetalRenderer.synchronises(k)
                + ", [&](metal::kc_uint3 t, metal::kc_uint3 b, uint lane) { " + MetalRenderer.functionName(k) + "("
                + String.join(", ", kl.args()) + (kl.args().isEmpty() ? "" : ", ") + "t, b, lane); });";
    }
}
