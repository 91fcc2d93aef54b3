package org.scorepipe.api;

/** MCMC moves that leave (approximately) the marginal at a fixed time {@code t} invariant. */
public interface Corrector {
    /**
     * Applies the corrector's moves to every row of the block. Inner step {@code j} draws from
     * stream {@code j} of {@code noise}.
     */
    void correct(Block block, double t, Noise noise);

    /**
     * Whether a move depends on the whole ensemble (a step size from ensemble averages), so that
     * {@link #correct} must see every particle in one block; the stage using it then says so
     * ({@link Stage#wholeEnsemble}) and the runner hands it all particles on one thread.
     */
    default boolean wholeEnsemble() {
        return false;
    }
}
