package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Block;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;

/**
 * Compares the first two moments of the particles with the reference's:
 * <pre>
 *   mean-error                 = |x_bar - m|_2
 *   covariance-error           = |S - C|_F
 *   covariance-relative-error  = |S - C|_F / |C|_F
 * </pre>
 * with the sample mean {@code x_bar = (1/n) sum_i x_i} and the unbiased sample covariance
 * {@code S = (1/(n-1)) sum_i (x_i - x_bar)(x_i - x_bar)^T}. The reference moments {@code m, C} are
 * exact when the data source is a Gaussian mixture {@code sum_k w_k N(mu_k, Sigma_k)}:
 * <pre>
 *   m = alpha mu,   C = alpha^2 Cov X_0 + sigma^2 I,
 *   mu = sum_k w_k mu_k,   Cov X_0 = sum_k w_k (Sigma_k + mu_k mu_k^T) - mu mu^T,
 * </pre>
 * with {@code (alpha, sigma) = (alpha_t, sigma_t)} of the path at the particles' time {@code t} for
 * {@code reference: noised} and {@code (1, 0)} for {@code reference: data}. Otherwise they are the
 * sample moments of fresh reference samples (see {@link Reference#samples}).
 */
@Component(kind = ComponentKind.EVALUATOR, name = "moments",
        doc = "Error of the sample mean (Euclidean) and covariance (Frobenius) against the target's.")
public final class MomentsEvaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("reference samples when the target has no closed form; 0 = as many as particles")
            @Default("0") int referenceSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (referenceSamples < 0 || referenceSamples == 1) {
                throw new IllegalArgumentException("reference-samples must be 0 (as many as particles) or >= 2, got "
                        + referenceSamples);
            }
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;
    private final Optional<GaussianMixture> mixture;

    @Inject
    public MomentsEvaluator(Params params, DataSource data, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
        this.mixture = data.gaussianMixture();
    }

    /**
     * {@code [sum_i x_i, sum_i x_i x_i^T]} over the block's rows ({@code d + d*d} values). The
     * sample moments follow as {@code m = S1/n}, {@code C = (S2 - n m m^T)/(n - 1)}: one pass,
     * additive across chunks, and accurate while the means are not huge against the spread.
     */
    @Override
    public double[] partial(Block block, EvalContext context) {
        return Moments.sums(block);
    }

    @Override
    public Metrics combine(double[] stats, long n, EvalContext context) {
        if (n < 2) {
            throw new IllegalArgumentException("the moments evaluator needs at least 2 particles, got " + n);
        }
        int d = Moments.dimensionOfSums(stats);
        Moments sample = Moments.fromSums(stats, n);
        double[] mean = sample.mean();
        double[] covariance = sample.covariance();
        Moments target = Moments.target(params.reference(), params.referenceSamples(), data, path, mixture,
                (int) Math.min(n, Integer.MAX_VALUE), d, context);
        double covarianceError = distance(covariance, target.covariance());
        return Metrics.builder()
                .put("mean-error", distance(mean, target.mean()))
                .put("covariance-error", covarianceError)
                .put("covariance-relative-error", covarianceError / norm(target.covariance()))
                .build();
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            double diff = a[i] - b[i];
            sum += diff * diff;
        }
        return Math.sqrt(sum);
    }

    private static double norm(double[] a) {
        double sum = 0.0;
        for (double v : a) {
            sum += v * v;
        }
        return Math.sqrt(sum);
    }
}
