package kc.frontend.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import kc.frontend.ast.Stmt;
import org.junit.jupiter.api.Test;

/**
 * syntax_tour.py exercises every construct the parser accepts; syntax_tour.ast is CPython's own AST of it
 * (written by ast_dump.py from the same folder). kc's AST must match it node for node, value for value and
 * position for position.
 */
class GoldenAstTest {
    static String resource(String name) throws IOException {
        try (InputStream in = GoldenAstTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void syntaxTourMatchesCPython() throws IOException {
        List<Stmt> body = PythonSource.parse("syntax_tour.py", resource("syntax_tour.py")).body();
        List<String> expected = resource("syntax_tour.ast").lines().toList();
        assertEquals(expected.size(), body.size(), "top-level statements");
        for (int i = 0; i < body.size(); i++) {
            assertEquals(expected.get(i), AstDump.dump(body.get(i)), "statement " + (i + 1));
        }
    }
}
