package org.scorepipe.api;

/**
 * An observer that needs only additive statistics of the particles (an {@code evaluate} whose
 * evaluators are all {@link MergeableEvaluator}s), so that a distributed runner computes them
 * chunk by chunk where the particles live and finishes on one machine, without gathering the
 * ensemble. The statistics of each chunk of {@link MergeableEvaluator#CHUNK} particles (aligned
 * to the global index) are summed in index order, so the result is the same for any runner.
 */
public interface MergeableObserver extends Observer {
    /** Whether this instance can work from statistics (otherwise the runner feeds it the particles). */
    boolean mergeable();

    /** Additive statistics of the block's rows, which lie within one chunk. */
    double[] partial(Block block, Observation at);

    /** Finishes the observation from the statistics summed over every chunk, {@code n} particles in {@code dimension} dimensions. */
    void finish(double[] statistics, long n, int dimension, Observation at);

    /**
     * The cap of the evenly spaced subsample ({@link Observer#subsample}) that the part of this
     * observation that does not merge reads, when it has one (an {@code evaluate} of moments and
     * sliced Wasserstein): a distributed runner then sends the driver the statistics and that
     * subsample only, and finishes with {@link #finish(double[], long, int, Particles, Observation)}.
     * Empty (the default) when the statistics alone finish it.
     */
    default java.util.OptionalInt subsampleBesides() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Finishes the observation from the summed statistics and, for the part that does not merge,
     * the subsample of {@link #subsampleBesides()} particles (or every particle, when there are no
     * more than that); by default from the statistics alone.
     */
    default void finish(double[] statistics, long n, int dimension, Particles subsample, Observation at) {
        finish(statistics, n, dimension, at);
    }
}
