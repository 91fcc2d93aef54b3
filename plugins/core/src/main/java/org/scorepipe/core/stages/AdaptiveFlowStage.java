package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Arrays;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.Stage;
import org.scorepipe.api.StageSpec;
import org.scorepipe.core.kernels.EmbeddedPair;

/**
 * Integrates the probability-flow ODE {@code dx/dt = F(x, t) = f(t) x - g(t)^2 s(x, t) / 2}
 * (Song et al., "Score-based generative modeling through stochastic differential equations",
 * ICLR 2021, whose {@code ode} sampler solves it with an adaptive RK45 at {@code rtol = atol =
 * 1e-5}) from {@code from} down to {@code to} with an embedded Runge-Kutta pair and step-size
 * control. With {@code h > 0} the step from {@code t} to {@code t - h} is, over the pair's stages,
 * <pre>
 *   k_i  =  F(x - h sum_{j&lt;i} a_ij k_j,  t - c_i h),      x'  =  x - h sum_i b_i k_i,
 *   err  =  sqrt( (1 / (n d)) sum_{particles, coordinates} (h sum_i e_i k_i / (atol + rtol max(|x|, |x'|)))^2 )
 * </pre>
 * ({@code dopri5}: Dormand and Prince 1980; {@code bosh3}: Bogacki and Shampine 1989; both
 * first-same-as-last, {@link EmbeddedPair}). The step is accepted when {@code err <= 1}, and the
 * next one is chosen by the PI controller of Gustafsson (1991) in the form of Hairer and Wanner's
 * DOPRI5 code ("Solving ODEs I", section II.4; "Solving ODEs II", section IV.2):
 * <pre>
 *   h_new  =  h / max(0.1, min(5, err^(1/p - 0.75 beta) / (0.9 err_prev^beta))),   beta = 0.04,
 * </pre>
 * with {@code p} the pair's order, {@code err_prev} the last accepted error (1e-4 at first), and no
 * growth after a rejection. The first step is Hairer, Norsett and Wanner's
 * {@code 0.01 ||x|| / ||F||} in the tolerance's norm.
 *
 * <p><b>One step size for the whole ensemble.</b> The error norm is the RMS over every particle
 * and coordinate, summed in particle-index order, so the steps taken depend on the ensemble and
 * on nothing else: not on threads, blocks or Spark partitions (the stage sees every particle in
 * one block). A particle's result therefore depends on the other particles through the steps,
 * unlike every fixed-grid stage: the first {@code m} particles of an {@code n}-run are not an
 * {@code m}-run. The whole integration is the stage's one step, so a checkpoint is taken before
 * or after it, and a resume repeats it bit for bit. The steps taken are the stage's
 * {@linkplain Block#report report}, recorded under its name: {@code accepted-steps}, {@code rejected-steps}, {@code score-evaluations} (per
 * particle), {@code step-sizes} (every accepted {@code h}, in order).
 *
 * <p>Draws no noise. A Student-t path has no probability-flow ODE of this form and is refused.
 * Memory: {@code stages + 3} copies of the ensemble.
 */
@Component(kind = ComponentKind.STAGE, name = "adaptive-flow",
        doc = "The probability-flow ODE by an adaptive embedded Runge-Kutta pair (dopri5 or bosh3), one step size for the"
                + " whole ensemble; records the steps taken.")
public final class AdaptiveFlowStage implements Stage {
    /** The PI controller's {@code beta} (Hairer and Wanner's DOPRI5 code). */
    private static final double BETA = 0.04;
    private static final double SAFETY = 0.9;
    /** A step shrinks at most 5-fold ... */
    private static final double MIN_FACTOR = 0.2;
    /** ... and grows at most 10-fold. */
    private static final double MAX_FACTOR = 10.0;

    /** The embedded pair. */
    public enum Method {
        DOPRI5(EmbeddedPair.DOPRI5), BOSH3(EmbeddedPair.BOSH3);

        private final EmbeddedPair pair;

        Method(EmbeddedPair pair) {
            this.pair = pair;
        }

