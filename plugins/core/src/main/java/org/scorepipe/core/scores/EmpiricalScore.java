package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.hipparchus.special.Gamma;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;

/**
 * The exact score of a dataset's empirical distribution {@code (1/m) sum_j delta_{y_j}} pushed
 * through the noising path, {@code X_t = alpha_t Y + sigma_t Z}: the score a perfectly trained
 * network would learn from {@code m} points, which reproduces them at {@code t -> 0}.
 *
 * <p>With {@code q_j(x) = |x - alpha y_j|^2}, Gaussian noise ({@code nu = infinity}) gives
 * <pre>
 *   p_t(x)          = (1/m) sum_j N(x; alpha y_j, sigma^2 I)
 *   grad log p_t(x) = sum_j r_j (alpha y_j - x) / sigma^2,        r_j = softmax_j( -q_j / (2 sigma^2) )
 * </pre>
 * and Student-t noise of {@code nu} degrees of freedom ({@link NoisingPath#noiseDegreesOfFreedom},
 * {@code Z} a standard multivariate t with scale matrix {@code I}) the mixture of multivariate t
 * densities with location {@code alpha y_j} and scale {@code sigma}:
 * <pre>
 *   p_t(x)          = (1/m) sum_j c_{nu,d} sigma^-d (1 + q_j / (nu sigma^2))^(-(nu + d)/2)
 *   grad log p_t(x) = sum_j r_j (nu + d) (alpha y_j - x) / (nu sigma^2 + q_j),
 *   r_j = softmax_j( -(nu + d)/2 log(1 + q_j / (nu sigma^2)) )
 * </pre>
 * The log density is exact and normalised (with {@code c_{nu,d} = Gamma((nu+d)/2) / (Gamma(nu/2)
 * (nu pi)^{d/2})}).
 *
 * <p><b>The dataset.</b> A data source that is a finite dataset ({@link DataSource#points}, e.g. a
 * file) gives its points as they are ({@code samples: 0}) or its first {@code samples} rows.
 * Any other source is sampled once, at construction: {@code samples} rows drawn by the source
 * itself with a {@link HashNoise} keyed by the pipeline's seed, so the dataset is the same in
 * every run with that seed, on every thread and every Spark executor, and independent of the
 * stages' noise.
 *
 * <p><b>Cost.</b> It is exact, so every point sees every data point: {@code O(n m d)} per step
 * for {@code n} particles. What is done about it: the squared distances come from
 * {@code |x|^2 - 2 alpha x.y_j + alpha^2 |y_j|^2} with the cross terms computed four particles
 * at a time as rank-1 updates over the transposed dataset (each array indexed by the loop
 * variable alone, the form C2 vectorises), {@code |y_j|^2} is computed once, and the points whose
 * weight is below {@code e^-60} of the largest (at small {@code sigma} almost all of them) are
 * skipped by a threshold on {@code q_j}, before any logarithm or exponential: the skipped mass is
 * below {@code m e^-60}, under {@code 1e-20} relative for {@code m <= 10^6}, so the result is exact
 * to rounding. There is no
 * approximate (nearest-neighbour) mode: a cheaper score is a different score. Each output row
 * sees the same operations in the same order whether it is in a tile of four or not, so results
 * do not depend on the blocking.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "empirical",
        doc = "Exact score and log density of a dataset's empirical distribution pushed through the path"
                + " (Gaussian or Student-t noise); the dataset is a file source's points or 'samples' draws.")
public final class EmpiricalScore implements ScoreProvider {

    /** Domain of {@link HashNoise} for the dataset's draws. */
    static final long DATASET_DOMAIN = 0x656D706972696361L;

    /** Weights below {@code e^-CUTOFF} of the largest are skipped in the weighted sum. */
    private static final double CUTOFF = 60.0;
    private static final int TILE = 4;

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("number of data points m: draws of the data source, or the first m points of a finite"
                    + " dataset (npy, csv); 0 = all points of a finite dataset") @Default("0") int samples) {
        public Params {
            if (samples < 0) {
                throw new IllegalArgumentException("samples must be >= 0 (0 = a finite dataset's every point), got "
                        + samples);
            }
        }
    }

    private final NoisingPath path;
    private final int size;
    private final int dimension;
    /** {@code y_j}, one array per point. */
    private final double[][] points;
    /** {@code transposed[i][j] = y_j[i]}. */
    private final double[][] transposed;
    /** {@code |y_j|^2}. */
    private final double[] squaredNorms;
    private final double degreesOfFreedom;
    private final ThreadLocal<Scratch> scratch;

    /** Per-thread work arrays: the cross terms of a tile (then a row's squared distances), the weighted sum. */
    private static final class Scratch {
        final double[][] dots;
        final double[] sum;

        Scratch(int m, int d) {
            dots = new double[TILE][m];
            sum = new double[d];
        }
    }

    @Inject
    public EmpiricalScore(Params params, DataSource data, NoisingPath path, PipelineSpec pipeline) {
        this(datasetOf(params, data, pipeline), data.dimension(), path);
    }

    /** The score of the empirical distribution of the given row-major points. */
    public EmpiricalScore(double[] dataset, int d, NoisingPath path) {
        this.path = requireNonNull(path, "path is null");
        requireNonNull(dataset, "dataset is null");
        if (d <= 0 || dataset.length == 0 || dataset.length % d != 0) {
            throw new IllegalArgumentException("the dataset must hold m >= 1 rows of d = " + d + " values, got "
                    + dataset.length + " values");
        }
        this.dimension = d;
        this.size = dataset.length / d;
        this.points = new double[size][d];
        this.transposed = new double[d][size];
        this.squaredNorms = new double[size];
        for (int j = 0; j < size; j++) {
            double norm = 0.0;
            for (int i = 0; i < d; i++) {
                double y = dataset[j * d + i];
                if (!Double.isFinite(y)) {
                    throw new IllegalArgumentException("data point " + j + " has a non-finite coordinate " + i + ": " + y);
                }
                points[j][i] = y;
                transposed[i][j] = y;
                norm += y * y;
            }
            squaredNorms[j] = norm;
        }
        double nu = path.noiseDegreesOfFreedom();
        if (!(nu > 0)) {
            throw new IllegalArgumentException("the path's noise has " + nu + " degrees of freedom; need > 0");
        }
        this.degreesOfFreedom = nu;
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(size, dimension));
    }

    private static double[] datasetOf(Params params, DataSource data, PipelineSpec pipeline) {
        int d = data.dimension();
        Optional<double[]> finite = data.points();
        int m = params.samples();
        if (finite.isPresent()) {
            double[] all = finite.get();
            int available = all.length / d;
            if (m == 0 || m == available) {
                return all;
            }
            if (m > available) {
                throw new IllegalArgumentException("samples = " + m + " but the dataset has only " + available
                        + " points; give samples <= " + available + " or 0 for all of them");
            }
            return java.util.Arrays.copyOf(all, m * d);
        }
        if (m == 0) {
            throw new IllegalArgumentException("the empirical score needs samples > 0: the data source ("
                    + data.getClass().getSimpleName() + ") is a distribution, not a finite dataset; give the number"
                    + " of points to draw from it, e.g. samples: 1000");
        }
        Particles dataset = new Particles(m, d);
        data.sample(dataset.all(), new HashNoise(pipeline.seed(), DATASET_DOMAIN));
        return dataset.data();
    }

    /** Number of data points {@code m}. */
    public int size() {
        return size;
    }

    /** A copy of the data points, row-major. */
    public double[] points() {
        double[] copy = new double[size * dimension];
        for (int j = 0; j < size; j++) {
            System.arraycopy(points[j], 0, copy, j * dimension, dimension);
        }
        return copy;
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        evaluate(x, offset, rows, t, out, null);
    }

    @Override
    public boolean hasLogDensity() {
        return true;
    }

    /** The exact, normalised log density of the noised empirical distribution. */
    @Override
    public void logDensity(double[] x, int offset, int rows, double t, double[] out) {
        evaluate(x, offset, rows, t, null, out);
    }

    private void evaluate(double[] x, int offset, int rows, double t, double[] scoreOut, double[] logOut) {
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        if (!(sigma > 0) || !Double.isFinite(sigma) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("the empirical score at t = " + t + " needs a finite sigma_t > 0, got"
                    + " alpha = " + alpha + ", sigma = " + sigma + ": the empirical distribution itself has no"
                    + " density; stop the sampler at a time with noise (e.g. t = 1e-3)");
        }
        int d = dimension;
        Scratch s = scratch.get();
        double[][] dots = s.dots;
        int r = 0;
        for (; r + TILE <= rows; r += TILE) {
            int o = offset + r * d;
            crossTerms(x, o, d, dots[0], dots[1], dots[2], dots[3]);
            for (int q = 0; q < TILE; q++) {
                finishRow(x, o + q * d, r + q, alpha, sigma, dots[q], s, scoreOut, logOut);
            }
        }
        for (; r < rows; r++) {
            int o = offset + r * d;
            crossTerms(x, o, dots[0]);
            finishRow(x, o, r, alpha, sigma, dots[0], s, scoreOut, logOut);
        }
    }

    /** {@code dq[j] = x_q . y_j} for four consecutive rows starting at {@code x[o]}, accumulated over i = 0 .. d-1. */
    private void crossTerms(double[] x, int o, int d, double[] d0, double[] d1, double[] d2, double[] d3) {
        int m = size;
        java.util.Arrays.fill(d0, 0, m, 0.0);
        java.util.Arrays.fill(d1, 0, m, 0.0);
        java.util.Arrays.fill(d2, 0, m, 0.0);
        java.util.Arrays.fill(d3, 0, m, 0.0);
        for (int i = 0; i < d; i++) {
            double[] y = transposed[i];
            double x0 = x[o + i];
            double x1 = x[o + d + i];
            double x2 = x[o + 2 * d + i];
            double x3 = x[o + 3 * d + i];
            for (int j = 0; j < m; j++) {
                double yj = y[j];
                d0[j] += x0 * yj;
                d1[j] += x1 * yj;
                d2[j] += x2 * yj;
                d3[j] += x3 * yj;
            }
        }
    }

    /** The same sums for one row, in the same order. */
    private void crossTerms(double[] x, int o, double[] d0) {
        int m = size;
        java.util.Arrays.fill(d0, 0, m, 0.0);
        for (int i = 0; i < dimension; i++) {
            double[] y = transposed[i];
            double x0 = x[o + i];
            for (int j = 0; j < m; j++) {
                d0[j] += x0 * y[j];
            }
        }
    }

    private void finishRow(double[] x, int xo, int r, double alpha, double sigma, double[] dots, Scratch s,
            double[] scoreOut, double[] logOut) {
        int d = dimension;
        int m = size;
        double xx = 0.0;
        for (int i = 0; i < d; i++) {
            xx += x[xo + i] * x[xo + i];
        }
        double a2 = alpha * alpha;
        double s2 = sigma * sigma;
        double nu = degreesOfFreedom;
        boolean gaussian = nu == Double.POSITIVE_INFINITY;
        double nuS2 = nu * s2;
        double exponent = 0.5 * (nu + d);
        // The logit is decreasing in q_j, so the largest belongs to the nearest point, and the points
        // whose weight is below e^-CUTOFF of the largest are those with q_j above a threshold: only
        // the others need a logarithm and an exponential.
        double nearest = Double.POSITIVE_INFINITY;
        for (int j = 0; j < m; j++) {
            // Rounding can make the expanded square slightly negative when x = alpha y_j.
            double q = Math.max(0.0, xx - 2.0 * alpha * dots[j] + a2 * squaredNorms[j]);
            dots[j] = q;
            if (q < nearest) {
                nearest = q;
            }
        }
        double max = gaussian ? -0.5 * nearest / s2 : -exponent * Math.log1p(nearest / nuS2);
        double threshold = gaussian ? nearest + 2.0 * CUTOFF * s2
                : nuS2 * Math.expm1(Math.log1p(nearest / nuS2) + CUTOFF / exponent);
        double total = 0.0;
        double coefficientTotal = 0.0;
        double[] sum = s.sum;
        java.util.Arrays.fill(sum, 0, d, 0.0);
        for (int j = 0; j < m; j++) {
            double q = dots[j];
            if (q > threshold) {
                continue;
            }
            double logit = gaussian ? -0.5 * q / s2 : -exponent * Math.log1p(q / nuS2);
            double w = Math.exp(logit - max);
            total += w;
            if (scoreOut != null) {
                // Gaussian: grad_x log N = (alpha y_j - x) / sigma^2; Student-t: (nu + d)(alpha y_j - x) / (nu sigma^2 + q_j).
                double c = gaussian ? w / s2 : w * (nu + d) / (nuS2 + q);
                coefficientTotal += c;
                double[] y = points[j];
                for (int i = 0; i < d; i++) {
                    sum[i] += c * y[i];
                }
            }
        }
        if (scoreOut != null) {
            double inverse = 1.0 / total;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                scoreOut[so + i] = (alpha * sum[i] - coefficientTotal * x[xo + i]) * inverse;
            }
        }
        if (logOut != null) {
            double normaliser = gaussian
                    ? -0.5 * d * Math.log(2.0 * Math.PI * s2)
                    : Gamma.logGamma(exponent) - Gamma.logGamma(0.5 * nu) - 0.5 * d * Math.log(nu * Math.PI)
                            - d * Math.log(sigma);
            logOut[r] = max + Math.log(total) - Math.log(m) + normaliser;
        }
    }
}
