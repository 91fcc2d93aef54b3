package org.scorepipe.core.scores;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.ScoreProvider;

/**
 * The exact score of a Gaussian-mixture target pushed through a noising path: with
 * {@code alpha = alpha_t}, {@code sigma = sigma_t},
 * {@code p_t = sum_k w_k N(alpha mu_k, alpha^2 Sigma_k + sigma^2 I)} and
 * {@code grad log p_t(x) = -sum_k r_k(x) P_k (x - alpha mu_k)} (see {@link NoisedMixture}).
 *
 * <p>The noised mixture of the last time asked for is kept, so the blocks of one step and the
 * inner steps of a corrector at a fixed time share one set of precisions.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "analytic",
        doc = "Exact score and log density of a Gaussian-mixture data source (gaussian, gaussian-mixture)"
                + " pushed through the noising path.")
public final class AnalyticScore implements ScoreProvider {

    /** No parameters: the data source and the path say everything. */
    public record Params() {
    }

    /** The last time and its noised mixture, published together. */
    private record Cached(double t, NoisedMixture mixture) {
    }

    private final GaussianMixture mixture;
    private final NoisingPath path;
    private volatile Cached cached;

    @Inject
    public AnalyticScore(Params params, DataSource data, NoisingPath path) {
        this.mixture = data.gaussianMixture().orElseThrow(() -> new IllegalArgumentException(
                "the analytic score needs a data source with a closed form (gaussian, gaussian-mixture); "
                        + data.getClass().getSimpleName() + " has none; use a learned or empirical score instead"));
        this.path = path;
    }

    /** The target pushed to time {@code t}, from the cache when {@code t} is the last time asked for. */
    public NoisedMixture at(double t) {
        Cached c = cached;
        if (c == null || Double.doubleToLongBits(c.t()) != Double.doubleToLongBits(t)) {
            c = new Cached(t, NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t)));
            cached = c;
        }
        return c.mixture();
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        at(t).score(x, offset, rows, out);
    }

    @Override
    public boolean hasLogDensity() {
        return true;
    }

    /** The exact, normalised log density of the path's marginal at {@code t}. */
    @Override
    public void logDensity(double[] x, int offset, int rows, double t, double[] out) {
        at(t).logDensity(x, offset, rows, out);
    }
}
