package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.stream.IntStream;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;

/**
 * The sliced 2-Wasserstein distance between the particles and fresh reference samples
 * (Rabin, Peyré, Delon, Bernot, "Wasserstein barycenter and its application to texture mixing",
 * 2011; Bonneel et al., 2015):
 * <pre>
 *   SW_2(mu, nu) = sqrt( (1/P) sum_{p=1..P} W_2^2(theta_p # mu, theta_p # nu) )
 * </pre>
 * over {@code P} directions {@code theta_p} uniform on the unit sphere (normalised Gaussian
 * vectors drawn from the evaluation's {@link Noise#ENSEMBLE} stream {@code seed}, 0 by default,
 * so two evaluators with different seeds project on independent directions), where
 * {@code theta # mu} is the law of {@code theta . x}. Between two empirical laws on the line,
 * {@code W_2^2 = int_0^1 (F^{-1}(u) - G^{-1}(u))^2 du} with the quantile functions of the sorted
 * samples, computed exactly also for different sample sizes (on the merged grid of levels
 * {@code i/n} and {@code j/m}). The reference samples are drawn as described in
 * {@link Reference#samples}. Reported as {@code sliced-wasserstein}.
 *
 * <p>An ensemble larger than {@code max-samples} is compared through its {@link Subsample} of
 * that many evenly spaced particles (and as many reference samples at most): the distance's sampling error at that size (of order
 * {@code 1/sqrt(max-samples)}) is far below what a sampler's bias shows, and on the Spark runner
 * only those rows travel to the driver.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "sliced-wasserstein",
        doc = "Sliced 2-Wasserstein distance to fresh reference samples over random directions.")
public final class SlicedWassersteinEvaluator implements Evaluator {
    /** Directions projected in one pass over the data. */
    private static final int DIRECTIONS_PER_PASS = 8;

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("number of random directions") @Default("128") int projections,
            @Doc("number of reference samples; 0 = as many as particles") @Default("0") int referenceSamples,
            @Doc("which ensemble stream the directions come from: evaluators with different seeds use different"
                    + " directions") @Default("0") int seed,
            @Doc("the most particles compared: a larger ensemble is cut to this many, evenly spaced by index (and the"
                    + " reference samples alike)") @Default("100000") int maxSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (projections < 1) {
                throw new IllegalArgumentException("projections must be >= 1, got " + projections);
            }
            if (referenceSamples < 0) {
                throw new IllegalArgumentException("reference-samples must be >= 0 (0 = as many as particles), got "
                        + referenceSamples);
            }
            if (seed < 0) {
                throw new IllegalArgumentException("seed must be >= 0 (it selects a noise stream), got " + seed);
            }
            if (maxSamples < 1) {
                throw new IllegalArgumentException("max-samples must be >= 1, got " + maxSamples);
            }
        }

        /** The directions of seed 0, up to 100 000 particles. */
        public Params(Reference reference, int projections, int referenceSamples) {
            this(reference, projections, referenceSamples, 0, 100_000);
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;

    @Inject
    public SlicedWassersteinEvaluator(Params params, DataSource data, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
    }

    /** Reads the {@link Subsample} of {@code max-samples} rows, and the ensemble's size only through it. */
    @Override
    public OptionalInt subsample() {
        return OptionalInt.of(params.maxSamples());
    }

    @Override
    public Metrics evaluate(Particles particles, EvalContext context) {
        int all = particles.size();
        int d = particles.dimension();
        if (all == 0) {
            throw new IllegalArgumentException("the sliced-wasserstein evaluator needs at least one particle");
        }
        int n = Subsample.size(all, params.maxSamples());
        double[] x = Subsample.rows(particles.data(), all, d, n);
        int m = Subsample.size(params.referenceSamples() == 0 ? n : params.referenceSamples(), params.maxSamples());
        Particles reference = params.reference().samples(data, path, m, d, context);
        int projections = params.projections();
        double[] directions = directions(context.noise(), params.seed(), projections, d);
        // Directions are independent of one another: groups of them run in parallel, each group
        // projecting every point on all its directions in one pass over the data (the data is read
        // once per group, not once per direction), and the per-direction results are added in
        // direction order, so the value does not depend on the number of threads or the grouping.
        double[] perDirection = new double[projections];
        int groups = (projections + DIRECTIONS_PER_PASS - 1) / DIRECTIONS_PER_PASS;
        IntStream.range(0, groups).parallel().forEach(g -> {
            int first = g * DIRECTIONS_PER_PASS;
            int count = Math.min(DIRECTIONS_PER_PASS, projections - first);
            double[][] projected = project(x, n, d, directions, first, count);
            double[][] projectedReference = project(reference.data(), m, d, directions, first, count);
            for (int q = 0; q < count; q++) {
                Arrays.sort(projected[q]);
                Arrays.sort(projectedReference[q]);
                perDirection[first + q] = wassersteinSquared(projected[q], projectedReference[q]);
            }
        });
        double sum = 0.0;
        for (double w : perDirection) {
            sum += w;
        }
        return Metrics.builder().put("sliced-wasserstein", Math.sqrt(sum / projections)).build();
    }

    /**
     * {@code count} unit vectors uniform on the sphere in {@code d} dimensions, row-major: the
     * normals of {@link Noise#ENSEMBLE}'s stream {@code seed}, each row divided by its norm (a
     * standard Gaussian vector's direction is uniform and independent of its length).
     */
    static double[] directions(Noise noise, int seed, int count, int d) {
        double[] directions = new double[count * d];
        noise.normals(Noise.ENSEMBLE, seed, directions, 0, directions.length);
        for (int p = 0; p < count; p++) {
            int o = p * d;
            double norm = 0.0;
            for (int j = 0; j < d; j++) {
                norm += directions[o + j] * directions[o + j];
            }
            // A zero vector has probability 0; dividing by it would only turn the metric into NaN.
            double scale = norm > 0 ? 1.0 / Math.sqrt(norm) : 0.0;
            for (int j = 0; j < d; j++) {
                directions[o + j] *= scale;
            }
        }
        return directions;
    }

    /**
     * {@code out[q][i] = theta_{first+q} . x_i} for {@code q < count}: one pass over the rows,
     * each dot product summed over {@code j = 0 .. d-1} in order.
     */
    private static double[][] project(double[] x, int n, int d, double[] directions, int first, int count) {
        double[][] out = new double[count][n];
        for (int i = 0; i < n; i++) {
            int o = i * d;
            for (int q = 0; q < count; q++) {
                int t = (first + q) * d;
                double v = 0.0;
                for (int j = 0; j < d; j++) {
                    v += x[o + j] * directions[t + j];
                }
                out[q][i] = v;
            }
        }
        return out;
    }

    /**
     * {@code W_2^2} between the empirical laws of sorted samples {@code a} (size {@code n}) and
     * {@code b} (size {@code m}): {@code int_0^1 (a[ceil(un) - 1] - b[ceil(um) - 1])^2 du}. Levels are
     * counted in units of {@code 1/(nm)}, so the breakpoints {@code (i+1)/n = (i+1)m} and
     * {@code (j+1)/m = (j+1)n} and the interval lengths are exact integers.
     */
    static double wassersteinSquared(double[] a, double[] b) {
        long n = a.length;
        long m = b.length;
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("need two non-empty samples, got sizes " + n + " and " + m);
        }
        int i = 0;
        int j = 0;
        long level = 0;
        double sum = 0.0;
        while (i < n && j < m) {
            long endA = (i + 1) * m;
            long endB = (j + 1) * n;
            long end = Math.min(endA, endB);
            double diff = a[i] - b[j];
            sum += diff * diff * (double) (end - level);
            level = end;
            if (endA == end) {
                i++;
            }
            if (endB == end) {
                j++;
            }
        }
        return sum / ((double) n * (double) m);
    }
}
