package org.scorepipe.core.paths;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.NoisingPath;

/**
 * The Ornstein-Uhlenbeck process {@code dX = -X dt + sqrt(2) dB}, whose stationary law is
 * {@code N(0, I)}: {@code X_t = e^{-t} X_0 + sqrt(1 - e^{-2t}) Z}, so {@code alpha_t = e^{-t}},
 * {@code sigma_t = sqrt(1 - e^{-2t})} (computed as {@code sqrt(-expm1(-2t))}, exact for small
 * {@code t}), {@code f = -1}, {@code g^2 = 2}. The forward process of Chen et al., "Sampling is
 * as easy as learning the score" (2023), and of Benton et al., "Nearly d-linear convergence
 * bounds for diffusion models" (arXiv 2308.03686).
 */
@Component(kind = ComponentKind.NOISING_PATH, name = "ornstein-uhlenbeck",
        doc = "Ornstein-Uhlenbeck process dX = -X dt + sqrt(2) dB: alpha = exp(-t), sigma = sqrt(1 - exp(-2t)).")
public final class OrnsteinUhlenbeckPath implements NoisingPath {

    /** No parameters. */
    public record Params() {
    }

    @Inject
    public OrnsteinUhlenbeckPath(Params params) {
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-t);
    }

    @Override
    public double noiseScale(double t) {
        return Math.sqrt(-Math.expm1(-2.0 * t));
    }

    @Override
    public double drift(double t) {
        return -1.0;
    }

    @Override
    public double diffusionSquared(double t) {
        return 2.0;
    }
}
