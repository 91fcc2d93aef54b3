package org.scorepipe.core.kernels;

import java.util.Arrays;
import java.util.Optional;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.TimeGrid;

/**
 * The levels of annealed Langevin dynamics: the times {@code t_1 .. t_L} it visits, each for
 * {@code T} steps, and the step size {@code h_l} of each ({@link StepRule}), the one place where the
 * NCSN schedule is written. With {@code sigma_l = noiseScale(t_l)} the path's noise scale at the
 * level's time and the rule {@code noise-squared}:
 * <pre>
 *   h_l  =  step sigma_l^2 / sigma_L^2            (computed as step (sigma_l sigma_l) / (sigma_L sigma_L))
 * </pre>
 * for the update {@code x += h_l s + sqrt(2 h_l) xi} ({@link LangevinStep}). NCSN (Song &amp; Ermon
 * 2019, algorithm 1) writes the same dynamics as {@code x += (alpha_i / 2) s + sqrt(alpha_i) z} with
 * {@code alpha_i = eps sigma_i^2 / sigma_L^2}, so {@code h_l = alpha_l / 2} and {@code step} is
 * <b>half</b> of NCSN's {@code eps}. Used by the {@code anneal} and {@code chained-langevin} stages
 * and the {@code annealed-langevin} corrector, so all three compute the same {@code h_l} to the last
 * bit; the geometric {@code sigma_l} themselves are the {@code geometric} grid's.
 */
public final class LangevinLevels {
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
    public static void requireValid(int levels, int stepsPerLevel, double step) {
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
    public static LangevinLevels of(Optional<TimeGrid> grid, int levels, double from, double to, int stepsPerLevel,
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
        return onTimes(times, stepsPerLevel, step, rule, path);
    }

    /** The levels at {@code times}, {@code t_1} first, with {@code stepsPerLevel} steps each and the step sizes of {@code rule}. */
    public static LangevinLevels onTimes(double[] times, int stepsPerLevel, double step, StepRule rule,
            NoisingPath path) {
        requireValid(0, stepsPerLevel, step);
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
    public long totalSteps() {
        return (long) times.length * stepsPerLevel;
    }

    /** The level of step {@code k} of one pass over the levels, {@code 0 <= k < totalSteps()}. */
    public int level(long k) {
        return (int) (k / stepsPerLevel);
    }

    public double time(int level) {
        return times[level];
    }

    /** The number of levels {@code L}. */
    public int count() {
        return times.length;
    }

    /** The step size {@code h_l} of {@code level}. */
    public double step(int level) {
        return steps[level];
    }

    /** The levels' times {@code t_l}. */
    public double[] times() {
        return times.clone();
    }

    /** The levels' step sizes {@code h_l}. */
    public double[] steps() {
        return steps.clone();
    }

    @Override
    public String toString() {
        return "levels at " + Arrays.toString(times) + " with steps " + Arrays.toString(steps);
    }
}
