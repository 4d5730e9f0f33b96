package kc.frontend.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

/** einops' repeat, reduce, pack, unpack, einsum and the layers Rearrange and Reduce, on values worked out by hand. */
class EinopsTest {
    private static LoadedModel model(String forward, String init) {
        String src = "import torch\nimport torch.nn as nn\nfrom einops import rearrange, repeat, reduce, pack, unpack, einsum\nfrom einops.layers.torch import Rearrange, Reduce\n\n"
                + "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n" + init
                + "    def forward(self, x):\n        " + forward + "\n\n"
                + "def get_inputs():\n    return [torch.randn(2, 3)]\n\ndef get_init_inputs():\n    return []\n";
        return Frontend.load("einops_test.py", src, Map.of());
    }

    /** x = [[0, 1, 2], [3, 4, 5]] through the model's forward. */
    private static double[] run(LoadedModel m, long... shape) {
        HostTensor x = HostTensor.of(DType.F32, Shape.of(2, 3), new double[] {0, 1, 2, 3, 4, 5});
        HostTensor out = Interpreter.run(m.graph(), List.of(x), Map.of()).get(0);
        assertArrayEquals(shape, out.shape().toArray());
        double[] v = new double[(int) out.numel()];
        for (int i = 0; i < v.length; i++) v[i] = out.getFlat(i);
        return v;
    }

    @Test void repeatAddsBroadcastAxes() {
        assertArrayEquals(new double[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5},
                run(model("return repeat(x, 'a b -> a r b', r=2)", ""), 2, 2, 3));
        assertArrayEquals(new double[] {0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5},
                run(model("return repeat(x, 'a b -> (b r a)', r=2)", ""), 12));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5},
                run(model("return repeat(x, 'a b -> n 1 a b', n=2)", ""), 2, 1, 2, 3));
    }

    @Test void reduceDropsAxes() {
        assertArrayEquals(new double[] {1.5, 2.5, 3.5}, run(model("return reduce(x, 'a b -> b', 'mean')", ""), 3));
        assertArrayEquals(new double[] {2, 5}, run(model("return reduce(x, 'a b -> a', 'max')", ""), 2));
        assertArrayEquals(new double[] {15}, run(model("return reduce(x, 'a b -> ', 'sum')", "")));
        assertArrayEquals(new double[] {0, 3}, run(model("return reduce(x, 'a (b c) -> a b', 'min', c=3)", ""), 2, 1));
    }

    @Test void theLayerFormsAreModulesWithoutParameters() {
        LoadedModel m = model("return self.pool(self.split(x))",
                "        self.split = Rearrange('a (b c) -> a b c', c=1)\n        self.pool = Reduce('a b c -> a c', 'sum')\n");
        assertArrayEquals(new double[] {3, 12}, run(m, 2, 1));
        assertEquals(0, m.stateDict().size());
    }

    @Test void patternsThatDoNotMatchTheirFunctionAreErrors() {
        CompileError e = assertThrows(CompileError.class, () -> model("return rearrange(x, 'a b -> a')", ""));
        assertTrue(e.getMessage().contains("identifiers only on one side"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return repeat(x, 'a b -> a b r')", ""));
        assertTrue(e.getMessage().contains("specify the length of axis r"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return reduce(x, 'a b -> a', 'median')", ""));
        assertTrue(e.getMessage().contains("unsupported reduction 'median'"), e.getMessage());
    }

    @Test void packConcatenatesAlongTheStarAxisAndUnpackSplitsItBack() {
        assertArrayEquals(new double[] {0, 1, 2, 3, 3, 4, 5, 12},
                run(model("p, ps = pack([x, x.sum(1)], 'a *')\n        assert ps == [(3,), ()]\n        return p", ""), 2, 4));
        assertArrayEquals(new double[] {0, 1, 2, 10, 3, 4, 5, 10},
                run(model("p, ps = pack([x.unsqueeze(-1), torch.ones(2, 1, 1) * 10], 'n * c')\n        return p", ""), 2, 4, 1));
        // the -1 shape is inferred from the others
        assertArrayEquals(new double[] {1, 2, 4, 5}, run(model("return unpack(x, [(1,), (-1,)], 'n *')[1]", ""), 2, 2));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5},
                run(model("y = rearrange(x, 'a b -> 1 (a b)')\n        a, b = unpack(y, [[2], [2, 2]], 'n *')\n        return pack([a, b], 'n *')[0]", ""), 1, 6));
    }

    @Test void einsumNamesItsAxes() {
        assertArrayEquals(new double[] {5, 14, 14, 50}, run(model("return einsum(x, x, 'row col, row2 col -> row row2')", ""), 2, 2));
        assertArrayEquals(new double[] {3, 12}, run(model("return einsum(x, '... col -> ...')", ""), 2));
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, run(model("return einsum(x, 'b_1 c -> c b_1')", ""), 3, 2));
    }

    @Test void packUnpackAndEinsumPatternErrorsAreEinopsOwn() {
        CompileError e = assertThrows(CompileError.class, () -> model("return pack([x], 'a b')[0]", ""));
        assertTrue(e.getMessage().contains("No *-axis in pack(..., \"a b\")"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return pack([x], 'a * a')[0]", ""));
        assertTrue(e.getMessage().contains("Duplicates in axes names"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return unpack(x, [(2,), (2,)], 'n *')[0]", ""));
        assertTrue(e.getMessage().contains("could not split axis of size 3"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return einsum(x, 'a b')", ""));
        assertTrue(e.getMessage().contains("Einsum pattern must contain '->'"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return einsum(x, '(a b) -> a')", ""));
        assertTrue(e.getMessage().contains("Shape rearrangement is not yet supported in einsum"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return einsum(x, 'a b -> c')", ""));
        assertTrue(e.getMessage().contains("Unknown axis c on right side of einsum"), e.getMessage());
        e = assertThrows(CompileError.class, () -> model("return einsum('a b -> a', x)", ""));
        assertTrue(e.getMessage().contains("The last argument passed to `einops.einsum` must be a string"), e.getMessage());
    }
}
