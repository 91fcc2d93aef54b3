package org.scorepipe.core.evaluators;

import java.util.Optional;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;

/**
 * A mean and a covariance ({@code d x d}, row-major): of an evaluator's reference law, or the
 * sample moments of particles. Shared by the moment-based evaluators ({@link MomentsEvaluator},
 * {@link GaussianW2Evaluator}), so both compare the same moments with the same target.
 */
record Moments(double[] mean, double[] covariance) {

    /**
     * The reference's moments for {@code n} particles in {@code d} dimensions: exact for a
     * Gaussian-mixture data source ({@link Reference#moments}: of the mixture pushed to the
     * particles' time with the path's own noise), otherwise the sample moments of
     * {@code referenceSamples} fresh reference samples ({@link Reference#samples}; 0 = {@code n}).
     */
    static Moments target(Reference reference, int referenceSamples, DataSource data, NoisingPath path,
            Optional<GaussianMixture> mixture, int n, int d, EvalContext context) {
        if (mixture.isPresent()) {
            if (mixture.get().dimension() != d) {
                throw new IllegalArgumentException("the data source has dimension " + mixture.get().dimension()
                        + " but the particles have " + d);
            }
            return reference.moments(mixture.get(), path, context.time());
        }
        int m = referenceSamples == 0 ? n : referenceSamples;
        return sample(reference.samples(data, path, m, d, context).data(), m, d);
    }

    /** The sample mean and unbiased sample covariance of the {@code n} rows of {@code x}. */
    static Moments sample(double[] x, int n, int d) {
        double[] mean = mean(x, n, d);
        return new Moments(mean, covariance(x, n, d, mean));
    }

    /** {@code (1/n) sum_i x_i}. */
    private static double[] mean(double[] x, int n, int d) {
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
    private static double[] covariance(double[] x, int n, int d, double[] mean) {
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
}
