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

/**
 * Annealed Langevin dynamics (Song &amp; Ermon, "Generative modeling by estimating gradients of the
 * data distribution", NeurIPS 2019, algorithm 1): for noise levels {@code sigma_1 > ... > sigma_L},
 * {@code T} Langevin steps at each level with the step {@code alpha_i = epsilon sigma_i^2 / sigma_L^2}:
 * <pre>
 *   for i = 1 .. L, for s = 1 .. T:
 *     x  &lt;-  x + alpha_i s(x, t_i) + sqrt(2 alpha_i) z,    z ~ N(0, I) from stream (i - 1) T + (s - 1)
 * </pre>
 * The levels are the times {@code t_1 > ... > t_L} of the corrector's time grid (key {@code grid},
 * typically {@code geometric}, which places {@code t_i} where the path's noise scale is NCSN's
 * {@code sigma_i}), and {@code sigma_i = noiseScale(t_i)}: the score at level {@code i} is the
 * score of the path's marginal at {@code t_i}, which for the variance-exploding path is NCSN's
 * data smoothed by {@code N(0, sigma_i^2 I)}. (Song &amp; Ermon's step is {@code alpha_i / 2} on
 * the score with noise {@code sqrt(alpha_i)}; written here as the same Langevin diffusion with
 * step {@code alpha_i}, as in Song et al. 2021.)
 *
 * <p>One call runs the whole annealing, {@code L T} inner steps, and leaves the particles
 * approximately at the marginal of the last level {@code t_L}: a corrector stage running it must
 * be at that time.
 */
@Component(kind = ComponentKind.CORRECTOR, name = "annealed-langevin",
        doc = "NCSN annealed Langevin: steps-per-level Langevin steps at each level of the grid, step epsilon sigma_i^2 / sigma_L^2"
                + " (Song & Ermon 2019); one call runs all levels.")
public final class AnnealedLangevinCorrector implements Corrector {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the step epsilon at the last level; level i uses epsilon sigma_i^2 / sigma_L^2") double epsilon,
            @Doc("Langevin steps T per level, >= 1") @Default("100") int stepsPerLevel) {
        public Params {
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be a finite number > 0, got " + epsilon);
            }
            if (stepsPerLevel < 1) {
                throw new IllegalArgumentException("steps-per-level must be >= 1, got " + stepsPerLevel);
            }
        }
    }

    private final int stepsPerLevel;
    private final double[] times;
    private final double[] stepSizes;
    private final ScoreProvider score;

    @Inject
    public AnnealedLangevinCorrector(Params params, TimeGrid grid, NoisingPath path, ScoreProvider score) {
        this.stepsPerLevel = params.stepsPerLevel();
        this.score = score;
        this.times = grid.times();
        int levels = times.length;
        double[] sigmas = new double[levels];
        for (int i = 0; i < levels; i++) {
            if (i > 0 && !(times[i] < times[i - 1])) {
                throw new IllegalArgumentException("annealed-langevin anneals from high noise to low: its grid's times must"
                        + " decrease, but time " + i + " (" + times[i] + ") is not below time " + (i - 1) + " ("
                        + times[i - 1] + ")");
            }
            sigmas[i] = path.noiseScale(times[i]);
            if (!(sigmas[i] > 0) || Double.isInfinite(sigmas[i])) {
                throw new IllegalArgumentException("annealed-langevin needs a noise level > 0 at every level, but the path's"
                        + " noise scale at t = " + times[i] + " is " + sigmas[i] + "; end the grid at a positive noise level");
            }
        }
        double last = sigmas[levels - 1];
        this.stepSizes = new double[levels];
        for (int i = 0; i < levels; i++) {
            stepSizes[i] = params.epsilon() * (sigmas[i] / last) * (sigmas[i] / last);
        }
    }

    /** The step sizes {@code alpha_i}, one per level. */
    public double[] stepSizes() {
        return stepSizes.clone();
    }

    @Override
    public void correct(Block block, double t, Noise noise) {
        double end = times[times.length - 1];
        if (Math.abs(t - end) > 1e-9 * Math.max(1.0, Math.abs(end))) {
            throw new IllegalArgumentException("annealed-langevin ends at its grid's last time t_L = " + end
                    + " but was asked to correct at t = " + t + "; set the stage's time to " + end);
        }
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        // [0, n*d): the score of the block's rows; [n*d, n*d + d): one row's noise.
        double[] work = block.workspace(this, cells + d);
        int stream = 0;
        for (int level = 0; level < times.length; level++) {
            double h = stepSizes[level];
            double noiseScale = Math.sqrt(2.0 * h);
            double time = times[level];
            for (int s = 0; s < stepsPerLevel; s++, stream++) {
                score.score(x, offset, n, time, work);
                for (int r = 0; r < n; r++) {
                    noise.normals(block.particleIndex(r), stream, work, cells, d);
                    int o = offset + r * d;
                    int so = r * d;
                    for (int i = 0; i < d; i++) {
                        x[o + i] += h * work[so + i] + noiseScale * work[cells + i];
                    }
                }
            }
        }
    }
}
