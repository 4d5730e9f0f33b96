package kc.frontend.torch;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.interp.HostTensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Results of kc's torch library, run by the reference interpreter, against values computed here. */
class NumericsTest {
    static final double TOL = 1e-6; // the interpreter stores float32 values rounded, as PyTorch does

    static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void softmaxRowsSumToOneAndMatchDefinition() {
        Traced t = Traced.forward("x", "return torch.softmax(x, dim=-1), F.log_softmax(x, 1)", "torch.rand(3, 5)");
        HostTensor x = t.in(0), s = t.out(0), ls = t.out(1);
        assertEquals(Shape.of(3, 5), s.shape());
        for (int r = 0; r < 3; r++) {
            double sum = 0, denom = 0;
            for (int c = 0; c < 5; c++) denom += Math.exp(x.get(r, c));
            for (int c = 0; c < 5; c++) {
                sum += s.get(r, c);
                close(Math.exp(x.get(r, c)) / denom, s.get(r, c), "softmax");
                close(x.get(r, c) - Math.log(denom), ls.get(r, c), "log_softmax");
            }
            close(1.0, sum, "row sum");
        }
    }

    @Test
    void conv2dMatchesNaiveLoop() {
        String src = """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.conv = nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)
                    def forward(self, x):
                        return self.conv(x)
                def get_inputs():
                    return [torch.rand(2, 4, 7, 6)]
                def get_init_inputs():
                    return []
                """;
        Traced t = Traced.run(src);
        HostTensor x = t.in(0), w = t.param("conv.weight"), b = t.param("conv.bias"), y = t.out(0);
        int[] s = {2, 1}, p = {1, 2}, d = {1, 2};
        int oh = (7 + 2 - 1 * 2 - 1) / 2 + 1, ow = (6 + 4 - 2 * 1 - 1) / 1 + 1;
        assertEquals(Shape.of(2, 6, oh, ow), y.shape());
        for (int n = 0; n < 2; n++) for (int oc = 0; oc < 6; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double acc = b.get(oc);
            int g = oc / 3;
            for (int ic = 0; ic < 2; ic++) for (int kh = 0; kh < 3; kh++) for (int kw = 0; kw < 2; kw++) {
                int hi = i * s[0] + kh * d[0] - p[0], wi = j * s[1] + kw * d[1] - p[1];
                if (hi < 0 || hi >= 7 || wi < 0 || wi >= 6) continue;
                acc += x.get(n, g * 2 + ic, hi, wi) * w.get(oc, ic, kh, kw);
            }
            close(acc, y.get(n, oc, i, j), "conv2d");
        }
    }

    @Test
    void convTranspose2dMatchesScatterLoop() {
        String src = """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.up = nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(2, 1))
                    def forward(self, x):
                        return self.up(x)
                def get_inputs():
                    return [torch.rand(2, 4, 3, 4)]
                def get_init_inputs():
                    return []
                """;
        Traced t = Traced.run(src);
        HostTensor x = t.in(0), w = t.param("up.weight"), b = t.param("up.bias"), y = t.out(0);
        assertEquals(Shape.of(4, 3, 3, 2), w.shape());
        int[] s = {2, 3}, p = {1, 0}, op = {1, 2}, d = {2, 1}, k = {3, 2}, in = {3, 4};
        int oh = (in[0] - 1) * s[0] - 2 * p[0] + d[0] * (k[0] - 1) + op[0] + 1;
        int ow = (in[1] - 1) * s[1] - 2 * p[1] + d[1] * (k[1] - 1) + op[1] + 1;
        assertEquals(Shape.of(2, 6, oh, ow), y.shape());
        double[][][][] expect = new double[2][6][oh][ow];
        for (int n = 0; n < 2; n++) for (int oc = 0; oc < 6; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) expect[n][oc][i][j] = b.get(oc);
        // scatter: every input element adds its weighted kernel into the output
        for (int n = 0; n < 2; n++) for (int ic = 0; ic < 4; ic++) for (int i = 0; i < in[0]; i++) for (int j = 0; j < in[1]; j++) {
            int g = ic / 2;
            for (int ocg = 0; ocg < 3; ocg++) for (int kh = 0; kh < k[0]; kh++) for (int kw = 0; kw < k[1]; kw++) {
                int o1 = i * s[0] - p[0] + kh * d[0], o2 = j * s[1] - p[1] + kw * d[1];
                if (o1 < 0 || o1 >= oh || o2 < 0 || o2 >= ow) continue;
                expect[n][g * 3 + ocg][o1][o2] += x.get(n, ic, i, j) * w.get(ic, ocg, kh, kw);
            }
        }
        for (int n = 0; n < 2; n++) for (int oc = 0; oc < 6; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++)
            close(expect[n][oc][i][j], y.get(n, oc, i, j), "conv_transpose2d at " + n + "," + oc + "," + i + "," + j);
    }

