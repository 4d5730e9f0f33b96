package kc.runtime.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import kc.codegen.Toolchain;
import kc.codegen.cuda.CudaRenderer;
import kc.ir.tile.BufferParam;
import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;
import kc.ir.tile.ScalarType;
import kc.ir.tile.Space;
import kc.ir.tile.TExpr;
import kc.ir.tile.TExpr.BinOp;
import kc.ir.tile.TStmt;
import kc.ir.tile.TType;

/**
 * kc's CUDA C rounds every float operation on its own, as the Tile IR and kc's PTX do, whatever flags nvcc gets:
 * a multiply then an add stays two roundings (TwoSum and Fast2Sum depend on it) under nvcc's default --fmad=true,
 * and a fused multiply-add appears only where the IR asks for one.
 */
class CudaRoundingTest {
    private static TExpr in(String b) { return new TExpr.Load(b, Space.GLOBAL, TExpr.i32(0), null, 0, TType.F32); }

    @Test void floatOperationsStayUnfusedUnderNvccsDefaultFlags() throws Exception {
        if (!Toolchain.present(Nvcc.available(), "nvcc is not installed: the rounding check is skipped")) return;
        List<BufferParam> params = List.of(new BufferParam("a", ScalarType.F32, 1, BufferParam.Access.READ),
                new BufferParam("b", ScalarType.F32, 1, BufferParam.Access.READ), new BufferParam("c", ScalarType.F32, 1, BufferParam.Access.READ),
                new BufferParam("out", ScalarType.F32, 2, BufferParam.Access.WRITE));
        TExpr separate = TExpr.binary(BinOp.ADD, TExpr.binary(BinOp.MUL, in("a"), in("b")), in("c"));
        TExpr fused = TExpr.fma(in("a"), in("b"), in("c"));
        Kernel k = new Kernel("k0_rounding", params, List.of(), Launch.linear(1, 32), List.of(
                new TStmt.Store("out", Space.GLOBAL, TExpr.i32(0), separate, null), new TStmt.Store("out", Space.GLOBAL, TExpr.i32(1), fused, null)));
        String source = CudaRenderer.render(List.of(k));
        Path dir = Files.createTempDirectory("kc-rounding");
        Files.writeString(dir.resolve(CudaRenderer.HEADER), CudaRenderer.header());
        Files.writeString(dir.resolve("k.cu"), source);
        Process p = new ProcessBuilder(Nvcc.binary(), "-ptx", "-arch=sm_90", "-O3", "-o", "k.ptx", "k.cu").directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, out);
        String ptx = Files.readString(dir.resolve("k.ptx"));
        assertTrue(ptx.contains("mul.rn.f32") && ptx.contains("add.rn.f32"), ptx);
        assertEquals(1, ptx.split("fma\\.rn\\.f32", -1).length - 1, "one fma, the IR's own:\n" + ptx);
        assertFalse(source.contains(" * "), source);
    }
}
