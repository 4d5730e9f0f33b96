package kc.frontend.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import kc.frontend.CompileError;
import kc.frontend.Frontend;
import kc.ir.graph.DType;
import kc.ir.graph.Shape;
import kc.ir.interp.HostTensor;

/**
 * Complex tensors, lowered in the frontend to (real, imag) pairs of real tensors: each op through the reference
 * interpreter against complex arithmetic done here, and the clear errors for what kc does not model.
 */
class ComplexTest {
    static final double TOL = 1e-5; // float32 parts, rounded after every op as PyTorch's are

    static void close(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
    }

    /** re + im·i of a view_as_real result at (i, j): its last dim holds the real and the imaginary part. */
    static void closeComplex(double re, double im, HostTensor pairs, long i, long j, String what) {
        close(re, pairs.get(i, j, 0), what + " (real part)");
        close(im, pairs.get(i, j, 1), what + " (imaginary part)");
    }

    @Test void polarAndViewAsRealGiveTheCosineAndSinePartsInALastDimOfTwo() {
        Traced t = Traced.forward("r, theta", "return torch.view_as_real(torch.polar(r.abs(), theta))", "torch.rand(3, 4), torch.rand(3, 4)");
        HostTensor r = t.in(0), theta = t.in(1), out = t.out(0);
        assertEquals(Shape.of(3, 4, 2), out.shape());
        assertEquals(DType.F32, out.dtype());
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) {
            double m = Math.abs(r.get(i, j)), a = theta.get(i, j);
            closeComplex(m * Math.cos(a), m * Math.sin(a), out, i, j, "polar");
        }
    }

    @Test void realImagAbsAngleAndConjTakeAComplexTensorApart() {
        Traced t = Traced.forward("x, y", """
                z = torch.complex(x, y)
                return z.real, torch.imag(z), z.abs() + 0 * torch.abs(z) + 0 * abs(z), z.angle(), torch.view_as_real(z.conj()), torch.real(x)""",
                "torch.randn(2, 3), torch.randn(2, 3)");
        HostTensor x = t.in(0), y = t.in(1);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) {
            double a = x.get(i, j), b = y.get(i, j);
            close(a, t.out(0).get(i, j), "real");
            close(b, t.out(1).get(i, j), "imag");
            close(Math.hypot(a, b), t.out(2).get(i, j), "abs");
            close(Math.atan2(b, a), t.out(3).get(i, j), "angle");
            closeComplex(a, -b, t.out(4), i, j, "conj");
            close(a, t.out(5).get(i, j), "torch.real of a real tensor");
        }
    }

    @Test void viewAsComplexPairsTheLastDimAndViewAsRealFlattensBackToTheInput() {
        Traced t = Traced.forward("x", """
                z = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2))
                return z.real, z.imag, torch.view_as_real(z).flatten(2)""", "torch.randn(2, 3, 8)");
        HostTensor x = t.in(0);
        assertEquals(Shape.of(2, 3, 4), t.out(0).shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) {
            close(x.get(i, j, 2 * k), t.out(0).get(i, j, k), "real part: the even elements");
            close(x.get(i, j, 2 * k + 1), t.out(1).get(i, j, k), "imaginary part: the odd elements");
        }
        for (int i = 0; i < 48; i++) close(x.getFlat(i), t.out(2).getFlat(i), "view_as_real(view_as_complex(x)) is x");
    }

    @Test void arithmeticOfComplexWithComplexRealAndNumbersOnEitherSide() {
        Traced t = Traced.forward("a, b, c, d, r", """
                z, w = torch.complex(a, b), torch.complex(c, d)
                return tuple(torch.view_as_real(v) for v in (z * w, z + w, z - w, z / w, z * r, r * z, r - z, z + r, 2 * z - 1, 1 / w, -z,
                                                             torch.mul(z, w), z.add(w, alpha=2), torch.sub(r, z), z.div(r)))""",
                "torch.randn(5), torch.randn(5), torch.randn(5), torch.randn(5), torch.randn(5)");
        for (int i = 0; i < 5; i++) {
            double a = t.in(0).get(i), b = t.in(1).get(i), c = t.in(2).get(i), d = t.in(3).get(i), r = t.in(4).get(i), n = c * c + d * d;
            double[][] expected = {{a * c - b * d, a * d + b * c}, {a + c, b + d}, {a - c, b - d}, {(a * c + b * d) / n, (b * c - a * d) / n},
                    {a * r, b * r}, {a * r, b * r}, {r - a, -b}, {a + r, b}, {2 * a - 1, 2 * b}, {c / n, -d / n}, {-a, -b},
                    {a * c - b * d, a * d + b * c}, {a + 2 * c, b + 2 * d}, {r - a, -b}, {a / r, b / r}};
            for (int k = 0; k < expected.length; k++) {
                HostTensor out = t.out(k);
                assertEquals(Shape.of(5, 2), out.shape());
                close(expected[k][0], out.get(i, 0), "op " + k + " real part");
                close(expected[k][1], out.get(i, 1), "op " + k + " imaginary part");
            }
        }
    }

    @Test void aComplexProductBroadcastsLikeRotaryEmbeddingsAndPromotesToComplex128() {
        Traced t = Traced.forward("x, f", """
                xc = torch.view_as_complex(x.reshape(2, 3, 4, -1, 2))
                fc = torch.polar(torch.ones_like(f), f)
                fc = fc.view(1, xc.shape[1], 1, xc.shape[-1])
                return torch.view_as_real(xc * fc).flatten(3), torch.view_as_real(fc * f.double())""", "torch.randn(2, 3, 4, 6), torch.randn(3, 3)");
        HostTensor x = t.in(0), f = t.in(1), out = t.out(0);
        assertEquals(Shape.of(2, 3, 4, 6), out.shape());
        for (int b = 0; b < 2; b++) for (int s = 0; s < 3; s++) for (int h = 0; h < 4; h++) for (int k = 0; k < 3; k++) {
            double re = x.get(b, s, h, 2 * k), im = x.get(b, s, h, 2 * k + 1), c = Math.cos(f.get(s, k)), sn = Math.sin(f.get(s, k));
            close(re * c - im * sn, out.get(b, s, h, 2 * k), "rotated real part");
            close(re * sn + im * c, out.get(b, s, h, 2 * k + 1), "rotated imaginary part");
        }
        assertEquals(DType.F64, t.out(1).dtype(), "complex64 times a float64 tensor is complex128");
        assertEquals(Shape.of(1, 3, 3, 3, 2), t.out(1).shape(), "(1, 3, 1, 3) broadcast with (3, 3)");
    }

    @Test void viewAndShapeOpsApplyToBothParts() {
        Traced t = Traced.forward("x, y", """
                z = torch.complex(x, y).to(x.device).cpu()
                assert z.shape == (4, 6) and z.dim() == 2 and z.size() == (4, 6) and z.size(-1) == 6 and z.ndim == 2 and len(z) == 4
                assert z.is_complex() and not x.is_complex() and torch.is_complex(z) and z.dtype == torch.complex64 and isinstance(z, torch.Tensor)
                w = z.view(2, 2, 6).reshape(4, 3, 2)[1:3, ::2].unsqueeze(0).permute(0, 2, 1, 3).transpose(1, 2)
                from einops import rearrange
                return torch.view_as_real(w).flatten(3), torch.view_as_real(torch.cat([z.T, rearrange(z, 'a b -> b a')], 0)), torch.view_as_real(z.sum(1))""",
                "torch.randn(4, 6), torch.randn(4, 6)");
        HostTensor x = t.in(0), y = t.in(1);
        HostTensor w = t.out(0); // w[0, i, j, k] = z.reshape(4, 3, 2)[1 + i, 2 * j, k]: flat index (1 + i) * 6 + 2 * j * 2 + k
        assertEquals(Shape.of(1, 2, 2, 4), w.shape());
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 2; k++) {
            int flat = (1 + i) * 6 + 4 * j + k;
            close(x.getFlat(flat), w.get(0, i, j, 2 * k), "sliced real part");
            close(y.getFlat(flat), w.get(0, i, j, 2 * k + 1), "sliced imaginary part");
        }
        HostTensor cat = t.out(1);
        assertEquals(Shape.of(12, 4, 2), cat.shape());
        close(x.get(3, 5), cat.get(5, 3, 0), "z.T real part");
        close(y.get(3, 5), cat.get(11, 3, 1), "rearranged imaginary part");
        double re = 0, im = 0;
        for (int j = 0; j < 6; j++) { re += x.get(2, j); im += y.get(2, j); }
        close(re, t.out(2).get(2, 0), "sum's real part");
        close(im, t.out(2).get(2, 1), "sum's imaginary part");
    }

    @Test void conversionsBetweenRealAndComplexDtypes() {
        Traced t = Traced.forward("x, y", """
                z = torch.complex(x, y)
                a = x.type_as(z) + x.to(torch.complex64)
                b = z.to(torch.cdouble).type_as(z)
                return torch.view_as_real(a), torch.view_as_real(z.to(torch.complex128)), torch.view_as_real(b)""",
                "torch.randn(3), torch.randn(3)");
        for (int i = 0; i < 3; i++) {
            close(2 * t.in(0).get(i), t.out(0).get(i, 0), "a real tensor as complex: its real part");
            close(0, t.out(0).get(i, 1), "a real tensor as complex: a zero imaginary part");
        }
        assertEquals(DType.F64, t.out(1).dtype());
        assertEquals(DType.F32, t.out(2).dtype());
    }

    @Test void aComplexTableMayBeAPlainAttributeOrANonPersistentBuffer() {
        Traced t = Traced.run("""
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        angles = torch.arange(8.0).view(4, 2)
                        self.table = torch.polar(torch.ones_like(angles), angles)
                        self.register_buffer("cis", torch.polar(torch.ones_like(angles), -angles), persistent=False)
                    def forward(self, x):
                        self.table = self.table.to(x.device)
                        return torch.view_as_real(self.table[1:3] * self.cis[1:3] * x)
                def get_inputs():
                    return [torch.randn(2, 2)]
                def get_init_inputs():
                    return []
                """);
        assertEquals(0, t.model.stateDict().size(), "a non-persistent buffer is not in the state_dict");
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) closeComplex(t.in(0).get(i, j), 0, t.out(0), i, j, "cis(a)·cis(-a)·x");
    }

    // ---------------------------------------------------------------- what kc does not model

    static CompileError error(String forward) {
        String src = "import torch\nimport torch.nn as nn\nclass Model(nn.Module):\n    def forward(self, x):\n        z = torch.complex(x, x)\n"
                + forward.indent(8) + "def get_inputs():\n    return [torch.randn(4, 2)]\n";
        return assertThrows(CompileError.class, () -> Frontend.load("c.py", src, Map.of()));
    }

    static void assertError(String forward, int line, String message) {
        CompileError e = error(forward);
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(line, e.line(), e.getMessage());
    }

    @Test void otherOpsOnComplexTensorsAreErrorsAtTheirLine() {
        assertError("return torch.view_as_real(torch.exp(z))", 6, "unsupported: exp() with complex values (kc lowers a complex tensor to a pair of real tensors");
        assertError("return torch.view_as_real(z @ z)", 6, "unsupported: the @ operator with complex values");
        assertError("return torch.view_as_real(z ** 2)", 6, "unsupported: the ** operator with complex values");
        assertError("return z.float()", 6, "unsupported: float() with complex values");
        assertError("return z.softmax(-1)", 6, "unsupported: Tensor.softmax() on a complex tensor");
        assertError("return z == z", 6, "unsupported: comparing complex tensors");
        assertError("return torch.zeros(2, dtype=torch.complex64)", 6, "unsupported: zeros() with complex values");
        assertError("return torch.where(x > 0, z, z)", 6, "unsupported: where() with complex values");
        assertError("y = x.clone()\ny[0] = z[0]\nreturn y", 7, "unsupported: assignment into a complex tensor, or of a complex value into a real one");
        assertError("return z.to(torch.float32)", 6, "unsupported: casting a complex tensor to torch.float32");
        assertError("if z:\n    return x", 6, "unsupported: the truth value of a complex tensor");
    }

    @Test void inPlaceOpsOnOrIntoComplexTensorsAreErrors() {
        assertError("z *= 2\nreturn x", 6, "unsupported: the in-place operator *= on a complex tensor");
        assertError("x += z\nreturn x", 6, "result type torch.complex64 can't be cast to the desired output type torch.float32");
        assertError("x.mul_(z)\nreturn x", 6, "result type torch.complex64 can't be cast to the desired output type torch.float32");
        assertError("z.mul_(2)\nreturn x", 6, "unsupported: an in-place operation on a complex tensor");
    }

    @Test void misusedConstructorsAreErrorsWithPyTorchsMessages() {
        assertError("return torch.view_as_complex(x.reshape(2, 4))", 6, "Tensor must have a last dimension of size 2");
        assertError("return torch.view_as_complex(x.long())", 6, "view_as_complex is only supported for half, float and double tensors");
        assertError("return torch.view_as_real(x)", 6, "view_as_real is only supported for complex tensors");
        assertError("return torch.polar(x, x.double())", 6, "Expected object of scalar type float32 but got scalar type float64 for second argument");
        assertError("return x.imag", 6, "imag is not implemented for tensors with non-complex dtypes.");
        assertError("return torch.view_as_complex(x.half())", 6, "unsupported: complex32");
    }

    @Test void complexOutputsInputsAndStateAreErrors() {
        assertTrue(error("return z").getMessage().contains("unsupported: forward returns a complex tensor"));
        CompileError e = assertThrows(CompileError.class, () -> Frontend.load("c.py", """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.register_buffer("cis", torch.polar(torch.ones(3), torch.zeros(3)))
                    def forward(self, x):
                        return x
                def get_inputs():
                    return [torch.randn(3)]
                """, Map.of()));
        assertTrue(e.getMessage().contains("unsupported: a complex tensor as persistent buffer 'cis'"), e.getMessage());
        assertEquals(6, e.line());
        e = assertThrows(CompileError.class, () -> Frontend.load("c.py", """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def __init__(self):
                        super().__init__()
                        self.w = nn.Parameter(torch.polar(torch.ones(3), torch.zeros(3)))
                    def forward(self, x):
                        return x
                def get_inputs():
                    return [torch.polar(torch.ones(3), torch.zeros(3))]
                """, Map.of()));
        assertTrue(e.getMessage().contains("unsupported: Parameter() with complex values"), e.getMessage());
        e = assertThrows(CompileError.class, () -> Frontend.load("c.py", """
                import torch
                import torch.nn as nn
                class Model(nn.Module):
                    def forward(self, x):
                        return torch.view_as_real(x)
                def get_inputs():
                    return [torch.polar(torch.ones(3), torch.zeros(3))]
                """, Map.of()));
        assertTrue(e.getMessage().contains("unsupported: a complex tensor as an input of the model"), e.getMessage());
    }
}
