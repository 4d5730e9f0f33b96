package kc.frontend.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.frontend.LoadedModel;
import kc.frontend.ParamSpec;
import kc.ir.graph.Value;
import kc.ir.interp.HostTensor;
import kc.ir.interp.Interpreter;

/**
 * nn.Transformer and its encoder and decoder stacks and layers: PyTorch's state_dict (names, shapes, order), copies
 * of the layer with weights of their own, and the masks' semantics traced through kc's interpreter.
 */
class TransformerTest {
    private static String source(String init, String forward, String inputs) {
        return "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
                + "class Model(nn.Module):\n    def __init__(self):\n        super().__init__()\n" + init.indent(8)
                + "    def forward(self, x, y):\n" + forward.indent(8)
                + "def get_inputs():\n    return [" + inputs + "]\n";
    }

    private static LoadedModel load(String init, String forward, String inputs) {
        return Frontend.load("t.py", source(init, forward, inputs), Map.of());
    }

    /** nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16) under PyTorch 1.13. */
    static final String PYTORCH_STATE_DICT = """
            encoder.layers.0.self_attn.in_proj_weight (24, 8);encoder.layers.0.self_attn.in_proj_bias (24,);\
            encoder.layers.0.self_attn.out_proj.weight (8, 8);encoder.layers.0.self_attn.out_proj.bias (8,);\
            encoder.layers.0.linear1.weight (16, 8);encoder.layers.0.linear1.bias (16,);encoder.layers.0.linear2.weight (8, 16);\
            encoder.layers.0.linear2.bias (8,);encoder.layers.0.norm1.weight (8,);encoder.layers.0.norm1.bias (8,);\
            encoder.layers.0.norm2.weight (8,);encoder.layers.0.norm2.bias (8,);encoder.norm.weight (8,);encoder.norm.bias (8,);\
            decoder.layers.0.self_attn.in_proj_weight (24, 8);decoder.layers.0.self_attn.in_proj_bias (24,);\
            decoder.layers.0.self_attn.out_proj.weight (8, 8);decoder.layers.0.self_attn.out_proj.bias (8,);\
            decoder.layers.0.multihead_attn.in_proj_weight (24, 8);decoder.layers.0.multihead_attn.in_proj_bias (24,);\
            decoder.layers.0.multihead_attn.out_proj.weight (8, 8);decoder.layers.0.multihead_attn.out_proj.bias (8,);\
            decoder.layers.0.linear1.weight (16, 8);decoder.layers.0.linear1.bias (16,);decoder.layers.0.linear2.weight (8, 16);\
            decoder.layers.0.linear2.bias (8,);decoder.layers.0.norm1.weight (8,);decoder.layers.0.norm1.bias (8,);\
            decoder.layers.0.norm2.weight (8,);decoder.layers.0.norm2.bias (8,);decoder.layers.0.norm3.weight (8,);\
            decoder.layers.0.norm3.bias (8,);decoder.norm.weight (8,);decoder.norm.bias (8,)""";

