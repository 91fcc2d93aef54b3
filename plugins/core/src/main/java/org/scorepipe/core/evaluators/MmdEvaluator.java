package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.OptionalInt;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;

/**
 * The maximum mean discrepancy between the particles {@code x_1..x_n} and fresh reference samples
 * {@code y_1..y_m} under a Gaussian (RBF) kernel, with the unbiased U-statistic of Gretton,
 * Borgwardt, Rasch, Schölkopf, Smola, "A kernel two-sample test", JMLR 13 (2012), Lemma 6:
 * <pre>
 *   MMD_u^2 = 1/(n(n-1)) sum_{i != j} k(x_i, x_j) + 1/(m(m-1)) sum_{i != j} k(y_i, y_j)
 *             - 2/(nm) sum_{i, j} k(x_i, y_j),
 *   k(x, y) = sum_b exp(-|x - y|^2 / (2 h_b^2))
 * </pre>
 * with the given bandwidths {@code h_b}, or else one bandwidth by the median heuristic: {@code h}
 * is the median of the pairwise distances in the pooled sample (Gretton et al. 2012, Section 8;
 * over at most 1000 evenly spaced pooled points). A sum of Gaussian kernels is characteristic, so
 * {@code MMD^2 = 0} only for equal laws. The estimate is unbiased and therefore may be slightly
 * negative; {@code mmd} reports {@code sqrt(max(MMD_u^2, 0))}.
 *
 * <p>The cost is {@code O((n + m)^2 d)}: the particles are cut to {@code max-samples} evenly
 * spaced rows (see {@link Subsample}) and as many reference samples at most, and the sizes used
 * are reported as {@code mmd-subsample} and {@code mmd-reference-samples}. Reference samples are
 * drawn as {@link Reference#samples} describes.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "mmd",
        doc = "Unbiased squared maximum mean discrepancy (RBF kernel; median heuristic or given bandwidths)"
                + " to fresh reference samples, on a deterministic subsample.")
public final class MmdEvaluator implements Evaluator {
    /** Pooled points the median heuristic looks at: half a million pairs. */
    static final int MEDIAN_POINTS = 1000;

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("kernel bandwidths h_b (the kernel is the sum of their Gaussians); empty = median heuristic")
            @Default("") double[] bandwidths,
            @Doc("number of reference samples; 0 = as many as particles (both capped by max-samples)")
            @Default("0") int referenceSamples,
            @Doc("at most this many particles (evenly spaced rows) and reference samples; the cost is quadratic")
            @Default("4000") int maxSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            bandwidths = bandwidths == null ? new double[0] : bandwidths.clone();
            for (double h : bandwidths) {
                if (!(h > 0) || Double.isInfinite(h)) {
                    throw new IllegalArgumentException("bandwidths must be finite and > 0, got " + h);
                }
            }
            if (referenceSamples < 0 || referenceSamples == 1) {
                throw new IllegalArgumentException("reference-samples must be 0 (as many as particles) or >= 2, got "
                        + referenceSamples);
            }
            if (maxSamples < 2) {
                throw new IllegalArgumentException("max-samples must be >= 2, got " + maxSamples);
            }
        }

        @Override
        public double[] bandwidths() {
            return bandwidths.clone();
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;

    @Inject
    public MmdEvaluator(Params params, DataSource data, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
    }

    /** Reads the {@link Subsample} of {@code max-samples} rows, and {@code n} only through its size. */
    @Override
    public OptionalInt subsample() {
        return OptionalInt.of(params.maxSamples());
    }

    @Override
    public Metrics evaluate(Particles particles, EvalContext context) {
        int n = particles.size();
        int d = particles.dimension();
        if (n < 2) {
            throw new IllegalArgumentException("the mmd evaluator needs at least 2 particles, got " + n);
        }
        int used = Subsample.size(n, params.maxSamples());
        double[] x = Subsample.rows(particles.data(), n, d, used);
        int m = Subsample.size(params.referenceSamples() == 0 ? n : params.referenceSamples(), params.maxSamples());
        double[] y = params.reference().samples(data, path, m, d, context).data();
        double[] bandwidths = params.bandwidths();
        Metrics.Builder metrics = Metrics.builder();
        if (bandwidths.length == 0) {
            double h = PairwiseSums.medianDistance(pooled(x, used, y, m, d), used + m, d, MEDIAN_POINTS);
            if (!(h > 0)) {
                throw new IllegalArgumentException("the median heuristic found a bandwidth of " + h
                        + " (more than half the points coincide); give bandwidths: [...] to the mmd evaluator");
            }
            bandwidths = new double[] {h};
        }
        double mmd2 = unbiasedSquared(x, used, y, m, d, bandwidths);
        return metrics.put("mmd-squared", mmd2)
                .put("mmd", Math.sqrt(Math.max(mmd2, 0.0)))
                .put("mmd-bandwidths", bandwidths)
                .put("mmd-subsample", used)
                .put("mmd-reference-samples", m)
                .build();
    }

    /** The rows of {@code x} then those of {@code y}, interleaved evenly so a strided cut sees both. */
    private static double[] pooled(double[] x, int n, double[] y, int m, int d) {
        double[] z = new double[(n + m) * d];
        // Row r of the pool is x's row r/2 or y's row r/2 while both last; the longer one's rest follows.
        int r = 0;
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && (j >= m || i <= j)) {
                System.arraycopy(x, i++ * d, z, r++ * d, d);
            } else {
                System.arraycopy(y, j++ * d, z, r++ * d, d);
            }
        }
        return z;
    }

    /** {@code MMD_u^2} of the class comment between {@code [n, d]} and {@code [m, d]} row-major samples. */
    static double unbiasedSquared(double[] x, int n, double[] y, int m, int d, double[] bandwidths) {
        if (n < 2 || m < 2) {
            throw new IllegalArgumentException("the unbiased MMD needs at least 2 points on each side, got " + n + " and " + m);
        }
        double[] coefficients = new double[bandwidths.length];
        for (int b = 0; b < bandwidths.length; b++) {
            coefficients[b] = -0.5 / (bandwidths[b] * bandwidths[b]);
        }
        PairwiseSums.Kernel kernel = coefficients.length == 1
                ? squared -> Math.exp(coefficients[0] * squared)
                : squared -> {
                    double s = 0.0;
                    for (double c : coefficients) {
                        s += Math.exp(c * squared);
                    }
                    return s;
                };
        // Sums over a < b count each unordered pair once; the i != j sums are twice that.
        double xx = 2.0 * PairwiseSums.within(x, n, d, kernel) / ((double) n * (n - 1));
        double yy = 2.0 * PairwiseSums.within(y, m, d, kernel) / ((double) m * (m - 1));
        double xy = PairwiseSums.between(x, n, y, m, d, kernel) / ((double) n * m);
        return xx + yy - 2.0 * xy;
    }
}
