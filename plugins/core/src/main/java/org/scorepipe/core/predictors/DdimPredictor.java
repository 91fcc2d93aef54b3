package org.scorepipe.core.predictors;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.ScoreProvider;

/**
 * DDIM (Song, Meng, Ermon, "Denoising diffusion implicit models", ICLR 2021, eq. 12) on any
 * Gaussian path {@code x_t = alpha_t x0 + sigma_t eps} (DDIM's {@code sqrt(abar_t) = alpha_t},
 * {@code sqrt(1 - abar_t) = sigma_t} on VP paths). With the predicted noise
 * {@code eps = -sigma_t s(x, t)} and data {@code x0 = (x - sigma_t eps) / alpha_t}, one step from
 * {@code t} to {@code t'} is
 * <pre>
 *   x'  =  alpha_t' x0  +  sqrt(sigma_t'^2 - c^2) eps  +  c xi,       xi ~ N(0, I) from stream 0
 *   c   =  eta sigma_t' sqrt(1 - e^{-2h}),   h = lambda_t' - lambda_t,   lambda = log(alpha / sigma)
 * </pre>
 * which is DDIM's {@code sigma_t(eta) = eta sqrt((1 - abar')/(1 - abar)) sqrt(1 - abar/abar')} on
 * VP paths. {@code eta = 0} is the deterministic DDIM, the first-order DPM-Solver++ (an exponential
 * integrator of the probability-flow ODE, first order); {@code eta = 1} is ancestral sampling.
 * Refuses a Student-t path.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "ddim",
        doc = "DDIM (Song, Meng, Ermon 2021, eq. 12) with eta: 0 deterministic, 1 the DDPM posterior.")
public final class DdimPredictor implements Predictor {

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("stochasticity eta in [0, 1]: 0 deterministic DDIM, 1 ancestral (DDPM)")
            @Default("0.0") double eta) {
        public Params {
            if (!(eta >= 0 && eta <= 1)) {
                throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
            }
        }
    }

    private final double eta;
    private final NoisingPath path;
    private final ScoreProvider score;

    @Inject
    public DdimPredictor(Params params, NoisingPath path, ScoreProvider score) {
        ReverseStep.requireGaussian(path, "ddim");
        this.eta = params.eta();
        this.path = path;
        this.score = score;
    }

    @Override
    public void step(Block block, double t, double tNext, Noise noise) {
        ReverseStep.requireBackwards(t, tNext);
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        double alphaNext = path.meanScale(tNext);
        double sigmaNext = path.noiseScale(tNext);
        double h = ReverseStep.logSnr(path, tNext) - ReverseStep.logSnr(path, t);
        double c = eta * sigmaNext * Math.sqrt(-Math.expm1(-2.0 * h));
        double onEps = Math.sqrt(Math.max(0.0, sigmaNext * sigmaNext - c * c));
        // alpha' (x + sigma^2 s) / alpha - onEps sigma s  =  keep x + pull s
        double keep = alphaNext / alpha;
        double pull = keep * sigma * sigma - onEps * sigma;
        int d = block.dimension();
        // [0, n*d): the scores; [n*d, n*d + d): one row's noise.
        double[] work = block.workspace(this, block.size() * d + d);
        score.score(block.data(), block.offset(), block.size(), t, work);
        ReverseStep.affineWithNoise(block, work, keep, pull, c, noise);
    }
}
