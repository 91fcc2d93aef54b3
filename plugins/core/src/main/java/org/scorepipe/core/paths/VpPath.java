package org.scorepipe.core.paths;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;

/**
 * The variance-preserving SDE {@code dX = -beta(t) X / 2 dt + sqrt(beta(t)) dB} with the linear
 * schedule {@code beta(t) = betaMin + t (betaMax - betaMin)} (Song et al., "Score-based generative
 * modeling through stochastic differential equations", ICLR 2021; the continuous DDPM):
 * <pre>
 *   B(t)    = int_0^t beta = betaMin t + (betaMax - betaMin) t^2 / 2
 *   alpha_t = exp(-B(t) / 2),   sigma_t = sqrt(1 - alpha_t^2) = sqrt(-expm1(-B(t)))
 *   f(t)    = -beta(t) / 2,     g(t)^2  = beta(t)
 * </pre>
 */
@Component(kind = ComponentKind.NOISING_PATH, name = "vp",
        doc = "Variance-preserving SDE with linear beta(t) = beta-min + t (beta-max - beta-min) (Song et al. 2021).")
public final class VpPath implements NoisingPath {

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
    public VpPath(Params params) {
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
        return Math.sqrt(-Math.expm1(-schedule.integral(t)));
    }

    @Override
    public double drift(double t) {
        return -0.5 * beta(t);
    }

    @Override
    public double diffusionSquared(double t) {
        return beta(t);
    }
}
