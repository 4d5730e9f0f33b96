package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Small Python programs (scopes, classes, control flow, functions, containers, strings) run by kc; the repr of
 * their {@code result} must equal what CPython 3.11 printed (recorded in NAME.expected next to NAME.py).
 */
class PythonProgramsTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = PythonProgramsTest.class.getResourceAsStream("programs/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"scopes", "classes", "control", "functions", "containers", "strings", "dataclass"})
    void matchesCPython(String program) throws IOException {
        String src = resource(program + ".py") + "\n__kc_result = repr(result)\n";
        Map<String, Object> g = ModelEvaluator.runModule(program + ".py", src, Map.of());
        assertEquals(resource(program + ".expected").strip(), g.get("__kc_result"));
    }
}
