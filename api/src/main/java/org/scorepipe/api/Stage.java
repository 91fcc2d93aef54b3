package org.scorepipe.api;

/**
 * A step function over the ensemble: a fixed number of steps, where step {@code k} depends only
 * on {@code k}, a block's particles and their noise. Within a stage particles do not interact,
 * so a runner may hand each block a whole segment of steps, in any thread or process, and stop
 * all blocks at a common step.
 *
 * <p>A stage that needs every particle at once (evaluate, save) says so with
 * {@link #wholeEnsemble()}; the runner then calls it with one block of all rows, on one thread.
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

    /**
     * Whether this stage only reads the ensemble (evaluate, save) and never moves a particle. An
     * observer is not counted in the noise key of the stages after it ({@link Noise}): adding,
     * removing or moving an observer never changes a byte of the samples. Its own noise is keyed
     * by the moving stages before it, so two observers at one point draw alike.
     */
    default boolean observes() {
        return false;
    }

    /** Whether {@link #step} must see every particle in one block. */
    default boolean wholeEnsemble() {
        return false;
    }

    /**
     * Whether a whole-ensemble step reads or moves the particles' coordinates. A stage that only
     * asks the {@link RunOutputs} to write the ensemble where it lives
     * ({@link RunOutputs#saveDataset}) says false; a distributed runner then leaves the particles
     * on its executors and hands the step an empty block (no rows, the ensemble's dimension and
     * time) instead of gathering them all on one machine.
     */
    default boolean needsParticles() {
        return true;
    }
}