    private static String describe(ParamSpec p) {
        long[] dims = p.type().shape().toArray();
        String shape = java.util.Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", "));
        return p.key() + " (" + shape + (dims.length == 1 ? ",)" : ")");
    }

    @Test void theStateDictIsPyTorchs() {
        LoadedModel m = load("self.t = nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=16)\n",
                "return self.t(x, y)\n", "torch.randn(5, 2, 8), torch.randn(3, 2, 8)");
        String got = m.stateDict().stream().map(TransformerTest::describe).map(s -> s.substring("t.".length())).collect(Collectors.joining(";"));
        assertEquals(PYTORCH_STATE_DICT, got);
        assertEquals(List.of(3L, 2L, 8L), java.util.Arrays.stream(m.graph().outputs().get(0).type().shape().toArray()).boxed().toList());
    }

    @Test void theStacksLayersAreCopiesWithWeightsOfTheirOwn() {
        LoadedModel m = load("""
                layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, activation='gelu', batch_first=True, norm_first=True)
                self.enc = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
                assert self.enc.layers[0] is not layer and self.enc.layers[0].activation_relu_or_gelu == 2
                """, "return self.enc(x) + y\n", "torch.randn(2, 5, 8), torch.randn(2, 5, 8)");
        List<String> params = m.graph().params().stream().map(Value::name).toList();
        for (int i = 0; i < 3; i++) assertTrue(params.contains("enc.layers." + i + ".self_attn.in_proj_weight"), params.toString());
        assertEquals(3 * 12 + 2, params.size(), "no weight is shared between the copies: " + params);
    }

    /** Runs the model's graph on x and y with parameters drawn from a fixed seed. */
    private static HostTensor run(LoadedModel m, HostTensor x, HostTensor y) {
        java.util.Random rnd = new java.util.Random(7);
        Map<String, HostTensor> params = new java.util.LinkedHashMap<>();
        for (Value p : m.graph().params()) params.put(p.name(), Traced.random(p.type(), rnd));
        return Interpreter.run(m.graph(), List.of(x, y), params).get(0);
    }

    /** x with the element at flat index i changed. */
    private static HostTensor bump(HostTensor x, int from, int to) {
        double[] v = new double[(int) x.numel()];
        for (int i = 0; i < v.length; i++) v[i] = x.getFlat(i) + (i >= from && i < to ? 1.5 : 0);
        return HostTensor.of(x.type(), v);
    }

    /** Which positions along the sequence (dim 1 of a batch-first (N, T, E) output) differ between a and b. */
    private static List<Integer> changed(HostTensor a, HostTensor b) {
        long[] s = a.shape().toArray();
        List<Integer> out = new ArrayList<>();
        for (int t = 0; t < s[1]; t++) {
            boolean diff = false;
            for (int n = 0; n < s[0]; n++)
                for (int e = 0; e < s[2]; e++) {
                    int i = (int) ((n * s[1] + t) * s[2] + e);
                    diff |= Math.abs(a.getFlat(i) - b.getFlat(i)) > 1e-9;
                }
            if (diff) out.add(t);
        }
        return out;
    }

    @Test void aCausalMaskHidesLaterPositionsAndAPaddingMaskHidesKeys() {
        // the causal mask: changing position 3 of x changes outputs 3 and 4 only
        LoadedModel m = load("""
                self.enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2)
                """, """
                mask = nn.Transformer.generate_square_subsequent_mask(x.size(1))
                return self.enc(x + 0 * y, mask=mask, is_causal=True)
                """, "torch.randn(2, 5, 8), torch.randn(2, 5, 8)");
        HostTensor x = Traced.random(m.inputTypes().get(0), new java.util.Random(1)), y = Traced.random(m.inputTypes().get(1), new java.util.Random(2));
        assertEquals(List.of(3, 4), changed(run(m, x, y), run(m, bump(x, 3 * 8, 4 * 8), y)));
        // the decoder: tgt causal, memory key 4 padded out: changing memory position 4 changes nothing, position 0 all
        m = load("""
                self.dec = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, batch_first=True, activation=F.gelu), 2)
                """, """
                pad = torch.zeros(x.size(0), y.size(1), dtype=torch.bool)
                pad[:, 4] = True
                return self.dec(x, y, tgt_mask=nn.Transformer.generate_square_subsequent_mask(x.size(1)), memory_key_padding_mask=pad)
                """, "torch.randn(2, 3, 8), torch.randn(2, 5, 8)");
        x = Traced.random(m.inputTypes().get(0), new java.util.Random(1));
        y = Traced.random(m.inputTypes().get(1), new java.util.Random(2));
        HostTensor base = run(m, x, y);
        assertEquals(List.of(), changed(base, run(m, x, bump(y, 4 * 8, 5 * 8))));
        assertEquals(List.of(0, 1, 2), changed(base, run(m, x, bump(y, 0, 8))));
        assertEquals(List.of(1, 2), changed(base, run(m, bump(x, 8, 16), y)));
    }

    @Test void pyTorchsErrorsAreKept() {
        CompileError e = assertThrows(CompileError.class, () -> load("self.l = nn.TransformerEncoderLayer(8, 2, 16)\n",
                "return self.l(x, is_causal=True) + y\n", "torch.randn(5, 2, 8), torch.randn(5, 2, 8)"));
        assertTrue(e.getMessage().contains("Need attn_mask if specifying the is_causal hint"), e.getMessage());
        e = assertThrows(CompileError.class, () -> load("self.l = nn.TransformerDecoderLayer(8, 2, 16, activation='tanh')\n",
                "return self.l(x, y)\n", "torch.randn(5, 2, 8), torch.randn(5, 2, 8)"));
        assertTrue(e.getMessage().contains("activation should be relu/gelu, not tanh"), e.getMessage());
        e = assertThrows(CompileError.class, () -> load("self.t = nn.Transformer(8, 2, 1, 1, 16)\n",
                "return self.t(x, y)\n", "torch.randn(5, 2, 8), torch.randn(5, 3, 8)"));
        assertTrue(e.getMessage().contains("the batch number of src and tgt must be equal"), e.getMessage());
    }
}
