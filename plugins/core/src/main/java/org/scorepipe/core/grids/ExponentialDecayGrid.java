package org.scorepipe.core.grids;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Doc;
import org.scorepipe.api.TimeGrid;

/**
 * The time grid of Benton, De Bortoli, Doucet, Deligiannidis, "Nearly d-linear convergence bounds
 * for diffusion models via stochastic localization" (arXiv 2308.03686) for the reverse OU/VP
 * process started at {@code T} and stopped early at {@code delta}: of the {@code N} steps, the
 * first {@code M = N/2} are uniform in reverse time {@code s in [0, T - 1]}, the other {@code M}
 * exponentially spaced on {@code s in [T - 1, T - delta]}, i.e. geometric in the diffusion time
 * {@code t = T - s} from 1 down to {@code delta}. Returned as diffusion times, decreasing:
 * <pre>
 *   t_k = T - k (T - 1) / M              k = 0 .. M        (t_0 = T, t_M = 1)
 *   t_k = delta^{(k - M) / M}            k = M .. 2M = N   (t_N = delta)
 * </pre>
 * so the first half has the constant spacing {@code (T - 1) / M} and the second the constant
 * ratio {@code t_{k+1} / t_k = delta^{1/M}}; both ends are exact.
 */
@Component(kind = ComponentKind.TIME_GRID, name = "exponential-decay",
        doc = "Half the steps uniform from T down to 1, half geometric from 1 down to delta (arXiv 2308.03686).")
public final class ExponentialDecayGrid implements TimeGrid {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("T, the time the reverse process starts at, > 1") double horizon,
            @Doc("the early-stopping time delta, in (0, 1)") double delta,
            @Doc("number of intervals N, even and >= 2") int steps) {
        public Params {
            if (!(horizon > 1) || Double.isInfinite(horizon)) {
                throw new IllegalArgumentException("horizon must be a finite number > 1, got " + horizon);
            }
            if (!(delta > 0 && delta < 1)) {
                throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
            }
            if (steps < 2 || steps % 2 != 0) {
                throw new IllegalArgumentException("steps must be even and >= 2 (half uniform, half exponential), got "
                        + steps);
            }
        }
    }

    private final Params params;

    @Inject
    public ExponentialDecayGrid(Params params) {
        this.params = params;
    }

    @Override
    public double[] times() {
        int half = params.steps() / 2;
        double horizon = params.horizon();
        double logDelta = Math.log(params.delta());
        double[] times = new double[2 * half + 1];
        for (int k = 0; k < half; k++) {
            times[k] = horizon - (horizon - 1.0) * k / half;
        }
        times[half] = 1.0;
        for (int j = 1; j < half; j++) {
            times[half + j] = Math.exp(logDelta * j / half);
        }
        times[2 * half] = params.delta();
        return times;
    }
}