        public EmbeddedPair pair() {
            return pair;
        }
    }

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("the path time the particles are at") double from,
            @Doc("the path time to integrate down to, 0 <= to < from") double to,
            @Doc("relative tolerance of the error norm, > 0") @Default("1e-5") double rtol,
            @Doc("absolute tolerance of the error norm, > 0") @Default("1e-5") double atol,
            @Doc("dopri5 (Dormand-Prince 5(4)) or bosh3 (Bogacki-Shampine 3(2))") @Default("dopri5") Method method,
            @Doc("the most steps (accepted and rejected) before the stage gives up") @Default("100000") int maxSteps) {
        public Params {
            if (!(to >= 0) || !(from > to) || Double.isInfinite(from)) {
                throw new IllegalArgumentException("need finite path times 0 <= to < from, got from = " + from + ", to = " + to
                        + "; the flow runs backwards in time");
            }
            if (!(rtol > 0) || !(atol > 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
                throw new IllegalArgumentException("rtol and atol must be finite numbers > 0, got " + rtol + ", " + atol);
            }
            if (method == null) {
                throw new IllegalArgumentException("method is missing; give dopri5 or bosh3");
            }
            if (maxSteps < 1) {
                throw new IllegalArgumentException("max-steps must be >= 1, got " + maxSteps);
            }
        }
    }

    private final Params params;
    private final EmbeddedPair pair;
    private final StageSpec stage;
    private final NoisingPath path;
    private final ScoreProvider score;

    @Inject
    public AdaptiveFlowStage(Params params, StageSpec stage, NoisingPath path, ScoreProvider score) {
        this.params = requireNonNull(params, "params is null");
        this.pair = params.method().pair();
        this.stage = requireNonNull(stage, "stage is null");
        this.path = requireNonNull(path, "path is null");
        this.score = requireNonNull(score, "score is null");
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("the probability-flow ODE needs a Gaussian noising path; this path's noise is"
                    + " Student-t with " + path.noiseDegreesOfFreedom() + " degrees of freedom; use base: gaussian");
        }
    }

    /** The whole integration is one step. */
    @Override
    public long steps() {
        return 1;
    }

    @Override
    public boolean wholeEnsemble() {
        return true;
    }

    @Override
    public double time(long k, double start) {
        return k == 0 ? params.from() : params.to();
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k != 0) {
            throw new IllegalArgumentException("the adaptive-flow stage has one step, got step " + k);
        }
        Result result = integrate(block.data(), block.offset(), block.size() * block.dimension(), block.size());
        block.report(Metrics.builder()
                .put("accepted-steps", result.stepSizes().length)
                .put("rejected-steps", result.rejected())
                .put("score-evaluations", result.evaluations())
                .put("step-sizes", result.stepSizes())
                .build());
    }

    /**
     * What an integration did.
     *
     * @param stepSizes every accepted step size, in order
     * @param rejected the rejected steps
     * @param evaluations score evaluations per particle
     */
    public record Result(double[] stepSizes, int rejected, int evaluations) {
    }

    /**
     * Integrates {@code x[offset .. offset + cells)}, {@code rows} particles, from {@code from} to
     * {@code to} in place.
     *
     * @throws IllegalStateException if the error norm is not finite or the steps run out
     */
    public Result integrate(double[] x, int offset, int cells, int rows) {
        int stages = pair.stages();
        double[][] k = new double[stages][cells];
        double[] y = Arrays.copyOfRange(x, offset, offset + cells);
        double[] trial = new double[cells];
        double[] next = new double[cells];
        double t = params.from();
        double end = params.to();
        int order = pair.order();
        double exponent = 1.0 / order - 0.75 * BETA;
        double lastError = 1e-4;
        rhs(y, t, rows, k[0]);
        int evaluations = 1;
        double h = initialStep(y, k[0], t - end);
        double[] taken = new double[64];
        int accepted = 0;
        int rejected = 0;
        boolean rejectedLast = false;
        while (t > end) {
            if (accepted + rejected >= params.maxSteps()) {
                throw new IllegalStateException(stage.name() + ": the probability-flow ODE took " + params.maxSteps()
                        + " steps (" + accepted + " accepted) and is at t = " + t + " of " + end + "; raise rtol/atol or"
                        + " max-steps, or stop earlier (to: ...)");
            }
            boolean last = t - h <= end;
            double step = last ? t - end : h;
            for (int i = 1; i < stages; i++) {
                double[] ai = pair.a()[i];
                for (int c = 0; c < cells; c++) {
                    double sum = 0.0;
                    for (int j = 0; j < i; j++) {
                        sum += ai[j] * k[j][c];
                    }
                    trial[c] = y[c] - step * sum;
                }
                rhs(trial, t - pair.c()[i] * step, rows, k[i]);
                evaluations++;
            }
            // Both pairs are first-same-as-last: the last stage's point is the propagated solution.
            System.arraycopy(trial, 0, next, 0, cells);
            double sum = 0.0;
            double[] e = pair.e();
            for (int c = 0; c < cells; c++) {
                double err = 0.0;
                for (int j = 0; j < stages; j++) {
                    err += e[j] * k[j][c];
                }
                double ratio = step * err / (params.atol() + params.rtol() * Math.max(Math.abs(y[c]), Math.abs(next[c])));
                sum += ratio * ratio;
            }
            double error = Math.sqrt(sum / cells);
            if (!Double.isFinite(error)) {
                throw new IllegalStateException(stage.name() + ": the probability-flow ODE's error estimate is not finite at t = "
                        + t + " (step " + step + "): the score is not finite there or the particles diverged");
            }
            double grow = Math.pow(error, exponent);
            if (error <= 1.0) {
                double factor = Math.max(1.0 / MAX_FACTOR, Math.min(1.0 / MIN_FACTOR, grow / Math.pow(lastError, BETA) / SAFETY));
                lastError = Math.max(error, 1e-4);
                t = last ? end : t - step;
                double[] swap = y;
                y = next;
                next = swap;
                double[] first = k[0];
                k[0] = k[stages - 1];
                k[stages - 1] = first;
                if (accepted == taken.length) {
                    taken = Arrays.copyOf(taken, 2 * accepted);
                }
                taken[accepted++] = step;
                // No growth right after a rejection (Hairer and Wanner).
                h = rejectedLast ? Math.min(h, step / factor) : step / factor;
                rejectedLast = false;
            } else {
                h = step / Math.min(1.0 / MIN_FACTOR, grow / SAFETY);
                rejected++;
                rejectedLast = true;
            }
            if (!(h > Math.ulp(t) * 16)) {
                throw new IllegalStateException(stage.name() + ": the probability-flow ODE's step fell to " + h + " at t = " + t
                        + ", below what t can resolve; the score is probably not smooth there: stop earlier (to: ...)");
            }
        }
        System.arraycopy(y, 0, x, offset, cells);
        return new Result(Arrays.copyOf(taken, accepted), rejected, evaluations);
    }

    /** {@code out = F(x, t) = f(t) x - g(t)^2 s(x, t) / 2}. */
    private void rhs(double[] x, double t, int rows, double[] out) {
        score.score(x, 0, rows, t, out);
        double f = path.drift(t);
        double half = 0.5 * path.diffusionSquared(t);
        for (int c = 0; c < out.length; c++) {
            out[c] = f * x[c] - half * out[c];
        }
    }

    /** Hairer, Norsett and Wanner's starting step {@code 0.01 ||y|| / ||y'||} in the tolerance's norm, within the interval. */
    private double initialStep(double[] y, double[] dy, double span) {
        double ny = 0.0;
        double nd = 0.0;
        for (int c = 0; c < y.length; c++) {
            double scale = params.atol() + params.rtol() * Math.abs(y[c]);
            ny += (y[c] / scale) * (y[c] / scale);
            nd += (dy[c] / scale) * (dy[c] / scale);
        }
        double h = ny < 1e-10 || nd < 1e-10 ? 1e-6 : 0.01 * Math.sqrt(ny / nd);
        return Math.min(Math.max(h, 1e-9 * span), span);
    }
}
