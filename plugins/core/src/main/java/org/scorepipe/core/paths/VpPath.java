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
            if (!(betaMin > 0) || Double.isInfinite(betaMin)) {
                throw new IllegalArgumentException("beta-min must be a finite number > 0, got " + betaMin);
            }
            if (!(betaMax > 0) || Double.isInfinite(betaMax)) {
                throw new IllegalArgumentException("beta-max must be a finite number > 0, got " + betaMax);
            }
        }
    }

    private final double betaMin;
    private final double betaSlope;

    @Inject
    public VpPath(Params params) {
        // A constant schedule (beta-min = beta-max) is a time-rescaled Ornstein-Uhlenbeck path, so it is allowed.
        if (params.betaMax() < params.betaMin()) {
            throw new IllegalArgumentException("beta-max = " + params.betaMax() + " is below beta-min = "
                    + params.betaMin() + "; give beta-min <= beta-max");
        }
        this.betaMin = params.betaMin();
        this.betaSlope = params.betaMax() - params.betaMin();
    }

    /** {@code beta(t)}. */
    public double beta(double t) {
        return betaMin + t * betaSlope;
    }

    /** {@code B(t) = int_0^t beta(s) ds}. */
    private double integratedBeta(double t) {
        return t * (betaMin + 0.5 * t * betaSlope);
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-0.5 * integratedBeta(t));
    }

    @Override
    public double noiseScale(double t) {
        return Math.sqrt(-Math.expm1(-integratedBeta(t)));
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
