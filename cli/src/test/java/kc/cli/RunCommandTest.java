package kc.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.codegen.cuda.CudaRenderer;
import kc.frontend.Frontend;
import kc.passes.lower.Lowering;

/** The parts of kc run that need no GPU: --emit cuda's nvcc step. */
class RunCommandTest {
    @Test void emitCudaCompilesKcsCudaCToPtxWithNvcc() throws Exception {
        Toolchain.require(CheatSetTest.nvccAvailable(), "nvcc is not on PATH: run --emit cuda is not exercised");
        var lowered = Lowering.lower(Frontend.load(Path.of("../examples/conv_block.py"), Map.of()).graph());
        String ptx = RunCommand.Nvcc.ptx(CudaRenderer.render(lowered.kernels()), CudaRenderer.header(), "sm_90");
        for (var l : lowered.plan().launches()) assertTrue(ptx.contains(".entry " + l.kernel() + "("), l.kernel());
    }
}
