package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import java.util.OptionalInt;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.kernels.EmbeddedPair;
import org.scorepipe.core.scores.NoisedMixture;

/**
 * The model's log density of given points by the probability-flow ODE and the instantaneous change
 * of variables (Chen et al., "Neural ordinary differential equations", 2018; Grathwohl et al.,
 * "FFJORD", 2019; Song et al., "Score-based generative modeling through stochastic differential
 * equations", ICLR 2021, section 4.3 and appendix D.2, as score_sde's {@code likelihood.py}).
 *
 * <p>With the path's forward SDE {@code dX = f(t) X dt + g(t) dB} and the model's score
 * {@code s(x, t)}, the probability-flow ODE and the log density along it are
 * <pre>
 *   dx/dt = v(x, t) = f(t) x - g(t)^2 s(x, t) / 2
 *   log p_delta(x_delta) = log p_T(x_T) + int_delta^T div_x v(x_t, t) dt,
 *   div_x v = d f(t) - g(t)^2 div_x s(x, t) / 2
 * </pre>
 * integrated forward from {@code t = delta} (the particles' time, or {@code start}) to
 * {@code T = end}. The ODE carries {@code p_delta} to {@code p_T}, so the result is the model's
 * {@code log p_delta}, not {@code log p_0}: on a path with {@code sigma_delta > 0} it is the log
 * density of the data noised to {@code delta}.
 *
 * <p>The prior {@code log p_T} is the path's end law: {@code prior: noise} takes
 * {@code N(0, sigma_T^2 I)}, the law a reverse sampler starts from (score_sde's prior; it drops
 * the data's {@code alpha_T X_0}, a bias of order {@code alpha_T |x| |m|} nats). {@code prior: exact}
 * takes the data noised to {@code T}, {@code alpha_T X_0 + sigma_T Z}, in closed form; it needs a
 * Gaussian-mixture data source. A Student-t path has no probability-flow ODE of this form and is refused.
 *
 * <p>The ODE is solved by the Dormand-Prince 5(4) embedded pair (Dormand and Prince, J. Comput.
 * Appl. Math. 6, 1980; the tableau of Hairer, Norsett and Wanner, "Solving ODEs I", table 5.2),
 * first-same-as-last, the fifth-order solution propagated, the step accepted when the largest
 * per-point RMS of {@code err_i / (tol + tol max(|y_i|, |y_i'|))} is at most 1 and rescaled by
 * {@code 0.9 e^{-1/5}} within {@code [0.2, 5]}. Points are integrated together in chunks of
 * {@value #CHUNK} rows aligned to their index, sharing steps, so a point's result depends only on its chunk. The state is the point and its log-density integral(s).
 *
 * <p>The divergence {@code div_x s}: {@code divergence: exact} sums {@code d} central differences
 * {@code (s_j(x + h_j e_j) - s_j(x - h_j e_j)) / (2 h_j)} (2d score rows per point and ODE stage;
 * {@code difference: forward} takes {@code (s_j(x + h_j e_j) - s_j(x)) / h_j}, d rows). The step
 * {@code h_j = c max(1, |x_j|)} balances truncation {@code h^2 |s'''| / 6} against rounding
 * {@code eps |s| / h}: {@code c = (3 eps)^(1/3) = 8.7e-6} central, {@code c = 2 sqrt(eps) = 3e-8}
 * forward, with {@code eps = 2^-52} (Nocedal and Wright, "Numerical optimization", section 8.1).
 * It only calls {@code score()}, so it works with any score (analytic, empirical, ONNX, DJL).
 * {@code divergence: hutchinson} estimates it by {@code eps^T J eps} for probes {@code eps} with
 * {@code E[eps eps^T] = I} (Hutchinson, 1989), Rademacher or Gaussian, the directional derivative
 * by the same differences along {@code eps} ({@code h = c max(1, rms(x)) }); each probe is fixed
 * along the whole trajectory, as in FFJORD, and gets its own integral. Probe {@code p} of point
 * {@code i} is drawn from the evaluation's noise, particle index {@code i}, stream
 * {@link #PROBE_STREAMS}{@code + p}: a pure function of (seed, stage, point, probe).
 *
 * <p>Reported: {@code nll}, the mean of {@code -log p_delta} over the points in nats, and
 * {@code nll-se}, its standard error over the points (with Hutchinson each point's value is its
 * probes' mean, so this includes the probes' noise); {@code bpd = nll / (d ln 2)} and
 * {@code bpd-se} (no dequantisation offset: the data are taken as continuous); with two or more
 * probes {@code nll-probe-se}, the part of the standard error due to the probes,
 * {@code sqrt(sum_i var_i / K) / m}; and {@code nll-score-rows}, the score rows evaluated per point.
 *
 * <p>{@code points: particles} measures the {@link Subsample} of {@code max-points} evenly spaced
 * particles, and {@code points: data} does not read the particles at all, so the evaluator
 * declares that subsample ({@link #subsample}): on the Spark runner only those rows travel to the
 * driver. It does not merge: although each point's value is its own, {@code nll-se} is taken
 * about the mean (two passes), and the points are a subsample, not every particle.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "likelihood",
        doc = "Negative log-likelihood (nats per point, bits per dimension) of the particles or data by the probability-flow ODE.")
public final class LikelihoodEvaluator implements Evaluator {
    /** Points integrated together, sharing steps; aligned to the point index. */
    static final int CHUNK = 256;
    /** The first noise stream of the probes, above the streams the data source and the noised reference use. */
    public static final int PROBE_STREAMS = 1 << 17;
    private static final double EPS = Math.ulp(1.0);
    private static final double CENTRAL = Math.cbrt(3.0 * EPS);
    private static final double FORWARD = 2.0 * Math.sqrt(EPS);
    private static final double LOG_TWO_PI = Math.log(2.0 * Math.PI);
    private static final int MAX_STEPS = 100_000;

    /** Which points are measured. */
    public enum Points {
        /** The ensemble's particles, at the evaluation. */
        PARTICLES,
        /** The evaluator's data source: its rows when it is a dataset (a held-out file), else fresh draws. */
        DATA
    }

    /** How {@code div s} is computed. */
    public enum Divergence { EXACT, HUTCHINSON }

    /** The probes' law. */
    public enum Probe { RADEMACHER, GAUSSIAN }

    /** Finite differences of the score. */
    public enum Difference { CENTRAL, FORWARD }

    /** The law at the end time. */
    public enum Prior {
        /** {@code N(0, sigma_T^2 I)}. */
        NOISE,
        /** The data noised to {@code T}, in closed form (Gaussian-mixture data only). */
        EXACT
    }

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("the points: the particles, or the evaluator's data source (rows of a dataset, else draws)")
            @Default("particles") Points points,
            @Doc("at most this many points (evenly spaced rows, or this many draws)") @Default("1000") int maxPoints,
            @Doc("the ODE's start time delta; negative = the particles' time") @Default("-1") double start,
            @Doc("the ODE's end time T, where the prior is taken (e.g. 1 for vp/sub-vp/ve, 10 or more for ornstein-uhlenbeck)")
            double end,
            @Doc("the prior at T: noise = N(0, sigma_T^2 I); exact = the data noised to T (Gaussian-mixture data)")
            @Default("noise") Prior prior,
            @Doc("relative and absolute tolerance of the Dormand-Prince 5(4) ODE solver") @Default("1e-5") double tolerance,
            @Doc("divergence of the score: exact (d finite differences) or hutchinson (probes)")
            @Default("exact") Divergence divergence,
            @Doc("hutchinson probes per point") @Default("1") int probes,
            @Doc("hutchinson probe law: rademacher or gaussian") @Default("rademacher") Probe probe,
            @Doc("finite differences of the score: central (2 rows each) or forward (1 row each)")
            @Default("central") Difference difference) {
        public Params {
            requireNonNull(points, "points is null");
            requireNonNull(prior, "prior is null");
            requireNonNull(divergence, "divergence is null");
            requireNonNull(probe, "probe is null");
            requireNonNull(difference, "difference is null");
            if (maxPoints < 2) {
                throw new IllegalArgumentException("max-points must be >= 2 (a standard error needs two points), got " + maxPoints);
            }
            if (!(end > 0) || Double.isInfinite(end)) {
                throw new IllegalArgumentException("end must be a finite time > 0, got " + end);
            }
            if (Double.isNaN(start) || start >= end) {
                throw new IllegalArgumentException("start must be below end = " + end + " (negative: the particles' time), got " + start);
            }
            if (!(tolerance > 0) || tolerance >= 1) {
                throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
            }
            if (probes < 1) {
                throw new IllegalArgumentException("probes must be >= 1, got " + probes);
            }
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;
    private final ScoreProvider score;

    @Inject
    public LikelihoodEvaluator(Params params, DataSource data, NoisingPath path, ScoreProvider score) {
        this.params = requireNonNull(params, "params is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
        this.score = requireNonNull(score, "score is null");
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("the likelihood evaluator needs a Gaussian path; this one has Student-t(nu = "
                    + path.noiseDegreesOfFreedom() + ") noise, which has no probability-flow ODE; use base: gaussian");
        }
        if (params.prior() == Prior.EXACT && data.gaussianMixture().isEmpty()) {
            throw new IllegalArgumentException("prior: exact needs a Gaussian-mixture data source (gaussian, gaussian-mixture); "
                    + data.getClass().getSimpleName() + " has no closed form; use prior: noise");
        }
    }

    /**
     * Reads the {@link Subsample} of {@code max-points} rows only ({@code points: particles}), or
     * no particle at all ({@code points: data}): the same metrics from those rows as from the ensemble.
     */
    @Override
    public OptionalInt subsample() {
        return OptionalInt.of(params.maxPoints());
    }

    /** Per-point results: {@code -log p_delta}, the probes' sample variance (0 for one probe), and the score rows used in all. */
    record PointValues(double[] nll, double[] probeVariances, long scoreRows, int dimension, int probes) {
    }

    @Override
    public Metrics evaluate(Particles particles, EvalContext context) {
        PointValues point = pointValues(particles, context);
        double[] values = point.nll();
        int m = values.length;
        int d = point.dimension();
        int k = point.probes();
        // Sums in point order: the same bits for any thread count.
        double sum = 0.0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / m;
        double squares = 0.0;
        double probeSum = 0.0;
        for (int i = 0; i < m; i++) {
            squares += (values[i] - mean) * (values[i] - mean);
            probeSum += point.probeVariances()[i];
        }
        long allRows = point.scoreRows();
        double se = Math.sqrt(squares / (m - 1) / m);
        double bits = d * Math.log(2.0);
        Metrics.Builder out = Metrics.builder()
                .put("nll", mean).put("nll-se", se)
                .put("bpd", mean / bits).put("bpd-se", se / bits);
        if (k >= 2) {
            out.put("nll-probe-se", Math.sqrt(probeSum / k) / m);
        }
        return out.put("nll-score-rows", (double) allRows / m).build();
    }

    /** {@code -log p_delta} of each point, in point order. */
    PointValues pointValues(Particles particles, EvalContext context) {
        int d = particles.dimension();
        double delta = params.start() >= 0 ? params.start() : context.time();
        if (!(delta < params.end())) {
            throw new IllegalArgumentException("stage " + context.stage() + ": the likelihood evaluator integrates from t = "
                    + delta + " to end = " + params.end() + "; set end above the particles' time");
        }
        double[] x = points(particles, context);
        int m = x.length / d;
        if (m < 2) {
            throw new IllegalArgumentException("stage " + context.stage() + ": the likelihood evaluator needs at least 2 points, got " + m);
        }
        int k = params.divergence() == Divergence.HUTCHINSON ? params.probes() : 1;
        double[] values = new double[m];
        double[] probeVariances = new double[m];
        long rows = 0;
        // One chunk after the other: the evaluation's noise serves one thread at a time.
        for (int from = 0; from < m; from += CHUNK) {
            int to = Math.min(m, from + CHUNK);
            rows += new Solve(d, to - from, k, delta, context.noise()).run(x, from, values, probeVariances);
        }
        return new PointValues(values, probeVariances, rows, d, k);
    }

    /** The points, row-major {@code [m, d]}, with {@code m <= max-points}. */
    private double[] points(Particles particles, EvalContext context) {
        int d = particles.dimension();
        if (params.points() == Points.PARTICLES) {
            int n = particles.size();
            return Subsample.rows(particles.data(), n, d, Subsample.size(n, params.maxPoints())).clone();
        }
        if (data.dimension() != d) {
            throw new IllegalArgumentException("stage " + context.stage() + ": the likelihood evaluator's data source has dimension "
                    + data.dimension() + " but the particles have " + d);
        }
        Optional<double[]> rows = data.points();
        if (rows.isPresent()) {
            int n = rows.get().length / d;
            return Subsample.rows(rows.get(), n, d, Subsample.size(n, params.maxPoints())).clone();
        }
        Particles draws = new Particles(params.maxPoints(), d);
        data.sample(draws.all(), context.noise());
        return draws.data();
    }

    /** One chunk's integration: the state, the solver's stages and the score's scratch. */
    private final class Solve {
        private static final double[] C = EmbeddedPair.DOPRI5.c();
        private static final double[][] A = EmbeddedPair.DOPRI5.a();
        /** Fifth-order weights minus fourth-order weights: the error estimate's. */
        private static final double[] E = EmbeddedPair.DOPRI5.e();

        private final int d;
        private final int b;
        private final int k;
        private final int width;
        private final double delta;
        private final Noise noise;
        private double[] probes;
        private final double[] s;
        private final double[] shifted;
        private final double[] shiftedScore;
        private long rows;

        Solve(int d, int b, int k, double delta, Noise noise) {
            this.d = d;
            this.b = b;
            this.k = k;
            this.width = d + k;
            this.delta = delta;
            this.noise = noise;
            this.s = new double[b * d];
            int copies = params.difference() == Difference.CENTRAL ? 2 : 1;
            this.shifted = new double[copies * b * d];
            this.shiftedScore = new double[copies * b * d];
        }

        /** Integrates points {@code x[from .. from + b)}; writes {@code -log p_delta} and the probe variance; returns the score rows used. */
        long run(double[] x, int from, double[] values, double[] probeVariances) {
            if (params.divergence() == Divergence.HUTCHINSON) {
                probes = new double[b * k * d];
                for (int r = 0; r < b; r++) {
                    for (int p = 0; p < k; p++) {
                        int o = (r * k + p) * d;
                        if (params.probe() == Probe.GAUSSIAN) {
                            noise.normals(from + r, PROBE_STREAMS + p, probes, o, d);
                        } else {
                            noise.uniforms(from + r, PROBE_STREAMS + p, probes, o, d);
                            for (int j = 0; j < d; j++) {
                                probes[o + j] = probes[o + j] < 0.5 ? -1.0 : 1.0;
                            }
                        }
                    }
                }
            }
            double[] y = new double[b * width];
            for (int r = 0; r < b; r++) {
                System.arraycopy(x, (from + r) * d, y, r * width, d);
            }
            double[][] stages = new double[7][b * width];
            double[] trial = new double[b * width];
            double[] next = new double[b * width];
            double t = delta;
            double end = params.end();
            double tol = params.tolerance();
            rhs(y, t, stages[0]);
            double h = initialStep(y, stages[0], end - t);
            int steps = 0;
            while (t < end) {
                if (++steps > MAX_STEPS) {
                    throw new IllegalStateException("the likelihood ODE took more than " + MAX_STEPS + " steps from t = " + delta
                            + " to " + end + " at tolerance " + tol + "; raise tolerance or start later");
                }
                boolean last = t + h >= end;
                if (last) {
                    h = end - t;
                }
                for (int st = 1; st < 7; st++) {
                    for (int i = 0; i < y.length; i++) {
                        double sum = 0.0;
                        for (int q = 0; q < st; q++) {
                            sum += A[st][q] * stages[q][i];
                        }
                        trial[i] = y[i] + h * sum;
                    }
                    if (st == 6) {
                        System.arraycopy(trial, 0, next, 0, y.length);
                    }
                    rhs(trial, t + C[st] * h, stages[st]);
                }
                double worst = 0.0;
                for (int r = 0; r < b; r++) {
                    double norm = 0.0;
                    for (int j = 0; j < width; j++) {
                        int i = r * width + j;
                        double err = 0.0;
                        for (int q = 0; q < 7; q++) {
                            err += E[q] * stages[q][i];
                        }
                        double scale = tol + tol * Math.max(Math.abs(y[i]), Math.abs(next[i]));
                        double ratio = h * err / scale;
                        norm += ratio * ratio;
                    }
                    worst = Math.max(worst, Math.sqrt(norm / width));
                }
                double factor = worst == 0.0 ? 5.0 : Math.min(5.0, Math.max(0.2, 0.9 * Math.pow(worst, -0.2)));
                if (worst <= 1.0) {
                    t = last ? end : t + h;
                    System.arraycopy(next, 0, y, 0, y.length);
                    double[] fsal = stages[0];
                    stages[0] = stages[6];
                    stages[6] = fsal;
                } else {
                    factor = Math.min(factor, 1.0);
                }
                h *= factor;
            }
            prior(y, values, from);
            for (int r = 0; r < b; r++) {
                double mean = 0.0;
                for (int p = 0; p < k; p++) {
                    mean += y[r * width + d + p];
                }
                mean /= k;
                double variance = 0.0;
                for (int p = 0; p < k; p++) {
                    double e = y[r * width + d + p] - mean;
                    variance += e * e;
                }
                // values holds log p_T(x_T); the integral is of div v, so log p_delta = log p_T + mean.
                values[from + r] = -(values[from + r] + mean);
                probeVariances[from + r] = k >= 2 ? variance / (k - 1) : 0.0;
            }
            return rows;
        }

        /** Hairer, Norsett and Wanner's starting step: {@code 0.01 ||y|| / ||y'||}, within the interval. */
        private double initialStep(double[] y, double[] dy, double span) {
            double ny = 0.0;
            double nd = 0.0;
            for (int i = 0; i < y.length; i++) {
                double scale = params.tolerance() * (1.0 + Math.abs(y[i]));
                ny += (y[i] / scale) * (y[i] / scale);
                nd += (dy[i] / scale) * (dy[i] / scale);
            }
            double h = ny < 1e-10 || nd < 1e-10 ? 1e-6 : 0.01 * Math.sqrt(ny / nd);
            return Math.min(Math.max(h, 1e-9 * span), span);
        }

        /** The log prior density at T of each point's {@code x_T}, into {@code values[from + r]}. */
        private void prior(double[] y, double[] values, int from) {
            double alpha = path.meanScale(params.end());
            double sigma = path.noiseScale(params.end());
            double[] xs = new double[b * d];
            for (int r = 0; r < b; r++) {
                System.arraycopy(y, r * width, xs, r * d, d);
            }
            double[] logp = new double[b];
            if (params.prior() == Prior.EXACT) {
                GaussianMixture mixture = data.gaussianMixture().orElseThrow();
                NoisedMixture.of(mixture, alpha, sigma).logDensity(xs, 0, b, logp);
            } else {
                for (int r = 0; r < b; r++) {
                    double q = 0.0;
                    for (int j = 0; j < d; j++) {
                        q += xs[r * d + j] * xs[r * d + j];
                    }
                    logp[r] = -0.5 * d * (LOG_TWO_PI + 2.0 * Math.log(sigma)) - 0.5 * q / (sigma * sigma);
                }
            }
            System.arraycopy(logp, 0, values, from, b);
        }

        /** The augmented field: {@code v(x, t)} into the first d entries of each row, {@code div v} per probe after them. */
        private void rhs(double[] y, double t, double[] out) {
            double f = path.drift(t);
            double half = 0.5 * path.diffusionSquared(t);
            double[] xs = new double[b * d];
            for (int r = 0; r < b; r++) {
                System.arraycopy(y, r * width, xs, r * d, d);
            }
            score.score(xs, 0, b, t, s);
            rows += b;
            for (int r = 0; r < b; r++) {
                for (int j = 0; j < d; j++) {
                    out[r * width + j] = f * xs[r * d + j] - half * s[r * d + j];
                }
            }
            double[] div = params.divergence() == Divergence.EXACT ? exactDivergence(xs, t) : hutchinson(xs, t);
            for (int r = 0; r < b; r++) {
                for (int p = 0; p < k; p++) {
                    out[r * width + d + p] = d * f - half * div[r * k + p];
                }
            }
        }

        /** {@code div s} by {@code d} coordinate differences; one value per row. */
        private double[] exactDivergence(double[] xs, double t) {
            boolean central = params.difference() == Difference.CENTRAL;
            double c = central ? CENTRAL : FORWARD;
            double[] div = new double[b];
            double[] steps = new double[b];
            for (int j = 0; j < d; j++) {
                System.arraycopy(xs, 0, shifted, 0, b * d);
                if (central) {
                    System.arraycopy(xs, 0, shifted, b * d, b * d);
                }
                for (int r = 0; r < b; r++) {
                    double xj = xs[r * d + j];
                    // The step exactly representable: (x + h) - x is then h itself.
                    double plus = xj + c * Math.max(1.0, Math.abs(xj));
                    shifted[r * d + j] = plus;
                    if (central) {
                        double minus = xj - (plus - xj);
                        shifted[(b + r) * d + j] = minus;
                        steps[r] = plus - minus;
                    } else {
                        steps[r] = plus - xj;
                    }
                }
                int count = central ? 2 * b : b;
                score.score(shifted, 0, count, t, shiftedScore);
                rows += count;
                for (int r = 0; r < b; r++) {
                    double low = central ? shiftedScore[(b + r) * d + j] : s[r * d + j];
                    div[r] += (shiftedScore[r * d + j] - low) / steps[r];
                }
            }
            return div;
        }

        /** {@code eps^T J_s eps} for each row and probe, by differences along {@code eps}. */
        private double[] hutchinson(double[] xs, double t) {
            boolean central = params.difference() == Difference.CENTRAL;
            double c = central ? CENTRAL : FORWARD;
            double[] out = new double[b * k];
            double[] steps = new double[b];
            for (int r = 0; r < b; r++) {
                double q = 0.0;
                for (int j = 0; j < d; j++) {
                    q += xs[r * d + j] * xs[r * d + j];
                }
                steps[r] = c * Math.max(1.0, Math.sqrt(q / d));
            }
            for (int p = 0; p < k; p++) {
                for (int r = 0; r < b; r++) {
                    int o = (r * k + p) * d;
                    for (int j = 0; j < d; j++) {
                        double e = steps[r] * probes[o + j];
                        shifted[r * d + j] = xs[r * d + j] + e;
                        if (central) {
                            shifted[(b + r) * d + j] = xs[r * d + j] - e;
                        }
                    }
                }
                int count = central ? 2 * b : b;
                score.score(shifted, 0, count, t, shiftedScore);
                rows += count;
                for (int r = 0; r < b; r++) {
                    int o = (r * k + p) * d;
                    double dot = 0.0;
                    for (int j = 0; j < d; j++) {
                        double low = central ? shiftedScore[(b + r) * d + j] : s[r * d + j];
                        dot += probes[o + j] * (shiftedScore[r * d + j] - low);
                    }
                    out[r * k + p] = dot / ((central ? 2.0 : 1.0) * steps[r]);
                }
            }
            return out;
        }
    }
}
