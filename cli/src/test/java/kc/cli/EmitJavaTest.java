package kc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kc compile --emit java}: the class javapoet writes compiles with javac against kc's runtime. */
class EmitJavaTest {
    @TempDir Path tmp;

    @Test void theGeneratedClassCompilesAgainstTheRuntime() throws Exception {
        for (String example : List.of("conv_block.py", "tiny_gpt_block.py")) {
            Path out = tmp.resolve(example.replace(".py", ""));
            CliRun r = CliRun.of("compile", Path.of("..", "examples", example).toString(), "--emit", "java", "-o", out.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            String name = example.equals("conv_block.py") ? "ConvBlockKc" : "TinyGptBlockKc";
            Path source = out.resolve("kc/models/" + name + ".java");
            assertTrue(Files.exists(out.resolve("kc/models/" + name + ".ptx")) && Files.exists(out.resolve("kc/models/" + name + ".plan.json")),
                    "the PTX and the plan are resources beside the class");
            String text = Files.readString(source);
            assertTrue(text.contains("Command: kc compile " + example + " --emit java --target sm_90 --precision tf32x3"), text);
            assertTrue(text.contains("implements AutoCloseable") && text.contains("dev.kc:kc-runtime:"), text);

            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            assertNotNull(javac, "a JDK's compiler");
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, null)) {
                Path classes = Files.createDirectories(tmp.resolve("classes-" + name));
                boolean ok = javac.getTask(null, files, diagnostics,
                        List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-Xlint:all", "-Werror"),
                        null, files.getJavaFileObjects(source)).call();
                assertTrue(ok, diagnostics.getDiagnostics().toString());
                assertTrue(Files.exists(classes.resolve("kc/models/" + name + ".class")));
            }
        }
    }

    @Test void classNamesComeFromTheFileName() {
        assertEquals("ConvBlockKc", kc.codegen.java.JavaClassRenderer.className("conv_block.py"));
        assertEquals("Model1SquareMatrixMultiplicationKc", kc.codegen.java.JavaClassRenderer.className("1_Square_matrix_multiplication_.py"));
    }
}
