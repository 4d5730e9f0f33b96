package kc.runtime.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import kc.codegen.metal.MetalRenderer;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;

/**
 * MSL on the CPU: the source compiles as C++ with metal_cpu_shim.h; {@code #include <metal_stdlib>} finds a
 * one-line file of that name next to it. Kernels that never synchronise run thread by thread, the others as fibers.
 */
final class MetalCpuTarget implements CpuTarget {
    @Override
    public void writeSources(List<Kernel> kernels, Path dir) throws IOException {
        Files.writeString(dir.resolve("kernels.metal"), new MetalRenderer().render(kernels));
        Files.writeString(dir.resolve("metal_cpu_shim.h"), MetalRenderer.cpuShimHeader());
        Files.writeString(dir.resolve("metal_stdlib"), "#include \"metal_cpu_shim.h\"\n");
    }

    @Override
    public String includes() { return "#include \"metal_cpu_shim.h\"\n#include \"kernels.metal\"\n"; }

    @Override
    public String launch(Kernel k, Launch l, List<String> bufferVars) {
        StringBuilder sb = new StringBuilder("    metal::kc_launch(metal::kc_uint3(")
                .append(l.gridX()).append(", ").append(l.gridY()).append(", ").append(l.gridZ()).append("), metal::kc_uint3(")
                .append(l.blockX()).append(", ").append(l.blockY()).append(", ").append(l.blockZ()).append("), ")
                .append(MetalRenderer.synchronises(k)).append(",\n        [&](metal::kc_uint3 t, metal::kc_uint3 b, uint lane) { ")
                .append(MetalRenderer.functionName(k)).append("(");
        for (int i = 0; i < bufferVars.size(); i++)
            sb.append("(").append(MetalRenderer.storageName(k.params().get(i).elem())).append("*)").append(bufferVars.get(i)).append(".data(), ");
        return sb.append("t, b, lane); });\n").toString();
    }
}
