package org.scorepipe.api;

import java.util.List;
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

    /**
     * The shape of one sample, outermost first, whose product is {@link #dimension()}: an image
     * source says {@code [c, h, w]} (or {@code [h, w]}) for samples flattened in C order, so that a
     * convolutional score, an image grid or a patch order can put the pixels back. The default is
     * the flat {@code [d]}.
     */
    default List<Integer> shape() {
        return List.of(dimension());
    }

    /**
     * The class label of each of {@link #points()}'s rows (a digit, a mode), when the dataset
     * has them: a fresh array of {@code m} values, aligned with the points, for mode measures.
     * Empty by default.
     */
    default Optional<int[]> labels() {
        return Optional.empty();
    }
}
