package org.scorepipe.api;

/**
 * The score of a patch of coordinates given the clean coordinates before it, for patch-by-patch
 * (chained) sampling (Cheng, Fu, Farnia, "On the mode-seeking properties of Langevin dynamics",
 * arXiv 2406.02017): with the target {@code X ~ p_0}, the patch {@code B = [from, to)} and the
 * prefix {@code A = [0, from)}, the law of {@code Y = alpha_t X_B + sigma_t Z} given
 * {@code X_A = x_A} (only the patch is noised; the prefix is clean), and its score
 * <pre>
 *   s(y | x_A, t) = grad_y log p_t(y | x_A)
 * </pre>
 * With {@code from = 0, to = d} it is the path's score itself.
 *
 * <p>The work splits in two. What depends on the clean prefix alone, a recurrent network's hidden
 * state after the earlier patches or a mixture's components reweighted by the prefix, is
 * {@link #prefix}: the consumer computes it once per particle and patch, for every level and step
 * of that patch, since the prefix does not move while the patch is sampled. What depends on the
 * patch's current values and the time is {@link #score}, once per step. The state must not depend
 * on {@code t}, and must be a pure function of the prefix: a consumer may compute it again at any
 * time (after a resume, on another machine) and must get the same bits.
 *
 * <p>Points are laid out as in {@link ScoreProvider#score}: full rows of {@code d} coordinates,
 * point {@code r} at {@code x[offset + r*d ..]}; coordinates at or after {@code to} are ignored.
 * Implementations must be safe to call from several threads at once. A score provider that knows
 * its conditionals (the analytic score of a Gaussian mixture) implements this interface as well,
 * and then serves as the pipeline's conditional score.
 */
public interface ConditionalScore {
    /**
     * Refuses, when its consumer is built, patches of size {@code q} in dimension {@code d} that
     * this score cannot give (a network trained on another patch size, a target without
     * closed-form conditionals).
     *
     * @throws IllegalArgumentException saying why and what to do
     */
    default void checkPatches(int d, int q) {
    }

    /** The number of doubles of state {@link #prefix} writes per point for the patch {@code [from, to)}; may be 0. */
    int stateWidth(int from, int to);

    /**
     * Writes the state of {@code rows} points' clean prefixes {@code x_A = [0, from)}, for the patch
     * {@code [from, to)}: point {@code r}'s to {@code state[stateOffset + r*w .. + w)},
     * {@code w = stateWidth(from, to)}.
     */
    void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset);

    /**
     * Writes {@code s(y | x_A, t)} at {@code y = x_B} of {@code rows} points, given their state from
     * {@link #prefix} at {@code state[stateOffset + r*w ..]}: point {@code r}'s score goes to
     * {@code out[r*q .. r*q + q)}, {@code q = to - from}.
     */
    void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int stateOffset, double[] out);
}
