package org.scorepipe.api;

/**
 * A whole-ensemble stage that needs only additive statistics of the particles — an evaluate
 * stage whose evaluators are all {@link MergeableEvaluator}s — so a distributed runner can
 * compute the statistics chunk by chunk where the particles live and finish the step on the
 * driver, without bringing every particle to one machine. The statistics of each chunk of
 * {@link MergeableEvaluator#CHUNK} particles (aligned to the global index) are summed in index
 * order, so the result is the same for any runner.
 */
public interface MergeableStage extends Stage {
    /** Whether this instance can work from statistics (otherwise the runner gathers the particles). */
    boolean mergeable();

    /** Additive statistics of the block's rows, which lie within one chunk. */
    double[] partial(Block block, double time, Noise noise);

    /** Finishes the (single) step from the statistics summed over every chunk, {@code n} particles in {@code dimension} dimensions. */
    void finish(double[] statistics, long n, int dimension, double time, Noise noise);
}
