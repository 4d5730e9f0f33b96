package kc.runtime.cpu;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;

/** What the CPU runner needs from a kernel language: its sources and shim, and how the driver launches a kernel. */
interface CpuTarget {
    /** Writes the rendered kernels and the shim headers into dir. */
    void writeSources(List<Kernel> kernels, Path dir) throws IOException;

    /** The driver's #include lines for the shim and the kernels (after the standard headers). */
    String includes();

    /** Driver statements launching kernel k over launch with the given buffer variables (std::vector<char>). */
    String launch(Kernel k, Launch launch, List<String> bufferVars);
}
