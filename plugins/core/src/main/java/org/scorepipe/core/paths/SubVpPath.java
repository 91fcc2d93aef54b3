package org.scorepipe.core.paths;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;

/**
 * The sub-variance-preserving SDE {@code dX = -beta(t) X / 2 dt + sqrt(beta(t) (1 - e^{-2 B(t)})) dB}
 * of Song et al., "Score-based generative modeling through stochastic differential equations"
 * (ICLR 2021, eq. 29), with the VP path's linear {@code beta(t) = betaMin + t (betaMax - betaMin)}:
 * <pre>
 *   B(t)    = int_0^t beta = betaMin t + (betaMax - betaMin) t^2 / 2
 *   alpha_t = exp(-B(t) / 2)                    (as the VP path)
 *   sigma_t = 1 - alpha_t^2 = -expm1(-B(t))     (sigma_t^2 = (1 - e^{-B})^2, below the VP's 1 - e^{-B})
 *   f(t)    = -beta(t) / 2,   g(t)^2 = beta(t) (1 - e^{-2 B(t)}) = -beta(t) expm1(-2 B(t))
 * </pre>
 * Its variance never exceeds the VP's at the same time; the transition between two times is the
 * Gaussian one of {@link NoisingPath#push}, consistent with the SDE because
 * {@code d sigma^2 / dt = 2 f sigma^2 + g^2}.
 */
@Component(kind = ComponentKind.NOISING_PATH, name = "sub-vp",
        doc = "Sub-VP SDE (Song et al. 2021): alpha as the VP path, sigma = 1 - alpha^2, g^2 = beta (1 - exp(-2B)).")
public final class SubVpPath implements NoisingPath {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("beta(0), > 0") @Default("0.1") double betaMin,
            @Doc("beta(1), >= beta-min") @Default("20") double betaMax) {
        public Params {
            LinearBeta.requireRate("beta-min", betaMin);
            LinearBeta.requireRate("beta-max", betaMax);
        }
    }

    private final LinearBeta schedule;

    @Inject
    public SubVpPath(Params params) {
        this.schedule = LinearBeta.between(params.betaMin(), params.betaMax());
    }

    /** {@code beta(t)}. */
    public double beta(double t) {
        return schedule.at(t);
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-0.5 * schedule.integral(t));
    }

    @Override
    public double noiseScale(double t) {
        return -Math.expm1(-schedule.integral(t));
    }

    @Override
    public double drift(double t) {
        return -0.5 * beta(t);
    }

    @Override
    public double diffusionSquared(double t) {
        return -beta(t) * Math.expm1(-2.0 * schedule.integral(t));
    }
}
