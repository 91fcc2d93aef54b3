package org.scorepipe.core.scores;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Softmax} and {@link Exp} in SIMD lanes, one point per lane, operation for operation, so the
 * bits are the scalar ones ({@code ExpTest}, {@code NoisedMixtureTest}). Only loaded when
 * {@link Simd#ENABLED}.
 */
final class SoftmaxLanes {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private SoftmaxLanes() {
    }

    /**
     * {@link Softmax#apply} of the points {@code q < rows} (a multiple of {@link #LANES}), whose
     * logits are {@code v[at + k*stride + q]}; their log-sum-exp into {@code lse[lseAt + q]} when
     * {@code lse} is not null, through {@code scratch[scratchAt .. + 2 LANES)}.
     */
    static void apply(double[] v, int at, int rows, int size, int stride, double[] lse, int lseAt,
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
