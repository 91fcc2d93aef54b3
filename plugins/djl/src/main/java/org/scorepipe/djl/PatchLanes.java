package org.scorepipe.djl;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD twin of the patch network's dense layer ({@link PatchNetwork.Forward}): the same sums in
 * the same order per point, {@code b = bias; b += w_m a_m} for {@code m = 0, 1, ...}, a multiply and an
 * add per lane (never fused), so every point's output is bit for bit the plain loop's. Points go in
 * {@value #UNROLL} vectors at a time, each vector's accumulator kept in a register across the inputs.
 * Loaded only when {@link org.scorepipe.api.Simd#ENABLED}.
 */
final class PatchLanes {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int UNROLL = 4;

    private PatchLanes() {
    }

    /** {@code b[k][r] = bias_k + sum_m w[k, m] a[m][r]}, inputs and outputs transposed, before any activation. */
    static void dense(double[] w, double[] bias, int in, int out, double[] a, double[] b, int rows) {
        int wide = rows / (UNROLL * LANES) * (UNROLL * LANES);
        int narrow = rows / LANES * LANES;
        for (int k = 0; k < out; k++) {
            int bo = k * rows;
            int wo = k * in;
            DoubleVector start = DoubleVector.broadcast(SPECIES, bias[k]);
            int r = 0;
            for (; r < wide; r += UNROLL * LANES) {
                DoubleVector s0 = start;
                DoubleVector s1 = start;
                DoubleVector s2 = start;
                DoubleVector s3 = start;
                for (int m = 0; m < in; m++) {
                    DoubleVector wk = DoubleVector.broadcast(SPECIES, w[wo + m]);
                    int ao = m * rows + r;
                    s0 = s0.add(DoubleVector.fromArray(SPECIES, a, ao).mul(wk));
                    s1 = s1.add(DoubleVector.fromArray(SPECIES, a, ao + LANES).mul(wk));
                    s2 = s2.add(DoubleVector.fromArray(SPECIES, a, ao + 2 * LANES).mul(wk));
                    s3 = s3.add(DoubleVector.fromArray(SPECIES, a, ao + 3 * LANES).mul(wk));
                }
                s0.intoArray(b, bo + r);
                s1.intoArray(b, bo + r + LANES);
                s2.intoArray(b, bo + r + 2 * LANES);
                s3.intoArray(b, bo + r + 3 * LANES);
            }
            for (; r < narrow; r += LANES) {
                DoubleVector s0 = start;
                for (int m = 0; m < in; m++) {
                    s0 = s0.add(DoubleVector.fromArray(SPECIES, a, m * rows + r).mul(DoubleVector.broadcast(SPECIES, w[wo + m])));
                }
                s0.intoArray(b, bo + r);
            }
            for (; r < rows; r++) {
                double s = bias[k];
                for (int m = 0; m < in; m++) {
                    s += w[wo + m] * a[m * rows + r];
                }
                b[bo + r] = s;
            }
        }
    }
}
