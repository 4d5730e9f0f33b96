package kc.codegen.ptx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.function.BinaryOperator;

import org.junit.jupiter.api.Test;

/** The math sequences the PTX renderer prints, run in Java (with worst-case ex2/lg2 errors) against java.lang.Math. */
class PtxMathAccuracyTest {
    private final PtxMath<Float, Integer, Boolean> math = new PtxMath<>(new JavaMathOps());

    /** Inputs: a random spread over [lo, hi] plus the special values. */
    private static float[] inputs(double lo, double hi, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[20000];
        for (int i = 0; i < v.length; i++) {
            double t = rnd.nextDouble();
            v[i] = i % 3 == 0 ? (float) (lo + (hi - lo) * t) : (float) (Math.signum(rnd.nextGaussian()) * Math.pow(10, -8 + 10 * t));
            if (v[i] < lo || v[i] > hi) v[i] = (float) (lo + (hi - lo) * t);
        }
        return v;
    }

    /** Largest error in units of (|ref| * rel + abs). */
    private static double worst(float[] xs, UnaryOperator<Float> f, DoubleUnaryOperator ref, double rel, double abs) {
        double worst = 0;
        for (float x : xs) {
            double want = ref.applyAsDouble(x);
            double got = f.apply(x);
            if (Double.isInfinite(want) && (float) want == (float) got) continue;
            double err = Math.abs(got - want) / (Math.abs(want) * rel + abs);
            assertTrue(!Double.isNaN(got), "NaN at " + x);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    private void check(String name, UnaryOperator<Float> f, DoubleUnaryOperator ref, double lo, double hi, double rel, double abs) {
        double w = worst(inputs(lo, hi, name.hashCode()), f, ref, rel, abs);
        System.out.printf("accuracy %-14s worst error %.3f x (%.0e relative + %.0e absolute)%n", name, w, rel, abs);
        assertTrue(w <= 1, name + ": error " + w + " times the bound");
    }

    @Test void exp() {
        check("exp", math::exp, Math::exp, -87, 88, 2e-6, 1e-37);
        check("exp-subnormal", math::exp, Math::exp, -103, -87, 2e-6, 2e-45);
        assertEquals(Float.POSITIVE_INFINITY, math.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, math.exp(Float.POSITIVE_INFINITY));
        assertEquals(0f, math.exp(Float.NEGATIVE_INFINITY));
        assertEquals(0f, math.exp(-1000f));
        assertTrue(Float.isNaN(math.exp(Float.NaN)));
        assertEquals(1f, math.exp(0f), 1e-6);
    }

    @Test void log() {
        check("log", math::log, Math::log, 1e-30, 3e38, 1e-6, 1e-30);
        check("log-near-1", math::log, Math::log, 0.5, 2, 1e-6, 1e-30);
        check("log-subnormal", math::log, Math::log, 1e-44, 1e-38, 1e-6, 1e-30);
        assertEquals(Float.NEGATIVE_INFINITY, math.log(0f));
        assertEquals(Float.POSITIVE_INFINITY, math.log(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(math.log(-1f)));
        assertTrue(Float.isNaN(math.log(Float.NaN)));
        assertEquals(0f, math.log(1f));
    }

    @Test void log1pAndExpm1() {
        check("log1p", math::log1p, Math::log1p, -0.999, 1e30, 2e-6, 1e-38);
        check("expm1", math::expm1, Math::expm1, -100, 88, 2e-6, 1e-38);
        assertEquals(Float.NEGATIVE_INFINITY, math.log1p(-1f));
        assertTrue(Float.isNaN(math.log1p(-2f)));
        assertEquals(Float.POSITIVE_INFINITY, math.log1p(Float.POSITIVE_INFINITY));
        assertEquals(-1f, math.expm1(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, math.expm1(Float.POSITIVE_INFINITY));
        assertEquals(1e-20f, math.expm1(1e-20f), 1e-26f);
    }

    @Test void tanhAndSigmoid() {
        check("tanh", math::tanh, Math::tanh, -30, 30, 2e-6, 1e-38);
        check("sigmoid", math::sigmoid, x -> 1 / (1 + Math.exp(-x)), -100, 100, 2e-6, 1e-38);
        assertEquals(1f, math.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, math.tanh(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(math.tanh(Float.NaN)));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(math.tanh(-0f)));
        assertEquals(1f, math.sigmoid(Float.POSITIVE_INFINITY));
        assertEquals(0f, math.sigmoid(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(math.sigmoid(Float.NaN)));
    }

    @Test void erf() {
        check("erf", math::erf, PtxMathAccuracyTest::referenceErf, -6, 6, 1e-6, 2e-7);
        check("erf-small", math::erf, PtxMathAccuracyTest::referenceErf, -0.5, 0.5, 1e-6, 1e-38);
        assertEquals(1f, math.erf(Float.POSITIVE_INFINITY));
        assertEquals(-1f, math.erf(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(math.erf(Float.NaN)));
    }

    @Test void sinCos() {
        check("sin", math::sin, Math::sin, -1e4, 1e4, 1e-6, 2e-7);
        check("cos", math::cos, Math::cos, -1e4, 1e4, 1e-6, 2e-7);
        assertTrue(Float.isNaN(math.sin(Float.POSITIVE_INFINITY)));
        assertTrue(Float.isNaN(math.cos(Float.NEGATIVE_INFINITY)));
        assertEquals(1f, math.cos(0f));
    }

    private void check2(String name, BinaryOperator<Float> f, DoubleBinaryOperator ref, double lo, double hi, double rel, double abs) {
        Random rnd = new Random(name.hashCode());
        double worst = 0;
        for (int i = 0; i < 20000; i++) {
            float a = (float) (lo + (hi - lo) * rnd.nextDouble()), b = (float) (lo + (hi - lo) * rnd.nextDouble());
            double want = ref.applyAsDouble(a, b), got = f.apply(a, b);
            if (Double.isNaN(want)) { assertTrue(Double.isNaN(got), name + "(" + a + ", " + b + ") should be NaN"); continue; }
            if (Float.isInfinite((float) want) && (float) want == (float) got) continue; // overflows as f32 does
            worst = Math.max(worst, Math.abs(got - want) / (Math.abs(want) * rel + abs));
        }
        System.out.printf("accuracy %-14s worst error %.3f x (%.0e relative + %.0e absolute)%n", name, worst, rel, abs);
        assertTrue(worst <= 1, name + ": error " + worst + " times the bound");
    }

    @Test void atan2() {
        check2("atan2", math::atan2, Math::atan2, -10, 10, 1e-6, 1e-38);
        check2("atan2-small", math::atan2, Math::atan2, -1e-3, 1e-3, 1e-6, 1e-38);
        float[] special = {0f, -0f, 1f, -1f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (float y : special) for (float x : special) {
            double want = Math.atan2(y, x);
            float got = math.atan2(y, x);
            if (Double.isNaN(want)) assertTrue(Float.isNaN(got), "atan2(" + y + ", " + x + ")");
            else assertEquals((float) want, got, 1e-6, "atan2(" + y + ", " + x + ")");
            if (want == 0) assertEquals(Math.copySign(1.0, want), Math.copySign(1.0, got), "sign of atan2(" + y + ", " + x + ")");
        }
    }

    @Test void pow() {
        check2("pow", math::pow, Math::pow, 0, 10, 1e-6, 1e-38);
        check2("pow-large", math::pow, Math::pow, 0, 40, 1e-6, 1e-38);
        check2("pow-neg-int", (a, b) -> math.pow(a, (float) Math.rint(b)), (a, b) -> Math.pow(a, Math.rint(b)), -10, 10, 1e-6, 1e-38);
        check2("pow-subnormal-base", (a, b) -> math.pow(a * 1e-40f, -b / 10), (a, b) -> Math.pow((float) (a * 1e-40f), (float) (-b / 10)), 0.01, 12, 1e-6, 1e-38);
        check2("pow-small-base", (a, b) -> math.pow(a * 1e-3f, b), (a, b) -> Math.pow((float) (a * 1e-3f), b), 0, 12, 1e-6, 1e-38);
        float[] special = {0f, -0f, 1f, -1f, 0.5f, -0.5f, 2f, -2f, 3f, -3f, 2.5f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (float a : special) for (float b : special) {
            // C's powf differs from Java's Math.pow at pow(1, NaN) = 1 and pow(-1, +-inf) = 1
            double want = a == 1f || (a == -1f && Float.isInfinite(b)) ? 1 : Math.pow(a, b);
            float got = math.pow(a, b);
            String what = "pow(" + a + ", " + b + ")";
            if (Double.isNaN(want)) assertTrue(Float.isNaN(got), what + " = " + got);
            else assertEquals((float) want, got, Math.abs(want) * 1e-5, what);
            if (want == 0 || Double.isInfinite(want)) assertEquals(Math.copySign(1.0, want), Math.copySign(1.0, got), "sign of " + what);
        }
    }

    @Test void fmod() {
        check2("fmod", math::fmod, (a, b) -> a % b, -100, 100, 1e-6, 1e-6);
        assertTrue(Float.isNaN(math.fmod(1f, 0f)));
        assertTrue(Float.isNaN(math.fmod(Float.POSITIVE_INFINITY, 2f)));
        assertEquals(3f, math.fmod(3f, Float.POSITIVE_INFINITY));
        assertEquals(-1f, math.fmod(-7f, 3f));
        assertEquals(1f, math.fmod(7f, -3f));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(math.fmod(-6f, 3f)));
        // huge quotients and subnormal divisors: still exact, as C's fmodf
        Random rnd = new Random(5);
        for (int i = 0; i < 20000; i++) {
            float a = (float) (Math.signum(rnd.nextGaussian()) * Math.pow(2, rnd.nextDouble() * 250 - 125));
            float b = (float) (Math.signum(rnd.nextGaussian()) * Math.pow(2, rnd.nextDouble() * 270 - 148));
            if (b == 0) continue;
            assertEquals(a % b, math.fmod(a, b), "fmod(" + a + ", " + b + ")");
        }
        for (int i = 0; i < 2000; i++) {
            float a = (float) (rnd.nextGaussian() * 1000), b = (float) (rnd.nextGaussian() * 10);
            assertEquals(a % b, math.fmodShortQuotient(a, b), "fmodShortQuotient(" + a + ", " + b + ")");
        }
        float[] special = {0f, -0f, 1f, -1.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (float a : special) for (float b : special)
        {
            assertEquals(Float.floatToIntBits(a % b), Float.floatToIntBits(math.fmod(a, b)), "fmod(" + a + ", " + b + ")");
            if (a != Float.MAX_VALUE && b != Float.MIN_VALUE)
                assertEquals(Float.floatToIntBits(a % b), Float.floatToIntBits(math.fmodShortQuotient(a, b)), "fmodShortQuotient(" + a + ", " + b + ")");
        }
    }

    /** erf in double: its Maclaurin series (alternating terms up to e^16 at |x| = 4: 1e-9 left), 1 beyond. */
    static double referenceErf(double x) {
        double a = Math.abs(x);
        if (a > 4.5) return Math.signum(x);
        double sum = 0, term = a;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -a * a / (n + 1);
        }
        return Math.signum(x) * sum * 2 / Math.sqrt(Math.PI);
    }
}
