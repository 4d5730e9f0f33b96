package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;

/** Frontend.load(Path): reading the file, and problems with it reported at 1:1. */
class FrontendFileTest {
    @TempDir Path dir;

    @Test void missingFileIsACompileErrorAt1_1() {
        Path f = dir.resolve("nope.py");
        CompileError e = assertThrows(CompileError.class, () -> Frontend.load(f, Map.of()));
        assertEquals(f.toString(), e.file());
        assertEquals(1, e.line());
        assertEquals(1, e.column());
        assertTrue(e.getMessage().startsWith("cannot read file"), e.getMessage());
    }

    @Test void nonUtf8FileIsACompileErrorAt1_1() throws IOException {
        Path f = dir.resolve("latin1.py");
        Files.write(f, new byte[] {'x', ' ', '=', ' ', '\'', (byte) 0xE9, '\'', '\n'});
        CompileError e = assertThrows(CompileError.class, () -> Frontend.load(f, Map.of()));
        assertEquals(1, e.line());
        assertEquals("the file is not valid UTF-8", e.getMessage());
    }

    @Test void loadsAModelFile() throws IOException {
        Path f = dir.resolve("model.py");
        Files.writeString(f, """
                import torch
                import torch.nn as nn
                from typing import List, Optional, SomethingNew
                n = 4
                class Model(nn.Module):
                    def __init__(self, k: int):
                        super().__init__()
                        self.k = k
                    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
                        return [x * self.k, torch.relu(x)]
                def get_inputs():
                    return [torch.rand(n, n)]
                def get_init_inputs():
                    return [3]
                """);
        LoadedModel m = Frontend.load(f, Map.of("n", "2"));
        assertEquals(2, m.graph().outputs().size());
        assertEquals("[2,2]", m.graph().outputs().get(0).type().shape().toString().replace(" ", ""));
        assertEquals(Map.of("n", 2L), m.constants());
    }
}
