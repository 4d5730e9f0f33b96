package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Differential test against CPython 3.11: random expressions on ints, floats and bools (arithmetic, bitwise,
 * comparisons, boolean operators, format specs, %-formatting, repr of floats) with the results CPython gave,
 * recorded in differential.txt by gen_differential.py. kc must print the same repr or raise the same exception.
 */
class PythonDifferentialTest {
    @Test void agreesWithCPython() throws IOException {
        List<String[]> cases = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("differential.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                int tab = line.lastIndexOf('\t');
                cases.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
            }
        }
        StringBuilder src = new StringBuilder("results = []\n");
        for (String[] c : cases) {
            src.append("try:\n    results.append(repr((").append(c[0]).append(")))\n")
               .append("except Exception as e:\n    results.append('raises ' + type(e).__name__)\n");
        }
        Py.PyList results = (Py.PyList) PythonSemanticsTest.run(src.toString()).get("results");
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            String got = (String) results.items.get(i);
            if (!got.equals(cases.get(i)[1])) mismatches.add(cases.get(i)[0] + "  =>  kc " + got + ", CPython " + cases.get(i)[1]);
        }
        mismatches.stream().limit(40).forEach(System.out::println);
        assertTrue(cases.size() > 2000);
        assertEquals(0, mismatches.size(), mismatches.size() + " of " + cases.size() + " differ, e.g. " + (mismatches.isEmpty() ? "" : mismatches.get(0)));
    }
}
