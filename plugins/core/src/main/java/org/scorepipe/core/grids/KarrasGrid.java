package org.scorepipe.core.grids;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.TimeGrid;

/**
 * The noise levels of Karras et al., "Elucidating the design space of diffusion-based generative
 * models" (NeurIPS 2022, eq. 5), {@code N = steps + 1} of them:
 * <pre>
 *   sigma_i = (sigmaMax^{1/rho} + i / (N - 1) (sigmaMin^{1/rho} - sigmaMax^{1/rho}))^rho,   i = 0 .. N - 1
 * </pre>
 * uniform in {@code sigma^{1/rho}}, so with {@code rho = 7} the steps shrink towards
 * {@code sigmaMin}. Returned as the path's times at these levels, as {@link GeometricGrid} does
 * ({@link NoiseLevels}). Karras et al. append a last step to {@code sigma = 0}; here the grid ends
 * at {@code sigmaMin} (time {@code t > 0}, the early stopping of the other grids): add a final
 * denoising step yourself if wanted.
 */
@Component(kind = ComponentKind.TIME_GRID, name = "karras",
        doc = "Karras et al. 2022 noise levels (rho = 7) from sigma-max to sigma-min, returned as the path's times.")
public final class KarrasGrid implements TimeGrid {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the first (largest) noise level, > sigma-min") double sigmaMax,
            @Doc("the last (smallest) noise level, > 0") double sigmaMin,
            @Doc("number of intervals, >= 1 (steps + 1 levels)") int steps,
            @Doc("the exponent rho, > 0") @Default("7") double rho) {
        public Params {
            if (!(sigmaMin > 0) || Double.isInfinite(sigmaMin)) {
                throw new IllegalArgumentException("sigma-min must be a finite number > 0, got " + sigmaMin);
            }
            if (!(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax)) {
                throw new IllegalArgumentException("sigma-max must be a finite number > sigma-min = " + sigmaMin
                        + ", got " + sigmaMax);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (!(rho > 0) || Double.isInfinite(rho)) {
                throw new IllegalArgumentException("rho must be a finite number > 0, got " + rho);
            }
        }
    }

    private final double[] sigmas;
    private final double[] times;

    @Inject
    public KarrasGrid(Params params, NoisingPath path) {
        int steps = params.steps();
        double rho = params.rho();
        double top = Math.pow(params.sigmaMax(), 1.0 / rho);
        double bottom = Math.pow(params.sigmaMin(), 1.0 / rho);
        this.sigmas = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            sigmas[i] = Math.pow(top + (double) i / steps * (bottom - top), rho);
        }
        sigmas[0] = params.sigmaMax();
        sigmas[steps] = params.sigmaMin();
        this.times = NoiseLevels.times(path, sigmas);
    }

    /** The noise levels {@code sigma_0 .. sigma_{N-1}}. */
    public double[] noiseLevels() {
        return sigmas.clone();
    }

    @Override
    public double[] times() {
        return times.clone();
    }
}
