package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Stage;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.core.kernels.LangevinLevels;
import org.scorepipe.core.kernels.LangevinStep;
import org.scorepipe.core.kernels.StepRule;

/**
 * Chained Langevin dynamics, Cheng, Fu, Farnia, "On the mode-seeking properties of Langevin
 * dynamics" (arXiv 2406.02017): the {@code d} coordinates are split into {@code P = d / Q}
 * patches {@code [pQ, (p+1)Q)}, sampled in order, each by annealed Langevin dynamics from its
 * conditional given the patches already sampled. With {@code s_p(y | x_{<pQ}, t)} the score of
 * the patch noised by the path given the clean prefix (a {@link ConditionalScore}, the
 * {@code conditional} key or the pipeline's one), patch {@code p} runs {@code L} levels of
 * {@code T} steps each:
 * <pre>
 *   y  &lt;-  y + h_l s_p(y | x_{&lt;pQ}, t_l) + sqrt(2 h_l) xi,    xi ~ N(0, I_Q) from stream 0
 * </pre>
 * with the levels and {@code h_l} as in the {@link AnnealStage} (the default
 * {@code step-rule: noise-squared} with a variance-exploding path and a uniform grid is the NCSN
 * schedule: geometric {@code sigma_1 > ... > sigma_L}, {@code alpha_i = 2 h_i = eps sigma_i^2 /
 * sigma_L^2}, {@link LangevinLevels}; the step is the shared {@link LangevinStep}). Step {@code k}
 * is step {@code k mod T} of level {@code floor(k / T) mod L} of patch {@code floor(k / (L T))};
 * {@code P L T} steps in all. The coordinates after the current patch are left as they are until
 * their turn, and each patch starts from its current values.
 * With {@code Q = d} it is exactly the anneal stage.
 *
 * <p>What the conditional score takes from the clean prefix (a recurrent network's hidden state, a
 * mixture's reweighting by the prefix: {@link ConditionalScore#prefix}) is computed once per
 * particle and patch, when a block first steps in the patch, and kept in the block's workspace
 * for the patch's {@code L T} steps: the prefix does not move while its patch is sampled. A block
 * lives for one segment of this stage, so a resumed run computes it again, to the same bits.
 *
 * <p>Sampling a {@code Q}-dimensional conditional at a time avoids the mode-seeking of vanilla and
 * annealed Langevin dynamics in high dimension, whose escape time from a mode grows
 * exponentially with {@code d}.
 */
@Component(kind = ComponentKind.STAGE, name = "chained-langevin",
        doc = "Chained Langevin dynamics: patches of size Q sampled in order, each by annealed Langevin from its"
                + " conditional given the earlier patches (needs a conditional score, e.g. analytic).")
public final class ChainedLangevinStage implements Stage {

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("patch size Q, dividing the dimension d") int patch,
            @Doc("number of levels L, times uniform from 'from' to 'to'; 0 when a grid gives the times")
            @Default("0") int levels,
            @Doc("time of the first level (without a grid)") @Default("1.0") double from,
            @Doc("time of the last level (without a grid)") @Default("0.0") double to,
            @Doc("Langevin steps T at each level of each patch, >= 1") @Default("1") int stepsPerLevel,
            @Doc("base step size h > 0 (NCSN's epsilon is 2 h)") double step,
            @Doc("constant (h_l = step) or noise-squared (h_l = step sigma_l^2 / sigma_L^2, NCSN)")
            @Default("noise-squared") StepRule stepRule) {
        public Params {
            requireNonNull(stepRule, "step-rule is null");
            if (patch < 1) {
                throw new IllegalArgumentException("patch must be >= 1, got " + patch);
            }
            LangevinLevels.requireValid(levels, stepsPerLevel, step);
        }
    }

    private final LangevinLevels levels;
    private final ConditionalScore score;
    /** Owner of a block's prefix states, {@link ConditionalScore#stateWidth} doubles per row. */
    private final Object prefixStates = new Object();
    /** Owner of the one-double workspace that says which patch's prefix states a block holds ({@code from + 1}; 0: none). */
    private final Object heldPatch = new Object();
    private final int patch;
    private final int patches;
    private final long stepsPerPatch;

    @Inject
    public ChainedLangevinStage(Params params, PipelineSpec pipeline, Optional<TimeGrid> grid, ConditionalScore score,
            NoisingPath path) {
        requireNonNull(score, "score is null");
        int d = pipeline.dimension();
        this.patch = params.patch();
        if (d % patch != 0) {
            throw new IllegalArgumentException("patch size " + patch + " does not divide d = " + d
                    + "; choose a divisor of " + d + " (e.g. " + largestDivisorAtMost(d, patch) + ")");
        }
        score.checkPatches(d, patch);
        this.score = score;
        this.patches = d / patch;
        this.levels = LangevinLevels.of(requireNonNull(grid, "grid is null"), params.levels(), params.from(),
                params.to(), params.stepsPerLevel(), params.step(), params.stepRule(), requireNonNull(path, "path is null"));
        this.stepsPerPatch = levels.totalSteps();
    }

    private static int largestDivisorAtMost(int d, int q) {
        for (int c = Math.min(q, d); c > 1; c--) {
            if (d % c == 0) {
                return c;
            }
        }
        return 1;
    }

    @Override
    public long steps() {
        return patches * stepsPerPatch;
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k < 0 || k >= steps()) {
            throw new IllegalArgumentException("step " + k + " outside [0, " + steps() + ")");
        }
        int from = (int) (k / stepsPerPatch) * patch;
        int to = from + patch;
        int level = levels.level(k % stepsPerPatch);
        int width = score.stateWidth(from, to);
        double[] states = block.workspace(prefixStates, block.size() * width);
        double[] held = block.workspace(heldPatch, 1);
        if (held[0] != from + 1) {
            score.prefix(block.data(), block.offset(), block.size(), from, to, states, 0);
            held[0] = from + 1;
        }
        int d = block.dimension();
        int first = block.offset();
        // A tile's rows start at x[offset]: their states at the same rows of the block's.
        LangevinStep.TileScore tile = (x, offset, rows, f, t, time, out) ->
                score.score(x, offset, rows, f, t, time, states, (offset - first) / d * width, out);
        double[] work = block.workspace(this, LangevinStep.workspace(block.size(), patch));
        LangevinStep.step(block, from, patch, levels.time(level), tile, levels.step(level), noise, 0, work);
    }

    /** {@code start} before any step, then the time of the level of step {@code k - 1}. */
    @Override
    public double time(long k, double start) {
        return k == 0 ? start : levels.time(levels.level((k - 1) % stepsPerPatch));
    }
}
