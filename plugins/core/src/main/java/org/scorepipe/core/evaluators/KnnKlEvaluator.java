package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.OptionalInt;
import java.util.stream.IntStream;
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
 * The k-nearest-neighbour estimate of the Kullback-Leibler divergence {@code KL(P || Q)} of the
 * particles' law {@code P} from the reference law {@code Q} (Wang, Kulkarni, Verdú, "Divergence
 * estimation for multidimensional densities via k-nearest-neighbor distances", IEEE Trans. Inf.
 * Theory 55 (2009), eq. (17) with {@code k_i = l_i = k}):
 * <pre>
 *   KL_hat = (d/n) sum_i log( nu_k(i) / rho_k(i) ) + log( m / (n - 1) )
 * </pre>
 * where {@code rho_k(i)} is the Euclidean distance from particle {@code x_i} to its {@code k}-th
 * nearest neighbour among the other particles and {@code nu_k(i)} the distance to its {@code k}-th
 * nearest neighbour among {@code m} fresh reference samples of {@code Q}. The estimator is
 * asymptotically unbiased and consistent for densities; it may be slightly negative for close laws.
 * If particles coincide ({@code rho_k(i) = 0}, e.g. a collapsed ensemble) the estimate is
 * {@code +infinity}, as is the divergence of a law with atoms from one with a density.
 *
 * <p>Brute-force neighbour search, {@code O(n (n + m) d)}: the particles are cut to
 * {@code max-samples} evenly spaced rows ({@link Subsample}) and as many reference samples at
 * most, reported as {@code knn-kl-subsample} and {@code knn-kl-reference-samples}.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "knn-kl",
        doc = "k-nearest-neighbour estimate of KL(particles || reference) (Wang-Kulkarni-Verdú), on a deterministic"
                + " subsample.")
public final class KnnKlEvaluator implements Evaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("the neighbour k; larger k lowers the variance and raises the bias") @Default("5") int k,
            @Doc("number of reference samples; 0 = as many as particles (both capped by max-samples)")
            @Default("0") int referenceSamples,
            @Doc("at most this many particles (evenly spaced rows) and reference samples; the cost is quadratic")
            @Default("4000") int maxSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (k < 1) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            if (referenceSamples < 0) {
                throw new IllegalArgumentException("reference-samples must be >= 0 (0 = as many as particles), got "
                        + referenceSamples);
            }
            if (maxSamples <= k) {
                throw new IllegalArgumentException("max-samples must be > k = " + k + ", got " + maxSamples);
            }
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;

    @Inject
    public KnnKlEvaluator(Params params, DataSource data, NoisingPath path) {
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
        int k = params.k();
        if (n <= k) {
            throw new IllegalArgumentException("the knn-kl evaluator needs more than k = " + k + " particles, got " + n);
        }
        int used = Subsample.size(n, params.maxSamples());
        double[] x = Subsample.rows(particles.data(), n, d, used);
        int m = Subsample.size(params.referenceSamples() == 0 ? n : params.referenceSamples(), params.maxSamples());
        if (m < k) {
            throw new IllegalArgumentException("the knn-kl evaluator needs at least k = " + k + " reference samples, got "
                    + m + "; raise reference-samples");
        }
        double[] y = params.reference().samples(data, path, m, d, context).data();
        return Metrics.builder()
                .put("knn-kl", divergence(x, used, y, m, d, k))
                .put("knn-kl-subsample", used)
                .put("knn-kl-reference-samples", m)
                .build();
    }

    /** {@code KL_hat} of the class comment for {@code [n, d]} samples {@code x} of P and {@code [m, d]} samples {@code y} of Q. */
    static double divergence(double[] x, int n, double[] y, int m, int d, int k) {
        if (n <= k || m < k) {
            throw new IllegalArgumentException("need n > k and m >= k, got n = " + n + ", m = " + m + ", k = " + k);
        }
        double[] logRatios = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] nearest = new double[k];
            double rho2 = kthNearest(x, i, x, n, d, i, nearest);
            double nu2 = kthNearest(x, i, y, m, d, -1, nearest);
            // log(nu / rho) from squared distances; rho = 0 gives +infinity (see the class comment).
            logRatios[i] = 0.5 * (Math.log(nu2) - Math.log(rho2));
        });
        double sum = 0.0;
        for (double v : logRatios) {
            sum += v;
        }
        return d * sum / n + Math.log((double) m / (n - 1));
    }

    /**
     * The squared distance from row {@code i} of {@code x} to its {@code k}-th nearest row of
     * {@code pool} ({@code k = nearest.length}), skipping row {@code skip} of the pool. Keeps the
     * {@code k} smallest so far in {@code nearest}, sorted ascending (insertion).
     */
    private static double kthNearest(double[] x, int i, double[] pool, int size, int d, int skip, double[] nearest) {
        int k = nearest.length;
        java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        double worst = Double.POSITIVE_INFINITY;
        for (int b = 0; b < size; b++) {
            if (b == skip) {
                continue;
            }
            double s = PairwiseSums.squaredDistance(x, i, pool, b, d);
            if (s < worst) {
                int p = k - 1;
                while (p > 0 && nearest[p - 1] > s) {
                    nearest[p] = nearest[p - 1];
                    p--;
                }
                nearest[p] = s;
                worst = nearest[k - 1];
            }
        }
        return nearest[k - 1];
    }
}
