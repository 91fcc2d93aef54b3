package org.scorepipe.core.correctors;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.core.kernels.LangevinLevels;
import org.scorepipe.core.kernels.LangevinStep;
import org.scorepipe.core.kernels.StepRule;

/**
 * Annealed Langevin dynamics (Song &amp; Ermon, "Generative modeling by estimating gradients of the
 * data distribution", NeurIPS 2019, algorithm 1): for noise levels {@code sigma_1 > ... > sigma_L},
 * {@code T} Langevin steps at each level with the step {@code a_i = step sigma_i^2 / sigma_L^2}:
 * <pre>
 *   for i = 1 .. L, for s = 1 .. T:
 *     x  &lt;-  x + a_i s(x, t_i) + sqrt(2 a_i) z,    z ~ N(0, I) from stream (i - 1) T + (s - 1)
 * </pre>
 * The levels are the times {@code t_1 > ... > t_L} of the corrector's time grid (key {@code grid},
 * typically {@code geometric}, which places {@code t_i} where the path's noise scale is NCSN's
 * {@code sigma_i}), and {@code sigma_i = noiseScale(t_i)}: the score at level {@code i} is the
 * score of the path's marginal at {@code t_i}, which for the variance-exploding path is NCSN's
 * data smoothed by {@code N(0, sigma_i^2 I)}. The schedule is the one of the {@code anneal} stage
 * with {@code step-rule: noise-squared} ({@link LangevinLevels}), and the step the shared
 * {@link LangevinStep}.
 *
 * <p><b>The step is half of NCSN's epsilon.</b> Song &amp; Ermon write the update
 * {@code x += (alpha_i / 2) s + sqrt(alpha_i) z} with {@code alpha_i = eps sigma_i^2 / sigma_L^2};
 * here it is {@code x += a_i s + sqrt(2 a_i) z}, the same Langevin diffusion with {@code a_i =
 * alpha_i / 2} (as in Song et al. 2021). So {@code step} (or its older name {@code epsilon}, which
 * means exactly the same) is {@code eps / 2}: NCSN's {@code eps = 2e-5} is {@code step: 1e-5} here,
 * and copying {@code eps} into {@code epsilon} runs at twice NCSN's step.
 *
 * <p>One call runs the whole annealing, {@code L T} inner steps, and leaves the particles
 * approximately at the marginal of the last level {@code t_L}: a corrector stage running it must
 * be at that time.
 */
@Component(kind = ComponentKind.CORRECTOR, name = "annealed-langevin",
        doc = "NCSN annealed Langevin: steps-per-level steps x += a_i s + sqrt(2 a_i) z at each level of the grid,"
                + " a_i = step sigma_i^2 / sigma_L^2 (Song & Ermon 2019); step (or epsilon, its older name) is half"
                + " of NCSN's eps. One call runs all levels.")
public final class AnnealedLangevinCorrector implements Corrector {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the step a_L at the last level (level i: step sigma_i^2 / sigma_L^2), in x += a s + sqrt(2a) z;"
                    + " half of NCSN's eps. Give step or epsilon") @Default("0") double step,
            @Doc("the older name of step, the same value (half of NCSN's eps, not NCSN's eps itself);"
                    + " give step or epsilon") @Default("0") double epsilon,
            @Doc("Langevin steps T per level, >= 1") @Default("100") int stepsPerLevel) {
        public Params {
            if (step != 0 && epsilon != 0) {
                throw new IllegalArgumentException("give step or epsilon (its older name, the same value), not both;"
                        + " got step = " + step + ", epsilon = " + epsilon);
            }
            if (step == 0 && epsilon == 0) {
                throw new IllegalArgumentException("give step, the step a_L > 0 at the last level (epsilon is its older"
                        + " name; both are half of NCSN's eps)");
            }
            double a = step != 0 ? step : epsilon;
            if (!(a > 0) || Double.isInfinite(a)) {
                throw new IllegalArgumentException((epsilon != 0 ? "epsilon" : "step")
                        + " must be a finite number > 0, got " + a);
            }
            if (stepsPerLevel < 1) {
                throw new IllegalArgumentException("steps-per-level must be >= 1, got " + stepsPerLevel);
            }
        }

        /** The step {@code a_L} at the last level, given as {@code step} or as {@code epsilon}. */
        public Params(double step, int stepsPerLevel) {
            this(step, 0.0, stepsPerLevel);
        }

        /** The step {@code a_L} at the last level, whichever key gave it. */
        public double lastStep() {
            return step != 0 ? step : epsilon;
        }
    }

    private final LangevinLevels levels;
    private final LangevinStep.TileScore score;

    @Inject
    public AnnealedLangevinCorrector(Params params, TimeGrid grid, NoisingPath path, ScoreProvider score) {
        this.score = LangevinStep.TileScore.of(score);
        double[] times = grid.times();
        for (int i = 0; i < times.length; i++) {
            if (i > 0 && !(times[i] < times[i - 1])) {
                throw new IllegalArgumentException("annealed-langevin anneals from high noise to low: its grid's times must"
                        + " decrease, but time " + i + " (" + times[i] + ") is not below time " + (i - 1) + " ("
                        + times[i - 1] + ")");
            }
            double sigma = path.noiseScale(times[i]);
            if (!(sigma > 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("annealed-langevin needs a noise level > 0 at every level, but the path's"
                        + " noise scale at t = " + times[i] + " is " + sigma + "; end the grid at a positive noise level");
            }
        }
        this.levels = LangevinLevels.onTimes(times, params.stepsPerLevel(), params.lastStep(), StepRule.NOISE_SQUARED,
                path);
    }

    /** The step sizes {@code a_i}, one per level. */
    public double[] stepSizes() {
        return levels.steps();
    }

    @Override
    public void correct(Block block, double t, Noise noise) {
        double end = levels.time(levels.count() - 1);
        if (Math.abs(t - end) > 1e-9 * Math.max(1.0, Math.abs(end))) {
            throw new IllegalArgumentException("annealed-langevin ends at its grid's last time t_L = " + end
                    + " but was asked to correct at t = " + t + "; set the stage's time to " + end);
        }
        int d = block.dimension();
        double[] work = block.workspace(this, LangevinStep.workspace(block.size(), d));
        long total = levels.totalSteps();
        for (int stream = 0; stream < total; stream++) {
            int level = levels.level(stream);
            LangevinStep.step(block, 0, d, levels.time(level), score, levels.step(level), noise, stream, work);
        }
    }
}
