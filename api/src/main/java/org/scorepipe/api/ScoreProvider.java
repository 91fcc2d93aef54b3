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

    /**
     * Whether {@link #conditionalScore} is available (the chained Langevin stage needs it).
     */
    default boolean hasConditionalScore() {
        return false;
    }

    /**
     * The score of a patch given the coordinates before it, for patch-by-patch (chained)
     * sampling: with the target {@code X ~ p_0}, the patch {@code B = [from, to)} and the
     * prefix {@code A = [0, from)}, the law of {@code Y = alpha_t X_B + sigma_t Z} given
     * {@code X_A = x_A} (only the patch is noised; the prefix is clean), and its score
     * {@code grad_y log p_t(y | x_A)} at {@code y = x_B}. Points are laid out as in
     * {@link #score}, full rows of {@code d} coordinates; the score of point {@code r} goes to
     * {@code out[r*q .. r*q + q)}, {@code q = to - from}. Coordinates at or after {@code to} are
     * ignored. With {@code from = 0, to = d} it is the score itself.
     */
    default void conditionalScore(double[] x, int offset, int rows, int from, int to, double t, double[] out) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no conditional score");
    }
}
