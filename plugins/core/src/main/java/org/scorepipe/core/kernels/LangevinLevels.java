package org.scorepipe.core.stages;

import java.util.Arrays;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.TimeGrid;

/**
 * The levels of an annealed Langevin stage: the times {@code t_1 .. t_L} it visits, each for
 * {@code T} steps, and the step size {@code h_l} of each ({@link StepRule}). Shared by the anneal
 * and chained-langevin stages, so both compute the same {@code h_l} to the last bit.
 */
final class LangevinLevels {
    private final double[] times;
    private final double[] steps;
    private final int stepsPerLevel;

    private LangevinLevels(double[] times, double[] steps, int stepsPerLevel) {
        this.times = times;
        this.steps = steps;
        this.stepsPerLevel = stepsPerLevel;
    }

    /**
     * Checks the parameters both stages take alike, where their {@code Params} are bound, so a bad
     * value is reported under its config key: {@code levels >= 0} (0 when a grid gives the times),
     * {@code steps-per-level >= 1}, {@code step} finite and {@code > 0}.
     */
    static void requireValid(int levels, int stepsPerLevel, double step) {
        if (levels < 0) {
            throw new IllegalArgumentException("levels must be >= 0, got " + levels);
        }
        if (stepsPerLevel < 1) {
            throw new IllegalArgumentException("steps-per-level must be >= 1, got " + stepsPerLevel);
        }
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("step must be a finite number > 0, got " + step);
        }
    }

    /**
     * The levels' times from the grid when there is one ({@code levels} must then be 0), else
     * {@code levels} times uniform from {@code from} to {@code to}, both included.
     */
    static LangevinLevels of(Optional<TimeGrid> grid, int levels, double from, double to, int stepsPerLevel,
            double step, StepRule rule, NoisingPath path) {
        requireValid(levels, stepsPerLevel, step);
        double[] times;
        if (grid.isPresent()) {
            if (levels != 0) {
                throw new IllegalArgumentException("give either a grid or levels (with from and to), not both; got a grid"
                        + " and levels = " + levels);
            }
            times = grid.get().times();
        } else {
            if (levels < 1) {
                throw new IllegalArgumentException("give the levels' times: a grid (grid: {type: uniform, ...}) or"
                        + " levels >= 1 with from and to; got levels = " + levels);
            }
            if (!Double.isFinite(from) || !Double.isFinite(to)) {
                throw new IllegalArgumentException("from and to must be finite, got from = " + from + ", to = " + to);
            }
            times = new double[levels];
            for (int l = 0; l < levels; l++) {
                times[l] = levels == 1 ? to : from + (to - from) * l / (levels - 1);
            }
            times[levels - 1] = to;
        }
        if (times.length == 0) {
            throw new IllegalArgumentException("the grid has no times");
        }
        int count = times.length;
        double[] sigmas = new double[count];
        for (int l = 0; l < count; l++) {
            if (!Double.isFinite(times[l])) {
                throw new IllegalArgumentException("level " + l + " has a non-finite time " + times[l]);
            }
            sigmas[l] = path.noiseScale(times[l]);
        }
        double[] h = new double[count];
        double last = sigmas[count - 1];
        if (rule == StepRule.NOISE_SQUARED && !(last > 0)) {
            throw new IllegalArgumentException("step-rule noise-squared scales by sigma_l^2 / sigma_L^2, but the path's"
                    + " noise at the last level (t = " + times[count - 1] + ") is " + last
                    + "; end at a time with noise or use step-rule: constant");
        }
        for (int l = 0; l < count; l++) {
            h[l] = rule == StepRule.CONSTANT ? step : step * (sigmas[l] * sigmas[l]) / (last * last);
            if (!(h[l] > 0) || Double.isInfinite(h[l])) {
                throw new IllegalArgumentException("level " + l + " (t = " + times[l] + ") has step size " + h[l]
                        + "; check step and the path's noise scale there");
            }
        }
        return new LangevinLevels(times, h, stepsPerLevel);
    }

    /** Total steps over every level. */
    long totalSteps() {
        return (long) times.length * stepsPerLevel;
    }

    /** The level of step {@code k} of one pass over the levels, {@code 0 <= k < totalSteps()}. */
    int level(long k) {
        return (int) (k / stepsPerLevel);
    }

    double time(int level) {
        return times[level];
    }

    /**
     * One Langevin step at {@code level} on the coordinates {@code [from, from + width)} of every row
     * of the block: {@code y += h_l s + sqrt(2 h_l) xi}, with the scores {@code s} of those coordinates
     * in {@code work[0, n*width)} and {@code xi ~ N(0, I)} drawn from stream 0 of the row's particle
     * into {@code work[n*width, n*width + width)}.
     */
    void update(int level, Block block, int from, int width, double[] work, Noise noise) {
        double h = steps[level];
        double noiseScale = Math.sqrt(2.0 * h);
        int d = block.dimension();
        int n = block.size();
        int cells = n * width;
        double[] x = block.data();
        int offset = block.offset();
        for (int r = 0; r < n; r++) {
            noise.normals(block.particleIndex(r), 0, work, cells, width);
            int o = offset + r * d + from;
            int so = r * width;
            for (int i = 0; i < width; i++) {
                x[o + i] += h * work[so + i] + noiseScale * work[cells + i];
            }
        }
    }

    double[] times() {
        return times.clone();
    }

    double[] steps() {
        return steps.clone();
    }

    @Override
    public String toString() {
        return "levels at " + Arrays.toString(times) + " with steps " + Arrays.toString(steps);
    }
}
