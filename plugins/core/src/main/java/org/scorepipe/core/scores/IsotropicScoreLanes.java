package org.scorepipe.core.scores;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.scorepipe.api.Simd;

/**
 * The score of an isotropic mixture ({@code P_k = I / c_k}) for a tile of rows at once, one row per
 * SIMD lane: the tile's coordinates are gathered into lanes once, then every lane runs exactly the
 * scalar sequence of {@link NoisedMixture}'s isotropic path (the same operations in the same
 * order, with {@link Lanes#softmax}), and the score is copied back to rows. So the bits are the
 * plain path's ({@code NoisedMixtureTest}); what changes is that {@code LANES} rows'
 * exponentials and sums run side by side. Only loaded when {@link Simd#ENABLED}.
 */
final class IsotropicScoreLanes {
    private static final VectorSpecies<Double> SPECIES = Lanes.SPECIES;
    private static final int LANES = Lanes.LANES;

    private IsotropicScoreLanes() {
    }

    /**
     * Scores of the {@code tiles * LANES} rows at {@code x[xo ..]} into {@code out[so ..]}
     * ({@code d} per row). {@code scratch} holds at least {@code (d + K) * LANES} doubles.
     */
    static void score(double[] x, int xo, int tiles, int d, int size, double[] means, double[] inverseVariances,
            double[] logNormalisers, double[] out, int so, double[] scratch) {
        int[] offsets = Lanes.rowOffsets(d);
        int logitsAt = d * LANES;
        for (int tile = 0; tile < tiles; tile++) {
            int rowAt = tile * LANES * d;
            // Coordinate i of the tile's rows at scratch[i*LANES ..], logit k at scratch[logitsAt + k*LANES ..].
            Lanes.transpose(x, xo + rowAt, LANES, d, offsets, scratch, 0, LANES);
            for (int k = 0; k < size; k++) {
                DoubleVector quad = DoubleVector.zero(SPECIES);
                int mo = k * d;
                for (int i = 0; i < d; i++) {
                    DoubleVector z = DoubleVector.fromArray(SPECIES, scratch, i * LANES).sub(means[mo + i]);
                    quad = quad.add(z.mul(z));
                }
                // l_k - 0.5 * quad * c_k, as (0.5 * quad) * c_k
                DoubleVector.broadcast(SPECIES, logNormalisers[k]).sub(quad.mul(0.5).mul(inverseVariances[k]))
                        .intoArray(scratch, logitsAt + k * LANES);
            }
            Lanes.softmax(scratch, logitsAt, LANES, size, LANES, null, 0, scratch, 0);
            // The weights r_k / c_k, then the score sum_k (r_k / c_k) (m_k - x), coordinate by coordinate.
            for (int k = 0; k < size; k++) {
                int at = logitsAt + k * LANES;
                DoubleVector.fromArray(SPECIES, scratch, at).mul(inverseVariances[k]).intoArray(scratch, at);
            }
            for (int i = 0; i < d; i++) {
                DoubleVector xi = DoubleVector.fromArray(SPECIES, scratch, i * LANES);
                DoubleVector s = DoubleVector.zero(SPECIES);
                for (int k = 0; k < size; k++) {
                    DoubleVector weight = DoubleVector.fromArray(SPECIES, scratch, logitsAt + k * LANES);
                    s = s.add(weight.mul(DoubleVector.broadcast(SPECIES, means[k * d + i]).sub(xi)));
                }
                s.intoArray(scratch, i * LANES);  // over coordinate i, read just above and not again
            }
            Lanes.untranspose(scratch, 0, LANES, LANES, d, out, so + rowAt);
        }
    }
}
