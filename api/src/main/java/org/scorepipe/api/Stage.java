package org.scorepipe.api;

/**
 * A step function over the ensemble: a fixed number of steps, where step {@code k} depends only
 * on {@code k}, a block's particles and their noise. Within a stage particles do not interact,
 * so a runner may hand each block a whole segment of steps, in any thread or process, and stop
 * all blocks at a common step.
 *
 * <p>A stage moves particles and does nothing else: what reads the ensemble without moving it
 * (evaluations, saved samples, curves) is an {@link Observer}. A stage whose update of a particle
 * depends on the others (an ensemble step-size rule, an adaptive integration of the whole
 * ensemble) says so with {@link #wholeEnsemble()}; the runner then calls it with one block of
 * all rows, on one thread.
 */
public interface Stage {
    /** Number of steps; may be 0. */
    long steps();

    /** Runs step {@code k} (0-based) on the block's rows. */
    void step(long k, Block block, Noise noise);

    /** The time the particles are at after the first {@code k} steps, having started at {@code start}. */
    default double time(long k, double start) {
        return start;
    }

    /** Whether {@link #step} must see every particle in one block. */
    default boolean wholeEnsemble() {
        return false;
    }
}
