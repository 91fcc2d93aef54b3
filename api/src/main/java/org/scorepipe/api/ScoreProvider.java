package org.scorepipe.api;

/** The score {@code grad_x log p_t(x)} of the path's marginal at time {@code t}. */
public interface ScoreProvider {
    /**
     * Writes the score of {@code rows} points into {@code out}: point {@code r} is
     * {@code x[offset + r*d .. offset + r*d + d)} and its score goes to {@code out[r*d .. r*d + d)}.
     * Must be safe to call from several threads at once.
     */
    void score(double[] x, int offset, int rows, double t, double[] out);

    /** The score of a block's rows, into {@code out[0 .. size*d)}. */
    default void score(Block block, double t, double[] out) {
        score(block.data(), block.offset(), block.size(), t, out);
    }

    /** Whether {@link #logDensity} is available (Metropolis-adjusted correctors need it). */
    default boolean hasLogDensity() {
        return false;
    }

    /**
     * Writes {@code log p_t} of {@code rows} points, laid out as in {@link #score}, into
     * {@code out[0 .. rows)}; up to an additive constant that does not depend on {@code x}.
     */
    default void logDensity(double[] x, int offset, int rows, double t, double[] out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no log density");
    }
}
