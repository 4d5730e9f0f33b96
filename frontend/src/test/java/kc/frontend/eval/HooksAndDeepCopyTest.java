package kc.frontend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.Value;

/**
 * Module hooks (registered, never run: accepted where no hook runs in forward, an error at the call where one would)
 * and copy.deepcopy of modules (PyTorch's _get_clones): copies own their parameters.
 */
class HooksAndDeepCopyTest {
    static LoadedModel load(String src) { return Frontend.load("m.py", src, Map.of()); }

    /** A Model with a Linear child; INIT and FORWARD lines are spliced in. */
    static String model(String init, String forward) {
        return """
                import copy
                import torch
                import torch.nn as nn

                def hook(*args, **kwargs):
                    return None

                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.fc = nn.Linear(4, 4)
                %s
                    def forward(self, x):
                %s
                        return self.fc(x)

                def get_inputs():
                    return [torch.randn(2, 4)]
                """.formatted(init.indent(8).stripTrailing(), forward.indent(8).stripTrailing());
    }

    @Test void hooksThatDoNotRunInForwardAreAcceptedAndReturnHandles() {
        LoadedModel m = load(model("""
                self.h1 = self._register_state_dict_hook(hook)
                self.h2 = self.register_full_backward_hook(hook)
                self.h3 = self.fc.register_backward_hook(hook)
                self._register_load_state_dict_pre_hook(hook, with_module=True)
                self.register_load_state_dict_post_hook(hook)
                assert len(self._state_dict_hooks) == 1 and len(self._backward_hooks) == 1
                self.h1.remove()
                self.h1.remove()
                assert len(self._state_dict_hooks) == 0 and isinstance(self.h2.id, int)
                """, ""));
        assertEquals(List.of("fc.weight", "fc.bias"), m.stateDictKeys());
        assertEquals(1, m.graph().outputs().size());
    }

    @Test void aForwardHookIsAnErrorAtTheCallThatWouldRunIt() {
        CompileError e = assertThrows(CompileError.class, () -> load(model("self.fc.register_forward_hook(hook)", "")));
        assertEquals("m.py:15:16", e.file() + ":" + e.line() + ":" + e.column(), e.format());
        assertTrue(e.getMessage().contains("a forward hook on Linear (registered at m.py:12:9) would run at this call"), e.getMessage());
        assertTrue(e.getMessage().contains("kc does not run hooks"), e.getMessage());
        e = assertThrows(CompileError.class, () -> load(model("self.fc.register_forward_pre_hook(hook, prepend=True)", "")));
        assertTrue(e.getMessage().contains("a forward pre-hook on Linear"), e.getMessage());
    }

    @Test void onTheModelItselfTheErrorIsAtTheRegistration() {
        CompileError e = assertThrows(CompileError.class, () -> load(model("\nself.register_forward_hook(hook, with_kwargs=True)", "")));
        assertEquals(13, e.line(), e.format());
        assertTrue(e.getMessage().contains("a forward hook on Model is registered here and would run when the model is called"), e.getMessage());
    }

    @Test void aForwardHookRemovedBeforeTheCallRunsNothing() {
        load(model("h = self.fc.register_forward_hook(hook)\nh.remove()", ""));
        load(model("self.h = self.fc.register_forward_pre_hook(hook)", "self.h.remove()"));
        load(model("", "with self.fc.register_forward_hook(hook):\n    pass"));
    }

    @Test void deepCopiedModulesOwnTheirParameters() {
        LoadedModel m = load("""
                import copy
                import torch
                import torch.nn as nn

                class Block(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.a = nn.Linear(3, 3)
                        self.b = nn.Linear(3, 3)
                        self.b.weight = self.a.weight
                        self.register_buffer('scale', torch.full((3,), 2.0), persistent=False)
                        self.act = self.relu

                    def relu(self, x):
                        return torch.relu(x) * self.scale

                    def forward(self, x):
                        return self.act(self.b(self.a(x)))

                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        block = Block()
                        self.blocks = nn.ModuleList([copy.deepcopy(block) for _ in range(2)])
                        assert self.blocks[0].a.weight is not block.a.weight
                        assert self.blocks[1].b.weight is self.blocks[1].a.weight
                        assert self.blocks[1].act.__self__ is self.blocks[1]
                        nested = copy.deepcopy({'k': [block, (block,)]})
                        assert nested['k'][0] is nested['k'][1][0] and nested['k'][0] is not block

                    def forward(self, x):
                        for b in self.blocks:
                            x = b(x)
                        return x

                def get_inputs():
                    return [torch.randn(2, 3)]
                """);
        assertEquals(List.of("blocks.0.a.weight", "blocks.0.a.bias", "blocks.0.b.weight", "blocks.0.b.bias",
                "blocks.1.a.weight", "blocks.1.a.bias", "blocks.1.b.weight", "blocks.1.b.bias"), m.stateDictKeys());
        // each copy's tied weight is one parameter; the two copies' are two
        assertEquals(List.of("blocks.0.a.weight", "blocks.0.a.bias", "blocks.0.b.bias", "blocks.1.a.weight",
                "blocks.1.a.bias", "blocks.1.b.bias"), m.graph().params().stream().map(Value::name).toList());
    }
}