    @Test
    void poolingMatchesLoops() {
        Traced t = Traced.forward("x", """
                a = F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
                b = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
                c = F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)
                d = F.adaptive_avg_pool2d(x, (3, 4))
                e = F.adaptive_max_pool2d(x, (3, 4))
                return a, b, c, d, e""", "torch.rand(1, 2, 6, 7)");
        HostTensor x = t.in(0);
        int h = 6, w = 7;
        // ceil_mode: out = ceil((L + 2p - k) / s) + 1, minus one if the last window starts in the padding
        int oh = 4, ow = 4;
        assertEquals(Shape.of(1, 2, oh, ow), t.out(0).shape());
        for (int c = 0; c < 2; c++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double mx = Double.NEGATIVE_INFINITY, sum = 0;
            int cnt = 0;
            int hs = i * 2 - 1, ws = j * 2 - 1;
            int he = Math.min(hs + 3, h + 1), we = Math.min(ws + 3, w + 1);
            int padCount = (he - hs) * (we - ws);
            for (int a = hs; a < hs + 3; a++) for (int b = ws; b < ws + 3; b++) {
                if (a < 0 || a >= h || b < 0 || b >= w) continue;
                mx = Math.max(mx, x.get(0, c, a, b));
                sum += x.get(0, c, a, b);
                cnt++;
            }
            close(mx, t.out(0).get(0, c, i, j), "max_pool");
            close(sum / cnt, t.out(1).get(0, c, i, j), "avg_pool exclude pad");
            close(sum / padCount, t.out(2).get(0, c, i, j), "avg_pool include pad");
        }
        int[] outs = {3, 4}, lens = {6, 7};
        for (int c = 0; c < 2; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) {
            int h0 = Math.floorDiv(i * lens[0], outs[0]), h1 = -Math.floorDiv(-(i + 1) * lens[0], outs[0]);
            int w0 = Math.floorDiv(j * lens[1], outs[1]), w1 = -Math.floorDiv(-(j + 1) * lens[1], outs[1]);
            double sum = 0, mx = Double.NEGATIVE_INFINITY;
            for (int a = h0; a < h1; a++) for (int b = w0; b < w1; b++) { sum += x.get(0, c, a, b); mx = Math.max(mx, x.get(0, c, a, b)); }
            close(sum / ((h1 - h0) * (w1 - w0)), t.out(3).get(0, c, i, j), "adaptive avg");
            close(mx, t.out(4).get(0, c, i, j), "adaptive max");
        }
    }

