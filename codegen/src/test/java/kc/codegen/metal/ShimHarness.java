package kc.codegen.metal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import kc.ir.tile.Kernel;
import kc.ir.tile.Launch;

/**
 * Test harness: renders kernels to MSL, compiles them with g++ and the Metal CPU shim, runs one launch of a kernel
 * on little-endian buffer contents given in parameter order, and returns every buffer's contents afterwards.
 */
final class ShimHarness {
    private ShimHarness() {}

    static boolean gppAvailable() {
        try {
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static List<ByteBuffer> run(Kernel k, List<ByteBuffer> buffers) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kc-metal-test");
        String msl = new MetalRenderer().render(List.of(k));
        Files.writeString(dir.resolve("kernels.metal"), msl);
        Files.writeString(dir.resolve("metal_cpu_shim.h"), MetalRenderer.resource("kc/codegen/metal_cpu_shim.h"));
        Files.writeString(dir.resolve("metal_stdlib"), "#include \"metal_cpu_shim.h\"\n");
        StringBuilder d = new StringBuilder();
        d.append("#include <fstream>\n#include <string>\n#include \"metal_cpu_shim.h\"\n#include \"kernels.metal\"\n");
        d.append("int main() {\n");
        int n = buffers.size();
        for (int i = 0; i < n; i++) {
            d.append("  std::vector<char> b").append(i).append("(").append(Math.max(1, buffers.get(i).capacity())).append(");\n");
            d.append("  { std::ifstream f(\"in").append(i).append(".bin\", std::ios::binary); f.read(b").append(i).append(".data(), ")
             .append(buffers.get(i).capacity()).append("); }\n");
        }
        Launch l = k.launch();
        d.append("  metal::kc_launch(metal::kc_uint3(").append(l.gridX()).append(", ").append(l.gridY()).append(", ").append(l.gridZ())
         .append("), metal::kc_uint3(").append(l.blockX()).append(", ").append(l.blockY()).append(", ").append(l.blockZ()).append("), ")
         .append(MetalRenderer.synchronises(k)).append(", [&](metal::kc_uint3 t, metal::kc_uint3 b, uint lane) { ").append(k.name()).append("(");
        for (int i = 0; i < n; i++) {
            String elem = MetalRenderer.storageName(k.params().get(i).elem());
            d.append("(").append(elem).append("*)b").append(i).append(".data(), ");
        }
        d.append("t, b, lane); });\n");
        for (int i = 0; i < n; i++)
            d.append("  { std::ofstream f(\"out").append(i).append(".bin\", std::ios::binary); f.write(b").append(i).append(".data(), ")
             .append(buffers.get(i).capacity()).append("); }\n");
        d.append("  return 0;\n}\n");
        Files.writeString(dir.resolve("driver.cpp"), d.toString());
        for (int i = 0; i < n; i++) {
            ByteBuffer b = buffers.get(i).duplicate();
            b.rewind();
            byte[] bytes = new byte[b.capacity()];
            b.get(bytes);
            Files.write(dir.resolve("in" + i + ".bin"), bytes);
        }
        exec(dir, "g++", "-std=c++20", "-O1", "-I.", "-o", "driver", "driver.cpp");
        exec(dir, "./driver");
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
            out.add(ByteBuffer.wrap(Files.readAllBytes(dir.resolve("out" + i + ".bin"))).order(ByteOrder.LITTLE_ENDIAN));
        return out;
    }

    private static void exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new AssertionError(String.join(" ", cmd) + " failed in " + dir + ":\n" + log);
    }

    static ByteBuffer floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.rewind();
    }

    static ByteBuffer ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int f : v) b.putInt(f);
        return b.rewind();
    }

    static ByteBuffer zeros(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    static float[] toFloats(ByteBuffer b) {
        float[] r = new float[b.capacity() / 4];
        for (int i = 0; i < r.length; i++) r[i] = b.getFloat(i * 4);
        return r;
    }

    static int[] toInts(ByteBuffer b) {
        int[] r = new int[b.capacity() / 4];
        for (int i = 0; i < r.length; i++) r[i] = b.getInt(i * 4);
        return r;
    }
}
