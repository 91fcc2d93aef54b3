package org.scorepipe.core.evaluators;

import java.util.Optional;
import org.scorepipe.api.Block;
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

    /**
     * {@code [sum_i x_i, sum_i x_i x_i^T]} over the block's rows ({@code d + d*d} values, the
     * second row-major): additive across chunks, the statistics a {@link org.scorepipe.api.MergeableEvaluator}
     * of the sample moments sums ({@link #fromSums(double[], long)}).
     */
    static double[] sums(Block block) {
        return sums(block, new double[block.dimension()]);
    }

    /**
     * {@code [sum_i (x_i - c), sum_i (x_i - c)(x_i - c)^T]} about a fixed shift {@code c}, the
     * same for every chunk: the sums of {@link #sums(Block)} for {@code c = 0}. A shift near the
     * sample mean keeps {@link #fromSums}' one-pass covariance as accurate as the centred one.
     */
    static double[] sums(Block block, double[] shift) {
        int d = block.dimension();
        double[] stats = new double[d + d * d];
        double[] x = block.data();
        double[] y = new double[d];
        for (int r = 0; r < block.size(); r++) {
            int o = block.offset() + r * d;
            for (int a = 0; a < d; a++) {
                y[a] = x[o + a] - shift[a];
            }
            for (int a = 0; a < d; a++) {
                double ya = y[a];
                stats[a] += ya;
                int row = d + a * d;
                for (int b = 0; b < d; b++) {
                    stats[row + b] += ya * y[b];
                }
            }
        }
        return stats;
    }

    /** The dimension {@code d} of statistics of {@link #sums}' length {@code d + d*d}. */
    static int dimensionOfSums(double[] stats) {
        return (int) Math.round((Math.sqrt(1.0 + 4.0 * stats.length) - 1.0) / 2.0);
    }

    /**
     * The sample mean {@code m = S1/n} and unbiased sample covariance
     * {@code C = (S2 - n m m^T)/(n - 1)} from the summed {@link #sums(Block)} of {@code n}
     * particles: one pass, and accurate while the means are not huge against the spread.
     */
    static Moments fromSums(double[] stats, long n) {
        return fromSums(stats, n, new double[dimensionOfSums(stats)]);
    }

    /**
     * The sample moments from the summed {@link #sums(Block, double[])} about {@code c}:
     * {@code u = S1/n}, {@code m = c + u}, {@code C = (S2 - n u u^T)/(n - 1)}; the rounding of the
     * difference grows with {@code |u|^2 / |C|}, so it is small when {@code c} is near the mean.
     */
    static Moments fromSums(double[] stats, long n, double[] shift) {
        int d = dimensionOfSums(stats);
        double[] u = new double[d];
        double[] mean = new double[d];
        for (int a = 0; a < d; a++) {
            u[a] = stats[a] / n;
            mean[a] = shift[a] + u[a];
        }
        double[] covariance = new double[d * d];
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                covariance[a * d + b] = (stats[d + a * d + b] - n * u[a] * u[b]) / (n - 1);
            }
        }
        return new Moments(mean, covariance);
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
