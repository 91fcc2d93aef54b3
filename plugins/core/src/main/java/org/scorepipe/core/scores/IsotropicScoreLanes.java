package org.scorepipe.core.scores;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The score of an isotropic mixture ({@code P_k = I / c_k}) for a tile of rows at once, one row per
 * SIMD lane: the tile's coordinates are gathered into lanes once, then every lane runs exactly the
 * scalar sequence of {@link NoisedMixture}'s isotropic path (the same operations in the same
 * order, with {@link SoftmaxLanes#exp} for the softmax), and the score is scattered back. So the bits are the
 * plain path's ({@code NoisedMixtureTest}); what changes is that {@code LANES} rows'
 * exponentials and sums run side by side. Only loaded when {@link Simd#ENABLED}.
 */
final class IsotropicScoreLanes {
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    private IsotropicScoreLanes() {
    }

    /**
     * Scores of the {@code tiles * LANES} rows at {@code x[xo ..]} into {@code out[so ..]}
     * ({@code d} per row). {@code scratch} holds at least {@code (d + K) * LANES} doubles and
     * {@code stride} is {@code {0, d, 2d, ...}} of length {@code LANES}.
     */
    static void score(double[] x, int xo, int tiles, int d, int size, double[] means, double[] inverseVariances,
            double[] logNormalisers, double[] out, int so, double[] scratch, int[] stride) {
        int logitsAt = d * LANES;
        for (int tile = 0; tile < tiles; tile++) {
            int rowAt = tile * LANES * d;
            // Transpose the tile: coordinate i of the LANES rows at scratch[i*LANES ..].
            for (int i = 0; i < d; i++) {
                DoubleVector.fromArray(SPECIES, x, xo + rowAt + i, stride, 0).intoArray(scratch, i * LANES);
            }
            DoubleVector max = DoubleVector.broadcast(SPECIES, Double.NEGATIVE_INFINITY);
            for (int k = 0; k < size; k++) {
                DoubleVector quad = DoubleVector.zero(SPECIES);
                int mo = k * d;
                for (int i = 0; i < d; i++) {
                    DoubleVector z = DoubleVector.fromArray(SPECIES, scratch, i * LANES).sub(means[mo + i]);
                    quad = quad.add(z.mul(z));
                }
                // l_k - 0.5 * quad * c_k, as (0.5 * quad) * c_k
                DoubleVector logit = DoubleVector.broadcast(SPECIES, logNormalisers[k])
                        .sub(quad.mul(0.5).mul(inverseVariances[k]));
                logit.intoArray(scratch, logitsAt + k * LANES);
                max = max.lanewise(VectorOperators.MAX, logit);
            }
            DoubleVector sum = DoubleVector.zero(SPECIES);
            for (int k = 0; k < size; k++) {
                DoubleVector e = SoftmaxLanes.exp(DoubleVector.fromArray(SPECIES, scratch, logitsAt + k * LANES).sub(max));
                e.intoArray(scratch, logitsAt + k * LANES);
                sum = sum.add(e);
            }
            DoubleVector inverse = DoubleVector.broadcast(SPECIES, 1.0).div(sum);
            // The score, coordinate by coordinate, over the transposed tile.
            for (int i = 0; i < d; i++) {
                DoubleVector xi = DoubleVector.fromArray(SPECIES, scratch, i * LANES);
                DoubleVector s = DoubleVector.zero(SPECIES);
                for (int k = 0; k < size; k++) {
                    DoubleVector weight = DoubleVector.fromArray(SPECIES, scratch, logitsAt + k * LANES).mul(inverse)
                            .mul(inverseVariances[k]);
                    s = s.add(weight.mul(DoubleVector.broadcast(SPECIES, means[k * d + i]).sub(xi)));
                }
                s.intoArray(scratch, i * LANES);  // over coordinate i, read just above and not again
            }
            // Back to rows: plain copies beat a scatter per coordinate.
            for (int e = 0; e < LANES; e++) {
                int o = so + rowAt + e * d;
                for (int i = 0; i < d; i++) {
                    out[o + i] = scratch[i * LANES + e];
                }
            }
        }
    }
}
