package kc.ir.interp;

import kc.ir.graph.DType;

/** PyTorch's scalar semantics in float64, for the functions Java's Math lacks or defines differently. */
final class ScalarMath {
    private ScalarMath() {}

    /** Python/PyTorch floor division: the quotient rounded toward negative infinity, computed without losing exactness. */
    static double floorDiv(double a, double b) {
        if (b == 0) return a / b;
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
        if (div == 0) return Math.copySign(0.0, a / b);
        double floor = Math.floor(div);
        if (div - floor > 0.5) floor += 1;
        return floor;
    }

    /** Python/PyTorch remainder: takes the sign of the divisor. */
    static double mod(double a, double b) {
        double m = a % b;
        if (m != 0 && (b < 0) != (m < 0)) m += b;
        return m;
    }

    /** NaN-propagating maximum (torch.maximum). */
    static double max(double a, double b) { return Math.max(a, b); }

    static double min(double a, double b) { return Math.min(a, b); }

    static double sigmoid(double x) {
        // written so neither branch overflows
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** PyTorch's sign: NaN stays NaN, zero stays zero. */
    static double sign(double x) { return Math.signum(x); }

    /**
     * The error function to about 1e-16 absolute. For |x| < 6 the series
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)) has only positive terms, so it does not
     * cancel; beyond 6, erf is 1 to double precision.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double ax = Math.abs(x);
        if (ax >= 6) return Math.copySign(1.0, x);
        double x2 = ax * ax;
        double term = ax, sum = ax;
        for (int n = 1; n < 500; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
        return Math.copySign(Math.min(r, 1.0), x);
    }

    /** Conversion to a dtype: integers truncate toward zero, bool is nonzero-ness, floats are kept in float64. */
    static double cast(DType to, double v) {
        return switch (to) {
            case BOOL -> v != 0 ? 1 : 0;
            case I64, I32 -> (double) (long) v;
            case F64, F32, F16, BF16 -> v;
        };
    }

    static boolean isIntegral(DType t) { return !t.isFloat(); }
}
