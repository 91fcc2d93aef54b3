package org.scorepipe.api;

import java.util.Optional;

/** The target distribution: it draws samples, and may know its closed form. */
public interface DataSource {
    int dimension();

    /**
     * Overwrites every row of {@code block} with an independent sample of the target. Row
     * {@code r} draws only from particle {@code block.particleIndex(r)}'s noise.
     */
    void sample(Block block, Noise noise);

    /** The target as a Gaussian mixture, when it is one; analytic scores need it. */
    default Optional<GaussianMixture> gaussianMixture() {
        return Optional.empty();
    }

    /**
     * The finite dataset this source resamples, when it is one (points read from a file):
     * a fresh row-major array of {@code m * d} values. Empty for a distribution (the default).
     * An empirical score uses these points as they are instead of drawing a sample of them.
     */
    default Optional<double[]> points() {
        return Optional.empty();
    }
}
