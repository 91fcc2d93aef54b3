package org.scorepipe.core.paths;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;

/**
 * The variance-exploding SDE {@code dX = sqrt(d sigma(t)^2 / dt) dB} with the geometric noise
 * scale {@code sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t} (Song et al., "Score-based generative
 * modeling through stochastic differential equations", ICLR 2021; the continuous NCSN of Song &amp;
 * Ermon 2019):
 * <pre>
 *   alpha_t = 1,   sigma_t = sigmaMin (sigmaMax / sigmaMin)^t
 *   f(t)    = 0,   g(t)^2  = d sigma_t^2 / dt = 2 sigma_t^2 ln(sigmaMax / sigmaMin)
 * </pre>
 * The marginal at {@code t} is {@code X_0 + sigma_t Z}, so {@code t = 0} already carries noise of
 * scale {@code sigmaMin}: this path's "time 0" is the data smoothed by {@code N(0, sigmaMin^2 I)}.
 * The SDE adds {@code int_{t0}^{t1} g^2 = sigma_{t1}^2 - sigma_{t0}^2} of variance between two
 * times, which is exactly the transition variance {@link #push} uses, so the marginals and the
 * transitions agree.
 */
@Component(kind = ComponentKind.NOISING_PATH, name = "variance-exploding",
        doc = "Variance-exploding SDE, sigma(t) = sigma-min (sigma-max / sigma-min)^t, alpha = 1 (Song et al. 2021);"
                + " note that t = 0 already carries noise of scale sigma-min.")
public final class VarianceExplodingPath implements NoisingPath {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("sigma(0), > 0") @Default("0.01") double sigmaMin,
            @Doc("sigma(1), > sigma-min") @Default("50") double sigmaMax) {
        public Params {
            if (!(sigmaMin > 0) || Double.isInfinite(sigmaMin)) {
                throw new IllegalArgumentException("sigma-min must be a finite number > 0, got " + sigmaMin);
            }
            if (!(sigmaMax > 0) || Double.isInfinite(sigmaMax)) {
                throw new IllegalArgumentException("sigma-max must be a finite number > 0, got " + sigmaMax);
            }
        }
    }

    private final double sigmaMin;
    private final double logRatio;

    @Inject
    public VarianceExplodingPath(Params params) {
        if (!(params.sigmaMin() < params.sigmaMax())) {
            throw new IllegalArgumentException("sigma-min = " + params.sigmaMin() + " is not below sigma-max = "
                    + params.sigmaMax() + "; give sigma-min < sigma-max");
        }
        this.sigmaMin = params.sigmaMin();
        this.logRatio = Math.log(params.sigmaMax() / params.sigmaMin());
    }

    @Override
    public double meanScale(double t) {
        return 1.0;
    }

    @Override
    public double noiseScale(double t) {
        return sigmaMin * Math.exp(t * logRatio);
    }

    @Override
    public double drift(double t) {
        return 0.0;
    }

    @Override
    public double diffusionSquared(double t) {
        double sigma = noiseScale(t);
        return 2.0 * sigma * sigma * logRatio;
    }
}
