package kc.runtime.cpu;

import java.util.List;
import java.util.Map;

import kc.codegen.cuda.CudaRenderer;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.LaunchPlan;

/** CUDA C on the CPU: kc_cuda.h compiled with -DKC_CPU pulls in kc_cuda_cpu.h, whose kc_launch runs a grid. */
public final class CudaCpuTarget implements CpuTarget {
    @Override public String name() { return "cuda"; }

    @Override public Map<String, String> headers() {
        return Map.of(CudaRenderer.HEADER, CudaRenderer.header(), CudaRenderer.CPU_HEADER, CudaRenderer.cpuHeader());
    }

    @Override public String prelude() { return ""; }

    @Override public List<String> compilerFlags() { return List.of("-DKC_CPU"); }

    @Override public String launch(Kernel k, LaunchPlan.KernelLaunch kl) {
        Launch l = kl.launch();
        return "kc_launch(" + l.gridX() + "u, " + l.gridY() + "u, " + l.gridZ() + "u, " + l.blockX() + "u, " + l.blockY() + "u, "
                + l.blockZ() + "u, " + CudaRenderer.needsSync(k) + ", [&] { " + kl.kernel() + "(" + String.join(", ", kl.args()) + "); });";
    }
}
