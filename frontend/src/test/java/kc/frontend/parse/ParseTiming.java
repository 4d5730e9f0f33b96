package kc.frontend.parse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import kc.frontend.CompileError;

/**
 * Cold-JVM parse timing: run in a fresh JVM with the KernelBench folder as argument. Prints the time of the first
 * parse (class loading and ANTLR's warm-up included) and of parsing all files.
 * <pre>java -cp frontend/target/classes:frontend/target/test-classes:grammar/target/classes:ANTLR_JAR \
 *     kc.frontend.parse.ParseTiming ../shared/kernelbench</pre>
 */
public final class ParseTiming {
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "../shared/kernelbench");
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> p.toString().endsWith(".py")).sorted().toList();
        }
        List<String> texts = files.stream().map(p -> {
            try { return Files.readString(p); } catch (IOException e) { throw new RuntimeException(e); }
        }).toList();
        // Main-thread CPU time besides wall time: on a loaded machine it still says what the parse costs.
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime(), c0 = mx.getCurrentThreadCpuTime();
        PythonSource.parse(files.get(0).toString(), texts.get(0));
        long t1 = System.nanoTime(), c1 = mx.getCurrentThreadCpuTime();
        int failed = 0;
        for (int i = 0; i < files.size(); i++) {
            try {
                PythonSource.parse(files.get(i).toString(), texts.get(i));
            } catch (CompileError e) {
                failed++;
                System.out.println(e.format());
            }
        }
        long t2 = System.nanoTime(), c2 = mx.getCurrentThreadCpuTime();
        System.out.printf("first parse (%s): %.1f ms wall, %.1f ms cpu%n", files.get(0).getFileName(),
                (t1 - t0) / 1e6, (c1 - c0) / 1e6);
        System.out.printf("all %d files after it: %.1f ms wall, %.1f ms cpu (%d failed)%n", files.size(),
                (t2 - t1) / 1e6, (c2 - c1) / 1e6, failed);
        System.out.printf("JVM uptime at the end: %d ms%n", java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
    }
}
