package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Arrays;
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
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.core.scores.HeavyTailedMixture;
import org.scorepipe.core.sources.StudentTSource;
import org.hipparchus.distribution.continuous.FDistribution;

/**
 * How heavy the particles' tails are against the target's: quantiles of the radial norm
 * {@code r = |x|_2} at the levels {@code p_l} (default 90%, 99%, 99.9%), for the particles and for
 * fresh reference samples ({@link Reference#samples}):
 * <pre>
 *   radial-quantiles[l]         = Q_r(p_l) over the particles
 *   target-radial-quantiles[l]  = Q_r(p_l) over the reference samples
 *   tail-quantile-error         = max_l | radial-quantiles[l] / target-radial-quantiles[l] - 1 |
 * </pre>
 * with the empirical quantile interpolated linearly between order statistics,
 * {@code Q(p) = r_(floor(h)) + (h - floor(h)) (r_(floor(h)+1) - r_(floor(h)))}, {@code h = (n - 1) p},
 * 0-based (Hyndman and Fan, "Sample quantiles in statistical packages", Am. Stat. 50 (1996),
 * definition 7, NumPy's default). A sampler that under-disperses (too-large Langevin steps cut the
 * other way, too-small noise, a truncated score) shows up here first, where sliced or moment
 * metrics barely move. The 99.9% quantile of {@code n} points rests on about {@code n / 1000} of
 * them: use at least 10^4 particles and reference samples for it.
 *
 * <p>For a centred isotropic Student-t target {@code t_nu(0, s^2 I)} the target's quantiles are
 * exact instead of drawn: against the data, {@code |X|^2 / (d s^2) ~ F(d, nu)}, so
 * {@code Q_r(p) = s sqrt(d F^{-1}_{d, nu}(p))} (Hipparchus' F quantile); against the noised
 * reference, {@link HeavyTailedMixture#radialQuantile} of the law at the particles' time, with the
 * path's own noise ({@code |X_t|^2} is a scale mixture of {@code chi^2_d}). Other targets are
 * compared with {@code reference-samples} fresh draws.
 *
 * <p>A quantile needs the order statistics of all the norms, which no sum of chunk statistics
 * gives exactly, so the evaluator does not merge: an ensemble larger than {@code max-samples} is
 * measured through its {@link Subsample} of that many evenly spaced particles (with
 * {@code reference-samples: 0}, as many reference samples), and on the Spark runner only those
 * rows travel to the driver. At the default of 10^5 the 99.9% quantile still rests on 100 points;
 * explicit {@code reference-samples} are drawn on the driver and not capped.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "tail-quantiles",
        doc = "Quantiles (90/99/99.9%) of the radial norm |x| of the particles against the reference's.")
public final class TailQuantilesEvaluator implements Evaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("quantile levels in (0, 1)") @Default("[0.9, 0.99, 0.999]") double[] levels,
            @Doc("number of reference samples; 0 = as many as particles (after the max-samples cut)")
            @Default("0") int referenceSamples,
            @Doc("the most particles measured: a larger ensemble is cut to this many, evenly spaced by index")
            @Default("100000") int maxSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (levels == null || levels.length == 0) {
                throw new IllegalArgumentException("levels is empty; give quantile levels such as [0.9, 0.99, 0.999]");
            }
            levels = levels.clone();
            for (double p : levels) {
                if (!(p > 0 && p < 1)) {
                    throw new IllegalArgumentException("levels must lie in (0, 1), got " + p);
                }
            }
            if (referenceSamples < 0) {
                throw new IllegalArgumentException("reference-samples must be >= 0 (0 = as many as particles), got "
                        + referenceSamples);
            }
            if (maxSamples < 1) {
                throw new IllegalArgumentException("max-samples must be >= 1, got " + maxSamples);
            }
        }

        /** Up to 100 000 particles. */
        public Params(Reference reference, double[] levels, int referenceSamples) {
            this(reference, levels, referenceSamples, 100_000);
        }

        @Override
        public double[] levels() {
            return levels.clone();
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;

    @Inject
    public TailQuantilesEvaluator(Params params, DataSource data, NoisingPath path) {
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
            throw new IllegalArgumentException("the tail-quantiles evaluator needs at least one particle");
        }
        int n = Subsample.size(all, params.maxSamples());
        double[] levels = params.levels();
        double[] quantiles = quantiles(sortedNorms(Subsample.rows(particles.data(), all, d, n), n, d), levels);
        double[] target = exactQuantiles(levels, d, context.time());
        if (target == null) {
            int m = params.referenceSamples() == 0 ? n : params.referenceSamples();
            Particles reference = params.reference().samples(data, path, m, d, context);
            target = quantiles(sortedNorms(reference.data(), m, d), levels);
        }
        double error = 0.0;
        for (int l = 0; l < levels.length; l++) {
            error = Math.max(error, Math.abs(quantiles[l] / target[l] - 1.0));
        }
        return Metrics.builder()
                .put("tail-levels", levels)
                .put("radial-quantiles", quantiles)
                .put("target-radial-quantiles", target)
                .put("tail-quantile-error", error)
                .build();
    }

    /**
     * The reference's exact radial quantiles at time {@code t} when the target is a centred
     * isotropic Student-t, else null.
     */
    double[] exactQuantiles(double[] levels, int d, double t) {
        if (!(data instanceof StudentTSource studentT) || data.dimension() != d) {
            return null;
        }
        GaussianMixture.Gaussian g = studentT.scaleMixture().components().get(0);
        for (double m : g.mean()) {
            if (m != 0.0) {
                return null;
            }
        }
        if (g.form() != GaussianMixture.Form.SCALAR) {
            return null;
        }
        double nu = studentT.degreesOfFreedom();
        double v = g.covariance(0, 0);
        double[] out = new double[levels.length];
        if (params.reference() == Reference.DATA) {
            FDistribution f = new FDistribution(d, nu, 1e-13);
            for (int l = 0; l < levels.length; l++) {
                out[l] = Math.sqrt(v * d * f.inverseCumulativeProbability(levels[l]));
            }
            return out;
        }
        HeavyTailedMixture law = HeavyTailedMixture.of(studentT.scaleMixture(), nu, path.noiseDegreesOfFreedom(),
                path.meanScale(t), path.noiseScale(t));
        for (int l = 0; l < levels.length; l++) {
            out[l] = law.radialQuantile(levels[l]);
        }
        return out;
    }

    /** {@code |x_i|_2} of the {@code n} rows, sorted ascending. */
    static double[] sortedNorms(double[] x, int n, int d) {
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            int o = i * d;
            double s = 0.0;
            for (int j = 0; j < d; j++) {
                s += x[o + j] * x[o + j];
            }
            norms[i] = Math.sqrt(s);
        }
        Arrays.sort(norms);
        return norms;
    }

    /** Hyndman-Fan definition 7 quantiles of the sorted values at each level. */
    static double[] quantiles(double[] sorted, double[] levels) {
        int n = sorted.length;
        double[] out = new double[levels.length];
        for (int l = 0; l < levels.length; l++) {
            double h = (n - 1) * levels[l];
            int lo = (int) Math.floor(h);
            int hi = Math.min(lo + 1, n - 1);
            out[l] = sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
        }
        return out;
    }
}
