package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.Stage;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.core.kernels.LangevinLevels;
import org.scorepipe.core.kernels.LangevinStep;
import org.scorepipe.core.kernels.StepRule;

/**
 * Langevin dynamics along a path: {@code L} levels at times {@code t_1, ..., t_L} (from a grid, or
 * {@code levels} times uniform from {@code from} to {@code to}), {@code T} steps at each, every one
 * <pre>
 *   x  &lt;-  x + h_l s(x, t_l) + sqrt(2 h_l) xi,     xi ~ N(0, I) from stream 0 of the step's noise
 * </pre>
 * with {@code h_l} from the {@link StepRule} ({@link LangevinLevels}; the step is the shared
 * {@link LangevinStep}). Step {@code k} is step {@code k mod T} of level
 * {@code floor(k / T)}; {@code L T} steps in all.
 *
 * <ul>
 *   <li>With one step per level and the interpolation path {@code X_t = sqrt(lambda_t) X +
 *       sqrt(1 - lambda_t) Z} this is diffusion-annealed Langevin Monte Carlo, Cordero-Encinar,
 *       Akyildiz, Duncan, "Non-asymptotic analysis of diffusion annealed Langevin Monte Carlo for
 *       generative modelling" (arXiv 2502.09306): {@code x_{l+1} = x_l + h_l s(x_l, t_l) +
 *       sqrt(2 h_l) xi_l}.</li>
 *   <li>With {@code T} steps per level, the variance-exploding path and {@code step-rule:
 *       noise-squared} it is annealed Langevin dynamics of NCSN, Song &amp; Ermon, "Generative
 *       modeling by estimating gradients of the data distribution" (NeurIPS 2019).</li>
 * </ul>
 * The particles are at the time of the level of the last step taken.
 */
@Component(kind = ComponentKind.STAGE, name = "anneal",
        doc = "Annealed Langevin along the path: T steps x += h_l s(x, t_l) + sqrt(2 h_l) xi at each level t_l"
                + " (diffusion-annealed LMC, arXiv 2502.09306; annealed LD of NCSN).")
public final class AnnealStage implements Stage {

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("number of levels L, times uniform from 'from' to 'to'; 0 when a grid gives the times")
            @Default("0") int levels,
            @Doc("time of the first level (without a grid)") @Default("1.0") double from,
            @Doc("time of the last level (without a grid)") @Default("0.0") double to,
            @Doc("Langevin steps T at each level, >= 1") @Default("1") int stepsPerLevel,
            @Doc("base step size h > 0 of x += h s + sqrt(2h) xi; with noise-squared, half of NCSN's epsilon") double step,
            @Doc("constant (h_l = step) or noise-squared (h_l = step sigma_l^2 / sigma_L^2, NCSN)")
            @Default("constant") StepRule stepRule) {
        public Params {
            requireNonNull(stepRule, "step-rule is null");
            LangevinLevels.requireValid(levels, stepsPerLevel, step);
        }
    }

    private final LangevinLevels levels;
    private final LangevinStep.TileScore score;

    @Inject
    public AnnealStage(Params params, Optional<TimeGrid> grid, ScoreProvider score, NoisingPath path) {
        this.score = LangevinStep.TileScore.of(requireNonNull(score, "score is null"));
        this.levels = LangevinLevels.of(requireNonNull(grid, "grid is null"), params.levels(), params.from(),
                params.to(), params.stepsPerLevel(), params.step(), params.stepRule(), requireNonNull(path, "path is null"));
    }

    /** The levels' times {@code t_l}. */
    public double[] times() {
        return levels.times();
    }

    /** The levels' step sizes {@code h_l}. */
    public double[] stepSizes() {
        return levels.steps();
    }

    @Override
    public long steps() {
        return levels.totalSteps();
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k < 0 || k >= steps()) {
            throw new IllegalArgumentException("step " + k + " outside [0, " + steps() + ")");
        }
        int level = levels.level(k);
        int d = block.dimension();
        double[] work = block.workspace(this, LangevinStep.workspace(block.size(), d));
        LangevinStep.step(block, 0, d, levels.time(level), score, levels.step(level), noise, 0, work);
    }

    /** {@code start} before any step, then the time of the level of step {@code k - 1}. */
    @Override
    public double time(long k, double start) {
        return k == 0 ? start : levels.time(levels.level(k - 1));
    }
}
