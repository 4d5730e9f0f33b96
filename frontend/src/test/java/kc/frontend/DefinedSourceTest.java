package kc.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** -D written into source text the way the PyTorch reference applies it: after each assignment to the name. */
class DefinedSourceTest {
    @Test void overridesFollowEveryAssignmentAboveTheNextStatementsDecorators() {
        String src = "batch = 4\nh = w = 8\nshape = (batch, h)\n\n@decorate\ndef f():\n    batch = 1\n    return batch\nbatch += 1\n";
        Map<String, String> d = new LinkedHashMap<>();
        d.put("batch", "2");
        d.put("w", "16");
        String out = DefinedSource.apply("m.py", src, d);
        assertEquals("batch = 4\nbatch = 2  # kc -D\nh = w = 8\nw = 16  # kc -D\nshape = (batch, h)\n\n"
                + "@decorate\ndef f():\n    batch = 1\n    return batch\nbatch += 1\nbatch = 2  # kc -D\n", out);
    }

    @Test void withoutDefinesTheTextIsUnchangedAndAnUnknownNameIsAnError() {
        String src = "x = 1\n";
        assertEquals(src, DefinedSource.apply("m.py", src, Map.of()));
        assertEquals("x = 1\nx = 3  # kc -D\n", DefinedSource.apply("m.py", "x = 1", Map.of("x", "3")), "no newline at the end");
        CompileError e = assertThrows(CompileError.class, () -> DefinedSource.apply("m.py", src, Map.of("y", "2")));
        assertTrue(e.getMessage().contains("-D y: no module-level assignment"), e.getMessage());
    }
}
