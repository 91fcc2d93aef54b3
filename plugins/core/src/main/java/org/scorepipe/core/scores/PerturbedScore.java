package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.hipparchus.special.Erf;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;

/**
 * The wrapped score plus an error of a chosen {@code L^2} size {@code epsilon}: a stand-in for a
 * learned score that is only {@code L^2}-accurate, {@code E_{p_t} |s~(X, t) - grad log p_t(X)|^2
 * <= epsilon^2}, the assumption of Lee, Lu, Tan, "Convergence for score-based generative modeling
 * with polynomial complexity" (NeurIPS 2022), and of Chen et al., "Sampling is as easy as
 * learning the score" (2023).
 * <pre>
 *   s~(x, t) = s(x, t) + epsilon e(x, t)
 *   mode: bias    e(x, t) = u                          a fixed unit vector
 *   mode: noise   e(x, t) = z(x, t) / sqrt(d),         z(x, t) ~ N(0, I) a deterministic hash of (seed, t, x)
 *   mode: bad-set e(x, t) = u / sqrt(delta)  on  A_t = {x : u.x > q_t},  0 elsewhere,
 *                 q_t the (1 - delta) quantile of u.X_t, X_t ~ p_t, so p_t(A_t) = delta
 * </pre>
 * The bad-set mode is the shape of Lee, Lu and Tan's point: an error that is huge
 * ({@code epsilon / sqrt(delta)}, its sup norm) on a set of small probability {@code delta} (the
 * key {@code mass}) and zero elsewhere still has {@code L^2(p_t)} norm exactly {@code epsilon}, at
 * every {@code t}. It needs the exact law of {@code X_t}: the pipeline's Gaussian-mixture data
 * pushed through its Gaussian path ({@code data:} and {@code path:} name them), where {@code u.X_t}
 * is the one-dimensional mixture of {@code N(alpha_t u.m_k, u^T(alpha_t^2 S_k + sigma_t^2 I)u)},
 * and {@code q_t} is found by bisection of its distribution function to 1e-12. With
 * {@code mass: 1} it is the bias mode.
 * {@code u} is {@code direction / |direction|}, or when no direction is given the direction of
 * {@code d} normals drawn from the pipeline's seed. In the noise mode {@code z} is a pure function
 * of the bits of {@code t} and of every coordinate of {@code x} (a {@link HashNoise} key), so the
 * perturbed score is a fixed, if rough, function of {@code (x, t)}, as an estimate is; its error
 * has {@code E|e|^2 = 1}, so the {@code L^2(p_t)} error is {@code epsilon} in expectation over the
 * hash, exactly {@code epsilon} in the bias mode. Neither mode has a log density.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "perturbed",
        doc = "Adds an error of L2 size epsilon to the wrapped score: a fixed unit direction (bias), a"
                + " deterministic hash of (x, t) -> N(0, I/d) (noise), or epsilon/sqrt(mass) on a set of p_t-mass mass"
                + " (bad-set); Lee, Lu, Tan.")
public final class PerturbedScore implements ScoreProvider {

    /** Domain of {@link HashNoise} for the default bias direction. */
    static final long DIRECTION_DOMAIN = 0x6469726563746EL;
    /** Domain mixed into the noise mode's per-point key. */
    static final long NOISE_DOMAIN = 0x706572747572624EL;

    /** The shape of the error. */
    public enum Mode {
        /** {@code epsilon u}, the same vector everywhere. */
        BIAS,
        /** {@code epsilon z(x, t) / sqrt(d)}, a deterministic pseudo-random vector per point and time. */
        NOISE,
        /** {@code epsilon u / sqrt(delta)} on the half-space of {@code p_t}-mass {@code delta} furthest along {@code u}. */
        BAD_SET
    }

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("epsilon >= 0, the L2 size of the error") double epsilon,
            @Doc("bias (a fixed direction) or noise (a hash of (x, t) -> N(0, I/d))") @Default("bias") Mode mode,
            @Doc("the bias direction, d values (normalised); empty = a random unit vector from the seed")
            @Default("") double[] direction,
            @Doc("bad-set mode: the p_t-mass delta in (0, 1] of the set the error lives on") @Default("1") double mass) {
        public Params {
            if (!(mass > 0) || !(mass <= 1)) {
                throw new IllegalArgumentException("mass must be in (0, 1], got " + mass);
            }
            if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be a finite number >= 0, got " + epsilon);
            }
            requireNonNull(mode, "mode is null");
            direction = direction == null ? new double[0] : direction.clone();
        }

        /** The bias or noise mode's parameters (mass 1). */
        public Params(double epsilon, Mode mode, double[] direction) {
            this(epsilon, mode, direction, 1.0);
        }

        @Override
        public double[] direction() {
            return direction.clone();
        }
    }

    private final ScoreProvider score;
    private final int dimension;
    private final double epsilon;
    private final Mode mode;
    private final long seed;
    /** {@code epsilon u} (bias mode), {@code epsilon u / sqrt(mass)} (bad-set mode). */
    private final double[] bias;
    /** {@code u}. */
    private final double[] unit;
    private final ThreadLocal<double[]> normals;
    /** Bad-set mode: the mass, the data's law and the path; null otherwise. */
    private final double mass;
    private final NoisingPath path;
    /** Bad-set mode: the data's weights (normalised), and each component's mean and variance along u. */
    private final double[] weights;
    private final double[] meansAlong;
    private final double[] variancesAlong;

    /** The bias and noise modes, which need nothing but the wrapped score. */
    public PerturbedScore(Params params, ScoreProvider score, PipelineSpec pipeline) {
        this(params, score, pipeline, Optional.empty(), Optional.empty());
    }

    @Inject
    public PerturbedScore(Params params, ScoreProvider score, PipelineSpec pipeline, Optional<DataSource> data,
            Optional<NoisingPath> path) {
        this.score = requireNonNull(score, "score is null");
        int d = pipeline.dimension();
        this.dimension = d;
        this.epsilon = params.epsilon();
        this.mode = params.mode();
        this.seed = pipeline.seed();
        double[] u = params.direction();
        if (u.length == 0) {
            u = new double[d];
            new HashNoise(seed, DIRECTION_DOMAIN).normals(0, 0, u, 0, d);
        } else if (u.length != d) {
            throw new IllegalArgumentException("direction has " + u.length + " values but the pipeline's dimension is "
                    + d + "; give d values or none");
        }
        double norm = 0.0;
        for (double v : u) {
            norm += v * v;
        }
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw new IllegalArgumentException("direction must be a finite, non-zero vector");
        }
        this.bias = new double[d];
        this.unit = new double[d];
        double scale = epsilon / Math.sqrt(norm) / Math.sqrt(params.mass());
        for (int i = 0; i < d; i++) {
            unit[i] = u[i] / Math.sqrt(norm);
            bias[i] = scale * u[i];
        }
        this.normals = ThreadLocal.withInitial(() -> new double[d]);
        this.mass = params.mass();
        if (mode == Mode.BAD_SET) {
            if (data.isEmpty() || path.isEmpty()) {
                throw new IllegalArgumentException("mode bad-set needs the exact law of X_t: name the Gaussian-mixture data and"
                        + " its path, e.g. `data: data, path: path`");
            }
            GaussianMixture law = data.get().gaussianMixture().orElseThrow(() -> new IllegalArgumentException("mode bad-set needs"
                    + " Gaussian-mixture data (its law pushed through the path is exact); this data source has no such law"));
            if (Double.isFinite(path.get().noiseDegreesOfFreedom())) {
                throw new IllegalArgumentException("mode bad-set needs a Gaussian noising path; this one's noise is Student-t");
            }
            this.path = path.get();
            int size = law.size();
            double total = java.util.Arrays.stream(law.weights()).sum();
            this.weights = new double[size];
            this.meansAlong = new double[size];
            this.variancesAlong = new double[size];
            for (int k = 0; k < size; k++) {
                GaussianMixture.Gaussian g = law.components().get(k);
                double[] m = g.mean();
                weights[k] = law.weights()[k] / total;
                for (int i = 0; i < d; i++) {
                    meansAlong[k] += unit[i] * m[i];
                    for (int j = 0; j < d; j++) {
                        variancesAlong[k] += unit[i] * g.covariance(i, j) * unit[j];
                    }
                }
            }
        } else {
            if (mass != 1.0) {
                throw new IllegalArgumentException("mass is the bad-set mode's; the " + mode.name().toLowerCase() + " mode has none");
            }
            this.path = null;
            this.weights = null;
            this.meansAlong = null;
            this.variancesAlong = null;
        }
    }

    /**
     * The bad set's threshold {@code q_t}: the (1 - mass) quantile of {@code u.X_t} under {@code p_t}
     * (minus infinity for mass 1), by bisection of the mixture's distribution function.
     */
    public double threshold(double t) {
        if (mass == 1.0) {
            return Double.NEGATIVE_INFINITY;
        }
        double alpha = path.meanScale(t);
        double sigma2 = path.noiseScale(t) * path.noiseScale(t);
        int size = weights.length;
        double[] means = new double[size];
        double[] sds = new double[size];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < size; k++) {
            means[k] = alpha * meansAlong[k];
            sds[k] = Math.sqrt(alpha * alpha * variancesAlong[k] + sigma2);
            lo = Math.min(lo, means[k] - 40 * sds[k]);
            hi = Math.max(hi, means[k] + 40 * sds[k]);
        }
        for (int iteration = 0; iteration < 200 && hi - lo > 1e-12 * Math.max(1.0, Math.abs(hi)); iteration++) {
            double mid = 0.5 * (lo + hi);
            double above = 0.0; // P(u.X_t > mid), by the upper tails: accurate for small masses
            for (int k = 0; k < size; k++) {
                above += weights[k] * 0.5 * Erf.erfc((mid - means[k]) / (Math.sqrt(2.0) * sds[k]));
            }
            if (above > mass) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** {@code epsilon u}, the bias mode's error ({@code epsilon u / sqrt(mass)} on the bad set). */
    public double[] bias() {
        return bias.clone();
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        score.score(x, offset, rows, t, out);
        int d = dimension;
        if (mode == Mode.BAD_SET) {
            double q = threshold(t);
            for (int r = 0; r < rows; r++) {
                int xo = offset + r * d;
                double along = 0.0;
                for (int i = 0; i < d; i++) {
                    along += unit[i] * x[xo + i];
                }
                if (along > q) {
                    int so = r * d;
                    for (int i = 0; i < d; i++) {
                        out[so + i] += bias[i];
                    }
                }
            }
            return;
        }
        if (mode == Mode.BIAS) {
            for (int r = 0; r < rows; r++) {
                int so = r * d;
                for (int i = 0; i < d; i++) {
                    out[so + i] += bias[i];
                }
            }
            return;
        }
        double[] z = normals.get();
        double scale = epsilon / Math.sqrt(d);
        for (int r = 0; r < rows; r++) {
            HashNoise.normals(key(x, offset + r * d, t), z, 0, d);
            int so = r * d;
            for (int i = 0; i < d; i++) {
                out[so + i] += scale * z[i];
            }
        }
    }

    /** The noise mode's key: a hash chain over the seed, the bits of t and of every coordinate of the point. */
    long key(double[] x, int xo, double t) {
        long h = HashNoise.mix(HashNoise.mix(seed) ^ NOISE_DOMAIN);
        h = HashNoise.mix(h ^ Double.doubleToLongBits(t));
        for (int i = 0; i < dimension; i++) {
            h = HashNoise.mix(h ^ Double.doubleToLongBits(x[xo + i]));
        }
        return h;
    }
}
