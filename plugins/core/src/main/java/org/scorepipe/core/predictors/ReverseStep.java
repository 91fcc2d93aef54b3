package org.scorepipe.core.predictors;

import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;

/**
 * What the reverse-time predictors share: a step runs from {@code t} back to {@code tNext < t},
 * and the first-order stochastic ones (Euler-Maruyama, ancestral sampling, the exponential
 * integrator) all move each row as {@code x' = keep x + pull s(x, t) + noise xi}; only their
 * coefficients differ.
 */
final class ReverseStep {
    private ReverseStep() {
    }

    static void requireBackwards(double t, double tNext) {
        if (!(t - tNext > 0)) {
            throw new IllegalArgumentException("a reverse step runs backwards in time, got t = " + t
                    + ", tNext = " + tNext);
        }
    }

    /**
     * {@code x' = keep x + pull s + noiseScale xi} for every row of the block, with the scores
     * {@code s} of the block's rows in {@code work[0, n*d)} and {@code xi ~ N(0, I)} drawn from stream
     * 0 of the row's particle into {@code work[n*d, n*d + d)}.
     */
    static void affineWithNoise(Block block, double[] work, double keep, double pull, double noiseScale,
            Noise noise) {
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        for (int r = 0; r < n; r++) {
            noise.normals(block.particleIndex(r), 0, work, cells, d);
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                x[o + i] = keep * x[o + i] + pull * work[so + i] + noiseScale * work[cells + i];
            }
        }
    }
}
