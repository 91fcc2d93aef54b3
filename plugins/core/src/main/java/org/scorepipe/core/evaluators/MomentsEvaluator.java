package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.core.scores.NoisedMixture;

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
public final class MomentsEvaluator implements Evaluator {

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

    @Override
    public Metrics evaluate(Particles particles, EvalContext context) {
        int n = particles.size();
        int d = particles.dimension();
        if (n < 2) {
            throw new IllegalArgumentException("the moments evaluator needs at least 2 particles, got " + n);
        }
        double[] targetMean;
        double[] targetCovariance;
        if (mixture.isPresent()) {
            if (mixture.get().dimension() != d) {
                throw new IllegalArgumentException("the data source has dimension " + mixture.get().dimension()
                        + " but the particles have " + d);
            }
            NoisedMixture target = params.reference().mixture(mixture.get(), path, context.time());
            targetMean = target.mean();
            targetCovariance = target.covariance();
        } else {
            int m = params.referenceSamples() == 0 ? n : params.referenceSamples();
            Particles reference = params.reference().samples(data, path, m, d, context);
            targetMean = mean(reference.data(), m, d);
            targetCovariance = covariance(reference.data(), m, d, targetMean);
        }
        double[] mean = mean(particles.data(), n, d);
        double[] covariance = covariance(particles.data(), n, d, mean);
        double covarianceError = distance(covariance, targetCovariance);
        return Metrics.builder()
                .put("mean-error", distance(mean, targetMean))
                .put("covariance-error", covarianceError)
                .put("covariance-relative-error", covarianceError / norm(targetCovariance))
                .build();
    }

    /** {@code (1/n) sum_i x_i}. */
    static double[] mean(double[] x, int n, int d) {
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            int o = i * d;
            for (int j = 0; j < d; j++) {
                mean[j] += x[o + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        return mean;
    }

    /** {@code (1/(n-1)) sum_i (x_i - mean)(x_i - mean)^T}, row-major. */
    static double[] covariance(double[] x, int n, int d, double[] mean) {
        double[] covariance = new double[d * d];
        double[] centred = new double[d];
        for (int i = 0; i < n; i++) {
            int o = i * d;
            for (int j = 0; j < d; j++) {
                centred[j] = x[o + j] - mean[j];
            }
            for (int a = 0; a < d; a++) {
                double ca = centred[a];
                for (int b = a; b < d; b++) {
                    covariance[a * d + b] += ca * centred[b];
                }
            }
        }
        for (int a = 0; a < d; a++) {
            for (int b = a; b < d; b++) {
                covariance[a * d + b] /= n - 1;
                covariance[b * d + a] = covariance[a * d + b];
            }
        }
        return covariance;
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
