package org.scorepipe.api;

/** MCMC moves that leave (approximately) the marginal at a fixed time {@code t} invariant. */
public interface Corrector {
    /**
     * Applies the corrector's moves to every row of the block. Inner step {@code j} draws from
     * stream {@code j} of {@code noise}.
     */
    void correct(Block block, double t, Noise noise);
}
