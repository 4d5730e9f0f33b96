package kc.runtime.verify;

import kc.ir.graph.DType;

/** MEASURING.md's tolerances: allclose with atol = rtol = 1e-4 for fp32 (and fp64), 1e-2 for fp16/bf16. */
public record Tolerance(double atol, double rtol) {
    public static Tolerance forDType(DType dtype) {
        return switch (dtype) {
            case F16, BF16 -> new Tolerance(1e-2, 1e-2);
            case F32, F64 -> new Tolerance(1e-4, 1e-4);
            case I64, I32, BOOL -> new Tolerance(0, 0);
        };
    }
}