    @Test
    void viewsPutElementsWherePyTorchDoes() {
        Traced t = Traced.forward("x", """
                a = x.view(4, 6).permute(1, 0).reshape(3, -1)
                b = x.transpose(0, 2)[1:, ::2, -1]
                c = x[None, ..., 1]
                d = torch.flip(x, [1]).roll(1, 0)
                return a, b, c, d, x.unfold(2, 2, 1), torch.cat([x, x * 2], 1), torch.stack([x, x + 1], -1)""", "torch.rand(2, 3, 4)");
        HostTensor x = t.in(0);
        double[] xf = x.data();
        // a: x.view(4, 6) is x's flat order; permute(1, 0) then reshape(3, 8) reads the transposed order
        double[] transposed = new double[24];
        for (int i = 0; i < 4; i++) for (int j = 0; j < 6; j++) transposed[j * 4 + i] = xf[i * 6 + j];
        for (int k = 0; k < 24; k++) close(transposed[k], t.out(0).get(k / 8, k % 8), "view/permute/reshape");
        // b: y = x.transpose(0, 2) has shape (4, 3, 2); b[i, j] = y[1 + i, 2 j, 1] = x[1, 2 j, 1 + i]
        assertEquals(Shape.of(3, 2), t.out(1).shape());
        for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) close(x.get(1, 2 * j, 1 + i), t.out(1).get(i, j), "slices");
        assertEquals(Shape.of(1, 2, 3), t.out(2).shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) close(x.get(i, j, 1), t.out(2).get(0, i, j), "None/Ellipsis");
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++)
            close(x.get((i + 1) % 2, 2 - j, k), t.out(3).get(i, j, k), "flip/roll");
        assertEquals(Shape.of(2, 3, 3, 2), t.out(4).shape());
        for (int i = 0; i < 3; i++) for (int k = 0; k < 2; k++) close(x.get(1, 2, i + k), t.out(4).get(1, 2, i, k), "unfold");
        assertEquals(Shape.of(2, 6, 4), t.out(5).shape());
        close(x.get(1, 2, 3), t.out(5).get(1, 2, 3), "cat first");
        close(2 * x.get(1, 2, 3), t.out(5).get(1, 5, 3), "cat second");
        close(x.get(1, 0, 2) + 1, t.out(6).get(1, 0, 2, 1), "stack");
    }

    @Test
    void einsumAgreesWithMatmulAndBroadcastsBatches() {
        Traced t = Traced.forward("a, b", """
                return torch.einsum('bij,bjk->bik', a, b), a @ b, torch.einsum('...ij,...jk', a, b), torch.matmul(a[0], b[1][:, 0])""",
                "torch.rand(2, 3, 4), torch.rand(2, 4, 5)");
        HostTensor a = t.in(0), b = t.in(1);
        for (int n = 0; n < 2; n++) for (int i = 0; i < 3; i++) for (int k = 0; k < 5; k++) {
            double acc = 0;
            for (int j = 0; j < 4; j++) acc += a.get(n, i, j) * b.get(n, j, k);
            close(acc, t.out(0).get(n, i, k), "einsum");
            close(acc, t.out(1).get(n, i, k), "matmul");
            close(acc, t.out(2).get(n, i, k), "einsum with ellipsis");
        }
        assertEquals(Shape.of(3), t.out(3).shape());
        for (int i = 0; i < 3; i++) {
            double acc = 0;
            for (int j = 0; j < 4; j++) acc += a.get(0, i, j) * b.get(1, j, 0);
            close(acc, t.out(3).get(i), "mv");
        }
    }

    @Test
    void lstmMatchesHandWrittenCell() {
        String src = """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.lstm = nn.LSTM(3, 2, num_layers=1, batch_first=True, bidirectional=True)
                    def forward(self, x):
                        out, (h, c) = self.lstm(x)
                        return out, h, c
                def get_inputs():
                    return [torch.rand(1, 4, 3)]
                def get_init_inputs():
                    return []
                """;
        Traced t = Traced.run(src);
        assertEquals(java.util.List.of("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
                "lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse", "lstm.bias_hh_l0_reverse"),
                t.model.stateDictKeys());
        assertEquals(Shape.of(1, 4, 4), t.out(0).shape());
        assertEquals(Shape.of(2, 1, 2), t.out(1).shape());
        HostTensor x = t.in(0);
        for (int dir = 0; dir < 2; dir++) {
            String sfx = dir == 0 ? "_l0" : "_l0_reverse";
            HostTensor wi = t.param("lstm.weight_ih" + sfx), wh = t.param("lstm.weight_hh" + sfx), bi = t.param("lstm.bias_ih" + sfx), bh = t.param("lstm.bias_hh" + sfx);
            double[] h = new double[2], c = new double[2];
            for (int step = 0; step < 4; step++) {
                int time = dir == 0 ? step : 3 - step;
                double[] gates = new double[8];
                for (int gI = 0; gI < 8; gI++) {
                    double v = bi.get(gI) + bh.get(gI);
                    for (int k = 0; k < 3; k++) v += wi.get(gI, k) * x.get(0, time, k);
                    for (int k = 0; k < 2; k++) v += wh.get(gI, k) * h[k];
                    gates[gI] = v;
                }
                for (int u = 0; u < 2; u++) {
                    double i = sig(gates[u]), f = sig(gates[2 + u]), g = Math.tanh(gates[4 + u]), o = sig(gates[6 + u]);
                    c[u] = f * c[u] + i * g;
                    h[u] = o * Math.tanh(c[u]);
                }
                for (int u = 0; u < 2; u++) close(h[u], t.out(0).get(0, time, dir * 2 + u), "lstm output");
            }
            for (int u = 0; u < 2; u++) {
                close(h[u], t.out(1).get(dir, 0, u), "h_n");
                close(c[u], t.out(2).get(dir, 0, u), "c_n");
            }
        }
    }

    static double sig(double v) { return 1 / (1 + Math.exp(-v)); }

    @Test
    void reductionsAndNamedMax() {
        Traced t = Traced.forward("x", """
                m = torch.max(x, dim=1)
                return m.values, m[1], x.var(1), torch.std(x, dim=1, unbiased=False), torch.logsumexp(x, 1), torch.argmin(x), x.mean((0, 1), keepdim=True), torch.norm(x, p='fro')""",
                "torch.rand(3, 4)");
        HostTensor x = t.in(0);
        double total = 0, minV = Double.POSITIVE_INFINITY, sq = 0;
        int argmin = -1;
        for (int r = 0; r < 3; r++) {
            double mx = Double.NEGATIVE_INFINITY, sum = 0, lse = 0;
            int arg = -1;
            for (int c = 0; c < 4; c++) {
                double v = x.get(r, c);
                if (v > mx) { mx = v; arg = c; }
                sum += v;
                if (v < minV) { minV = v; argmin = r * 4 + c; }
                sq += v * v;
            }
            total += sum;
            double mean = sum / 4, ss = 0;
            for (int c = 0; c < 4; c++) { ss += (x.get(r, c) - mean) * (x.get(r, c) - mean); lse += Math.exp(x.get(r, c) - mx); }
            close(mx, t.out(0).get(r), "max values");
            assertEquals(arg, t.out(1).get(r), "max indices");
            assertEquals(DType.I64, t.out(1).dtype());
            close(ss / 3, t.out(2).get(r), "var");
            close(Math.sqrt(ss / 4), t.out(3).get(r), "std biased");
            close(mx + Math.log(lse), t.out(4).get(r), "logsumexp");
        }
        assertEquals(argmin, t.out(5).getFlat(0));
        assertEquals(Shape.of(1, 1), t.out(6).shape());
        close(total / 12, t.out(6).getFlat(0), "mean over dims");
        close(Math.sqrt(sq), t.out(7).getFlat(0), "frobenius norm");
    }

    @Test
    void typePromotionFollowsPyTorch() {
        Traced t = Traced.forward("x, i", """
                return x * 2.5, i * 2.5, i / 2, i + 1, x > 0, i * x, i // 2, x.sum(), i.sum(), i * True""",
                "torch.rand(3), torch.randint(0, 5, (3,))");
        assertEquals(DType.F32, t.out(0).dtype());
        assertEquals(DType.F32, t.out(1).dtype());
        assertEquals(DType.F32, t.out(2).dtype());
        assertEquals(DType.I64, t.out(3).dtype());
        assertEquals(DType.BOOL, t.out(4).dtype());
        assertEquals(DType.F32, t.out(5).dtype());
        assertEquals(DType.I64, t.out(6).dtype());
        assertEquals(DType.F32, t.out(7).dtype());
        assertEquals(DType.I64, t.out(8).dtype());
        assertEquals(DType.I64, t.out(9).dtype());
        HostTensor i = t.in(1);
        for (int k = 0; k < 3; k++) {
            close(i.get(k) / 2, t.out(2).get(k), "int true division");
            close(Math.floorDiv((long) i.get(k), 2), t.out(6).get(k), "floor division");
        }
    }

    @Test
    void setItemUpdatesOnlyTheRegion() {
        Traced t = Traced.forward("x", """
                y = x.clone()
                y[:, 1::2] = 0
                y[0, :, -1] += 10
                z = torch.zeros(2, 4, 3)
                z[..., 1] = x[:, :, 0]
                return y, z, x""", "torch.rand(2, 4, 3)");
        HostTensor x = t.in(0), y = t.out(0), z = t.out(1);
        for (int a = 0; a < 2; a++) for (int b = 0; b < 4; b++) for (int c = 0; c < 3; c++) {
            double e = b % 2 == 1 ? 0 : x.get(a, b, c);
            if (a == 0 && c == 2) e += 10;
            close(e, y.get(a, b, c), "setitem");
            close(c == 1 ? x.get(a, b, 0) : 0, z.get(a, b, c), "setitem with tensor");
            close(x.get(a, b, c), t.out(2).get(a, b, c), "clone keeps the original");
        }
    }

    @Test
    void crossEntropyMatchesDefinition() {
        Traced t = Traced.forward("x, y", "return F.cross_entropy(x, y), F.kl_div(torch.log(F.softmax(x, 1)), F.softmax(x * 2, 1), reduction='batchmean')",
                "torch.rand(4, 5), torch.randint(0, 5, (4,))");
        HostTensor x = t.in(0), y = t.in(1);
        double loss = 0, kl = 0;
        for (int r = 0; r < 4; r++) {
            double lse = 0, lse2 = 0;
            for (int c = 0; c < 5; c++) { lse += Math.exp(x.get(r, c)); lse2 += Math.exp(2 * x.get(r, c)); }
            loss += Math.log(lse) - x.get(r, (int) y.get(r));
            for (int c = 0; c < 5; c++) {
                double p = Math.exp(x.get(r, c)) / lse, q = Math.exp(2 * x.get(r, c)) / lse2;
                kl += q * (Math.log(q) - Math.log(p));
            }
        }
        close(loss / 4, t.out(0).getFlat(0), "cross_entropy");
        close(kl / 4, t.out(1).getFlat(0), "kl_div batchmean");
    }

    @Test
    void itemOfDeterministicTensorsIsKnownAtCompileTime() {
        String src = """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.rates = [v.item() for v in torch.linspace(0, 1, 5)]
                        self.k = int(torch.arange(10).sum())
                    def forward(self, x):
                        return x * self.rates[1] + self.k
                def get_inputs():
                    return [torch.rand(2)]
                def get_init_inputs():
                    return []
                """;
        Traced t = Traced.run(src);
        for (int k = 0; k < 2; k++) close(t.in(0).get(k) * 0.25 + 45, t.out(0).get(k), "item");
    }

    @Test
    void errorsReadLikePyTorch() {
        CompileError e = assertThrows(CompileError.class, () -> Traced.forward("x", "return x.view(2, 3)", "torch.rand(7)"));
        assertEquals("shape '[2, 3]' is invalid for input of size 7", e.getMessage());
        e = assertThrows(CompileError.class, () -> Traced.forward("x", "return torch.sum(x, dimm=1)", "torch.rand(7)"));
        assertEquals("sum() got an unexpected keyword argument 'dimm'", e.getMessage());
        e = assertThrows(CompileError.class, () -> Traced.forward("a, b", "return torch.mm(a, b)", "torch.rand(4, 5), torch.rand(6, 7)"));
        assertEquals("mat1 and mat2 shapes cannot be multiplied (4x5 and 6x7)", e.getMessage());
        e = assertThrows(CompileError.class, () -> Traced.forward("x", "return x.sum(5)", "torch.rand(7)"));
        assertTrue(e.getMessage().startsWith("Dimension out of range"), e.getMessage());
    }

    @Test
    void rearrangeSplitsAndMergesAxes() {
        Traced t = Traced.forward("x", """
                from einops import rearrange
                return rearrange(x, "b (c l) ... -> b c l ...", l=2), rearrange(x, "b n h -> h (b n)")""", "torch.rand(2, 4, 3)");
        HostTensor x = t.in(0);
        assertEquals(Shape.of(2, 2, 2, 3), t.out(0).shape());
        close(x.get(1, 3, 2), t.out(0).get(1, 1, 1, 2), "split axis");
        assertEquals(Shape.of(3, 8), t.out(1).shape());
        close(x.get(1, 2, 0), t.out(1).get(0, 6), "merged axis");
    }
}
