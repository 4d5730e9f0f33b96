package kc.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import kc.ir.graph.DType;
import kc.ir.graph.TensorType;

/** --entry and --inputs: a model file as its authors wrote it, the model and inputs named by expressions. */
class ModelEntryTest {
    /** No Model, no get_inputs: a builder function, a config dataclass, a demo block that must not run. */
    private static final String SOURCE = """
            import argparse
            from dataclasses import dataclass
            import torch
            import torch.nn as nn

            @dataclass
            class Config:
                width: int = 8
                depth: int = 1

            class Net(nn.Module):
                def __init__(self, cfg):
                    super().__init__()
                    self.layers = nn.ModuleList([nn.Linear(cfg.width, cfg.width) for _ in range(cfg.depth)])

                def forward(self, x, targets=None):
                    for layer in self.layers:
                        x = torch.relu(layer(x))
                    loss = None if targets is None else (x - targets).pow(2).mean()
                    return x, loss

            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                parser.parse_args()
            """;

    private static LoadedModel load(String entry, String inputs) {
        return Frontend.load("net.py", SOURCE, Map.of(), new ModelEntry(entry, inputs));
    }

    @Test void theModelAndItsInputsComeFromExpressionsInTheFilesNamespace() {
        LoadedModel m = load("Net(Config(width=6, depth=2))", "[torch.randn(3, 6)]");
        assertEquals(List.of(TensorType.of(DType.F32, 3, 6)), m.inputTypes());
        assertEquals(1, m.graph().outputs().size(), "the loss is None without targets: dropped from the outputs");
        assertEquals(4, m.stateDict().size(), "two Linear layers' weights and biases");
    }

    /**
     * The file's own imports, as Python finds them: a package on --path (its __init__, a module imported absolutely,
     * a relative import inside the package), a module beside the file; a yacs-style config that fills its
     * attributes through self.__dict__.update.
     */
    @Test void theFilesOwnModulesAndPackagesAreEvaluatedToo(@TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path lib = dir.resolve("lib"), pkg = lib.resolve("pkg"), app = dir.resolve("app");
        java.nio.file.Files.createDirectories(pkg);
        java.nio.file.Files.createDirectories(app);
        java.nio.file.Files.writeString(pkg.resolve("__init__.py"), "VERSION = 2\n");
        java.nio.file.Files.writeString(pkg.resolve("config.py"), """
                import json
                class Node:
                    def __init__(self, **kwargs):
                        self.__dict__.update(kwargs)
                """);
        java.nio.file.Files.writeString(pkg.resolve("layers.py"), """
                import torch.nn as nn
                from .config import Node
                from . import config
                def block(width):
                    assert isinstance(Node(a=1), config.Node)
                    return nn.Linear(width, width)
                """);
        java.nio.file.Files.writeString(app.resolve("helpers.py"), "SCALE = 3\n");
        java.nio.file.Path model = app.resolve("model.py");
        java.nio.file.Files.writeString(model, """
                import torch
                import torch.nn as nn
                import pkg
                from pkg.config import Node
                from pkg.layers import block
                import helpers
                class Net(nn.Module):
                    def __init__(self, cfg):
                        super().__init__()
                        self.fc = block(cfg.width * helpers.SCALE * pkg.VERSION // 6)
                    def forward(self, x):
                        return self.fc(x)
                """);
        LoadedModel m = Frontend.load(model, Map.of(), new ModelEntry("Net(Node(width=4))", "[torch.randn(2, 4)]", List.of(lib.toString())));
        assertEquals(List.of(TensorType.of(DType.F32, 2, 4)), m.inputTypes());
        assertEquals(2, m.stateDict().size());
        CompileError missing = assertThrows(CompileError.class, () -> Frontend.load(model, Map.of(), new ModelEntry("Net(Node(width=4))", "[torch.randn(2, 4)]")));
        assertTrue(missing.getMessage().contains("module 'pkg.config' is not available in kc"), missing.getMessage());
    }

    @Test void errorsInTheExpressionsPointIntoThem() {
        CompileError syntax = assertThrows(CompileError.class, () -> load("Net(Config(width=6)", "[torch.randn(3, 6)]"));
        assertEquals(ModelEntry.ENTRY_FILE, syntax.file());
        CompileError name = assertThrows(CompileError.class, () -> load("Net(Config(width=6))", "[torch.randn(3, 6), nothere]"));
        assertEquals(ModelEntry.INPUTS_FILE + ":1:21", name.file() + ":" + name.line() + ":" + name.column());
        assertTrue(name.getMessage().contains("nothere"), name.getMessage());
        CompileError notModule = assertThrows(CompileError.class, () -> load("Config()", "[torch.randn(3, 6)]"));
        assertTrue(notModule.getMessage().contains("--entry must give an nn.Module, not Config"), notModule.getMessage());
        CompileError none = assertThrows(CompileError.class, () -> load(null, null));
        assertTrue(none.getMessage().contains("or name the model with --entry"), none.getMessage());
    }

    /**
     * A forward taking tuples of tensors: the graph inputs are the tensors among the arguments, tuples and lists
     * flattened depth first (torch_reference.py's flatten_inputs gives PyTorch's in the same order); other values are
     * not inputs.
     */
    @Test void tensorsInsideTupleArgumentsAreInputsInDepthFirstOrder() {
        LoadedModel m = Frontend.load("pair.py", """
                import torch
                import torch.nn as nn
                class Pair(nn.Module):
                    def forward(self, pair, scale, rest):
                        a, b = pair
                        c, (d,) = rest
                        return a * scale + b, c, d
                """, Map.of(), new ModelEntry("Pair()", "[(torch.randn(2, 3), torch.randn(2, 3)), 0.5, [torch.randn(4), (torch.randn(5, 1),)]]"));
        assertEquals(List.of(TensorType.of(DType.F32, 2, 3), TensorType.of(DType.F32, 2, 3), TensorType.of(DType.F32, 4),
                TensorType.of(DType.F32, 5, 1)), m.inputTypes());
        assertEquals(List.of("input0", "input1", "input2", "input3"), m.graph().inputs().stream().map(kc.ir.graph.Value::name).toList());
        assertEquals(3, m.graph().outputs().size());
    }
}
