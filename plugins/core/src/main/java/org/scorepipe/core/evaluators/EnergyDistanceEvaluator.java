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
 * The energy distance between the particles {@code x_1..x_n} and fresh reference samples
 * {@code y_1..y_m} (Székely and Rizzo, "Energy statistics: a class of statistics based on
 * distances", J. Stat. Planning and Inference 143 (2013), eq. (2.1) and the V-statistic (3.3)):
 * <pre>
 *   E(X, Y) = 2 E|X - Y| - E|X - X'| - E|Y - Y'|
 *   E_nm    = 2/(nm) sum_{i,j} |x_i - y_j| - 1/n^2 sum_{i,j} |x_i - x_j| - 1/m^2 sum_{i,j} |y_i - y_j|
 * </pre>
 * {@code E_nm} is the energy distance between the two empirical laws: it is symmetric, never
 * negative, and zero exactly when the two samples are the same set of points. For exact samples it
 * is positive, of order {@code 1/n + 1/m}. {@code E(X, Y) = 0} only for equal laws (in any
 * dimension, for laws with finite first moments). Reported as {@code energy-distance}.
 *
 * <p>The cost is {@code O((n + m)^2 d)}: the particles are cut to {@code max-samples} evenly
 * spaced rows ({@link Subsample}) and as many reference samples at most, reported as
 * {@code energy-distance-subsample} and {@code energy-distance-reference-samples}.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "energy-distance",
        doc = "Energy distance (Székely-Rizzo V-statistic) to fresh reference samples, on a deterministic subsample.")
public final class EnergyDistanceEvaluator implements Evaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("number of reference samples; 0 = as many as particles (both capped by max-samples)")
            @Default("0") int referenceSamples,
            @Doc("at most this many particles (evenly spaced rows) and reference samples; the cost is quadratic")
            @Default("4000") int maxSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (referenceSamples < 0) {
                throw new IllegalArgumentException("reference-samples must be >= 0 (0 = as many as particles), got "
                        + referenceSamples);
            }
            if (maxSamples < 1) {
                throw new IllegalArgumentException("max-samples must be >= 1, got " + maxSamples);
            }
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;

    @Inject
    public EnergyDistanceEvaluator(Params params, DataSource data, NoisingPath path) {
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
        if (n == 0) {
            throw new IllegalArgumentException("the energy-distance evaluator needs at least one particle");
        }
        int used = Subsample.size(n, params.maxSamples());
        double[] x = Subsample.rows(particles.data(), n, d, used);
        int m = Subsample.size(params.referenceSamples() == 0 ? n : params.referenceSamples(), params.maxSamples());
        double[] y = params.reference().samples(data, path, m, d, context).data();
        return Metrics.builder()
                .put("energy-distance", energyDistance(x, used, y, m, d))
                .put("energy-distance-subsample", used)
                .put("energy-distance-reference-samples", m)
                .build();
    }

    /** {@code E_nm} of the class comment between {@code [n, d]} and {@code [m, d]} row-major samples. */
    static double energyDistance(double[] x, int n, double[] y, int m, int d) {
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("the energy distance needs two non-empty samples, got sizes " + n + " and " + m);
        }
        PairwiseSums.Kernel distance = Math::sqrt;
        // The i = j terms are 0; the a < b sums count each other pair once of its two orders.
        double xx = 2.0 * PairwiseSums.within(x, n, d, distance) / ((double) n * n);
        double yy = 2.0 * PairwiseSums.within(y, m, d, distance) / ((double) m * m);
        double xy = PairwiseSums.between(x, n, y, m, d, distance) / ((double) n * m);
        // Never negative in exact arithmetic (it is a squared distance of embeddings); clamp rounding.
        return Math.max(0.0, 2.0 * xy - xx - yy);
    }
}
