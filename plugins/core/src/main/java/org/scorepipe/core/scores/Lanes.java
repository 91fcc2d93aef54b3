package org.scorepipe.core.scores;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.scorepipe.api.Simd;

/**
 * What the score kernels share in SIMD lanes, one point per lane: moving points between rows and
 * lanes, and {@link Softmax} and {@link Exp} operation for operation, so the bits are the scalar
 * ones ({@code ExpTest}, {@code NoisedMixtureTest}). Only loaded when {@link Simd#ENABLED}.
 */
final class Lanes {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private Lanes() {
    }

    /** {@code {0, d, 2d, ...}}: the offsets of {@link #LANES} consecutive rows of {@code d} coordinates. */
    static int[] rowOffsets(int d) {
        int[] offsets = new int[LANES];
        for (int e = 0; e < LANES; e++) {
            offsets[e] = e * d;
        }
        return offsets;
    }

    /**
     * Rows to lanes: {@code t[at + i*stride + q] = x[xo + q*d + i]} for {@code q < rows} (a multiple
     * of {@link #LANES}) and {@code i < d}; {@code offsets} is {@link #rowOffsets rowOffsets(d)}.
     */
    static void transpose(double[] x, int xo, int rows, int d, int[] offsets, double[] t, int at, int stride) {
        for (int q = 0; q < rows; q += LANES) {
            for (int i = 0; i < d; i++) {
                DoubleVector.fromArray(SPECIES, x, xo + q * d + i, offsets, 0).intoArray(t, at + i * stride + q);
            }
        }
    }

    /** Lanes to rows, plain copies (faster than a scatter per coordinate): {@code out[o + q*d + i] = t[at + i*stride + q]}. */
    static void untranspose(double[] t, int at, int stride, int rows, int d, double[] out, int o) {
        for (int q = 0; q < rows; q++) {
            for (int i = 0; i < d; i++) {
                out[o + q * d + i] = t[at + i * stride + q];
            }
        }
    }

    /**
     * {@link Softmax#apply} of the points {@code q < rows} (a multiple of {@link #LANES}), whose
     * logits are {@code v[at + k*stride + q]}; their log-sum-exp into {@code lse[lseAt + q]} when
     * {@code lse} is not null, through {@code scratch[scratchAt .. + 2 LANES)}.
     */
    static void softmax(double[] v, int at, int rows, int size, int stride, double[] lse, int lseAt,
            double[] scratch, int scratchAt) {
        for (int q = at; q < at + rows; q += LANES) {
            DoubleVector max = DoubleVector.broadcast(SPECIES, Double.NEGATIVE_INFINITY);
            for (int k = 0; k < size; k++) {
                max = max.lanewise(VectorOperators.MAX, DoubleVector.fromArray(SPECIES, v, k * stride + q));
            }
            DoubleVector sum = DoubleVector.zero(SPECIES);
            for (int k = 0; k < size; k++) {
                DoubleVector e = exp(DoubleVector.fromArray(SPECIES, v, k * stride + q).sub(max));
                e.intoArray(v, k * stride + q);
                sum = sum.add(e);
            }
            DoubleVector inverse = DoubleVector.broadcast(SPECIES, 1.0).div(sum);
            for (int k = 0; k < size; k++) {
                DoubleVector.fromArray(SPECIES, v, k * stride + q).mul(inverse).intoArray(v, k * stride + q);
            }
            if (lse != null) {
                max.intoArray(scratch, scratchAt);
                sum.intoArray(scratch, scratchAt + LANES);
                for (int e = 0; e < LANES; e++) {
                    lse[lseAt + q - at + e] = scratch[scratchAt + e] + Math.log(scratch[scratchAt + LANES + e]);
                }
            }
        }
    }

    /** {@link Exp#negative} in every lane, operation for operation. */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector y = x.lanewise(VectorOperators.MAX, Exp.FLOOR);
        DoubleVector t = y.mul(Exp.LOG2_E).add(Exp.SHIFTER);
        DoubleVector k = t.sub(Exp.SHIFTER);
        DoubleVector r = k.fma(DoubleVector.broadcast(SPECIES, -Exp.LN2_HI), y);
        r = k.fma(DoubleVector.broadcast(SPECIES, -Exp.LN2_LO), r);
        double[] c = Exp.TAYLOR;
        DoubleVector p = DoubleVector.broadcast(SPECIES, c[0]);
        for (int n = 1; n < c.length; n++) {
            p = p.fma(r, DoubleVector.broadcast(SPECIES, c[n]));
        }
        LongVector bits = (LongVector) t.reinterpretAsLongs();
        DoubleVector scale = bits.sub(Exp.SHIFTER_BITS - 1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
        return p.mul(scale);
    }
}
