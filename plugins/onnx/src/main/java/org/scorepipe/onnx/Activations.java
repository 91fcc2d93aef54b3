package org.scorepipe.onnx;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * SiLU and tanh on float32 lanes from additions, multiplications, fused multiply-adds, one
 * division and bit operations only: operations IEEE 754 rounds exactly, so a lane's result is the
 * same whether the JIT has compiled the loop (with SIMD instructions) or not (lane by lane in
 * Java). The Vector API's own {@code EXP} and {@code TANH} give no such promise: compiled, they
 * call a vector math library whose last bits differ from the Java fallback the interpreter runs,
 * so a run's bytes would depend on when the JIT got to the loop.
 *
 * <p>{@code e^x} is Cody and Waite's reduction, {@code x = k ln 2 + r} with {@code k} the nearest
 * integer to {@code x / ln 2} and {@code |r| <= ln 2 / 2}, {@code ln 2} split in a high part
 * exact in float32 and a low part; then {@code e^r} by its Taylor polynomial to degree 7
 * (truncation {@code r^8/8! < 5e-9}, below half a float32 ulp), and {@code 2^k} put into the
 * exponent bits (W. J. Cody and W. Waite, <i>Software Manual for the Elementary Functions</i>,
 * 1980, ch. 6). {@code x} is clamped to {@code [-87, 88]}, where {@code 2^k} stays a normal
 * float32: beyond, SiLU is {@code z} or {@code -0} to float32 precision anyway.
 *
 * <p>{@code tanh z = sign(z) (1 - e^{-2|z|}) / (1 + e^{-2|z|})}, and for {@code |z| < 1/4}, where
 * {@code 1 - e^{-2|z|}} would cancel, its odd Taylor polynomial to degree 11 (truncation below
 * {@code 2e-9 |z|}).
 */
final class Activations {
    private static final float LOG2E = 1.44269504f;
    /** ln 2 = LN2_HI + LN2_LO, LN2_HI with 15 significant bits, so that k LN2_HI is exact for the |k| <= 127 used. */
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;
    private static final float LOWEST = -87f;
    private static final float HIGHEST = 88f;
    private static final float SMALL_TANH = 0.25f;
    /** 1/k! for k = 7 down to 2. */
    private static final float[] INVERSE_FACTORIALS = {1f / 5040, 1f / 720, 1f / 120, 1f / 24, 1f / 6, 0.5f};
    /** tanh's odd Taylor coefficients for z^11 down to z^3. */
    private static final float[] TANH_SERIES = {-1382f / 155925, 62f / 2835, -17f / 315, 2f / 15, -1f / 3};

    private Activations() {
    }

    /** {@code z / (1 + e^{-z})}. */
    static FloatVector silu(FloatVector z) {
        return z.div(exp(z.neg()).add(1f));
    }

    /** {@code tanh z}. */
    static FloatVector tanh(FloatVector z) {
        FloatVector a = z.abs();
        FloatVector t = exp(a.mul(-2f));
        FloatVector large = FloatVector.broadcast(z.species(), 1f).sub(t).div(t.add(1f));
        FloatVector a2 = a.mul(a);
        FloatVector p = FloatVector.broadcast(z.species(), TANH_SERIES[0]);
        for (int i = 1; i < TANH_SERIES.length; i++) {
            p = p.fma(a2, p.broadcast(TANH_SERIES[i]));
        }
        FloatVector small = p.mul(a2).fma(a, a);
        VectorMask<Float> isSmall = a.compare(VectorOperators.LT, SMALL_TANH);
        FloatVector magnitude = large.blend(small, isSmall);
        // sign(z) |tanh z|: z's sign bit on the magnitude
        IntVector sign = z.reinterpretAsInts().and(0x80000000);
        return magnitude.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    /** {@code e^x}, for {@code x} clamped to [-87, 88]. */
    static FloatVector exp(FloatVector x) {
        x = x.max(LOWEST).min(HIGHEST);
        FloatVector shifted = x.fma(LOG2E, ROUNDER);
        FloatVector k = shifted.sub(ROUNDER);
        FloatVector r = k.neg().fma(x.broadcast(LN2_HI), x);
        r = k.neg().fma(x.broadcast(LN2_LO), r);
        FloatVector p = FloatVector.broadcast(x.species(), INVERSE_FACTORIALS[0]);
        for (int i = 1; i < INVERSE_FACTORIALS.length; i++) {
            p = p.fma(r, p.broadcast(INVERSE_FACTORIALS[i]));
        }
        FloatVector one = x.broadcast(1f);
        p = p.fma(r, one).fma(r, one);
        IntVector twoToK = shifted.reinterpretAsInts().sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
        return p.mul(twoToK.reinterpretAsFloats());
    }

    /** The same operations on one float, in the same order: what every lane computes. */
    static float exp(float x) {
        x = Math.min(Math.max(x, LOWEST), HIGHEST);
        float shifted = Math.fma(x, LOG2E, ROUNDER);
        float k = shifted - ROUNDER;
        float r = Math.fma(-k, LN2_HI, x);
        r = Math.fma(-k, LN2_LO, r);
        float p = INVERSE_FACTORIALS[0];
        for (int i = 1; i < INVERSE_FACTORIALS.length; i++) {
            p = Math.fma(p, r, INVERSE_FACTORIALS[i]);
        }
        p = Math.fma(Math.fma(p, r, 1f), r, 1f);
        int twoToK = (Float.floatToRawIntBits(shifted) - ROUNDER_BITS + 127) << 23;
        return p * Float.intBitsToFloat(twoToK);
    }
}
