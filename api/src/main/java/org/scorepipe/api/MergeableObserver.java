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
}
