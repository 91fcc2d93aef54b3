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
 * Ancestral sampling (Ho, Jain, Abbeel, "Denoising diffusion probabilistic models", NeurIPS 2020;
 * for any Gaussian path as in Song et al. 2021, appendix F): from {@code t} to {@code t' < t} draw
 * from the forward posterior {@code q(x_t' | x_t, x_0)} with {@code x_0} replaced by its Tweedie
 * estimate {@code x0 = (x + sigma_t^2 s(x, t)) / alpha_t}. With the one-step transition
 * {@code x_t = a x_t' + b xi}, {@code a = alpha_t / alpha_t'}, {@code b^2 = sigma_t^2 - a^2 sigma_t'^2}:
 * <pre>
 *   x'  =  (a sigma_t'^2 / sigma_t^2) x  +  (b^2 alpha_t' / sigma_t^2) x0  +  sqrt(b^2 sigma_t'^2 / sigma_t^2) xi
 * </pre>
 * ({@code xi ~ N(0, I)} from stream 0), which for DDPM ({@code a^2 = 1 - beta}, {@code b^2 = beta})
 * is the familiar {@code mu = sqrt(abar') beta / (1 - abar) x0 + sqrt(1 - beta) (1 - abar') / (1 - abar) x}
 * with variance {@code beta (1 - abar') / (1 - abar)}, and for the variance-exploding path the
 * SMLD ancestral step {@code x + (sigma^2 - sigma'^2) s + sqrt(sigma'^2 (sigma^2 - sigma'^2) / sigma^2) xi}.
 * Substituting {@code x0}: {@code x' = keep x + pull s + noise xi} with
 * {@code keep = a sigma'^2 / sigma^2 + b^2 alpha' / (alpha sigma^2)}, {@code pull = b^2 alpha' / alpha}.
 * First order in the step size.
 *
 * <p>With {@code noise: brownian}, {@code xi} is the normalised increment
 * {@code (W(t) - W(t')) / sqrt(t - t')} of the particle's Brownian path in path time
 * ({@link BrownianStepNoise}, k-diffusion's Brownian-tree convention): a grid and its refinement
 * follow one path, so the samples converge as the grid is refined.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "ancestral",
        doc = "DDPM ancestral step: the forward posterior q(x_t' | x_t, x0) at the Tweedie denoised estimate x0.")
public final class AncestralPredictor implements Predictor {
    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("step (the step's own normals) or brownian (the normalised increment of the particle's"
            + " Brownian path over the step, k-diffusion's Brownian-tree convention)") @Default("step")
            NoiseSource noise) {
        public Params {
            if (noise == null) {
                throw new IllegalArgumentException("noise is missing; give step or brownian");
            }
        }
    }

    private final NoiseSource source;
    private final NoisingPath path;
    private final ScoreProvider score;

    /** With the step's own noise. */
    public AncestralPredictor(NoisingPath path, ScoreProvider score) {
        this(new Params(NoiseSource.STEP), path, score);
    }

    @Inject
    public AncestralPredictor(Params params, NoisingPath path, ScoreProvider score) {
        this.source = params.noise();
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("ancestral sampling needs a Gaussian noising path; this path's noise is"
                    + " Student-t with " + path.noiseDegreesOfFreedom() + " degrees of freedom; use base: gaussian");
        }
        this.path = path;
        this.score = score;
    }

    /** Writes the step's coefficients {@code keep, pull, noise} to {@code out[at ..]}: {@code x' = keep x + pull s + noise xi}. */
    void coefficients(double t, double tNext, double[] out, int at) {
        double alpha = path.meanScale(t);
        double alphaNext = path.meanScale(tNext);
        double sigma = path.noiseScale(t);
        double sigmaNext = path.noiseScale(tNext);
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("ancestral sampling needs noise at the step's start, but sigma(" + t
                    + ") = " + sigma);
        }
        double a = alpha / alphaNext;
        double b2 = Math.max(0.0, sigma * sigma - a * a * sigmaNext * sigmaNext);
        double s2 = sigma * sigma;
        double keep = a * sigmaNext * sigmaNext / s2 + b2 * alphaNext / (alpha * s2);
        double pull = b2 * alphaNext / alpha;
        double noiseScale = Math.sqrt(b2 * sigmaNext * sigmaNext / s2);
        out[at] = keep;
        out[at + 1] = pull;
        out[at + 2] = noiseScale;
    }

    @Override
    public void step(Block block, double t, double tNext, Noise given) {
        Noise noise = BrownianStepNoise.of(source, given, t, tNext);
        ReverseStep.requireBackwards(t, tNext);
        int d = block.dimension();
        int cells = block.size() * d;
        // [0, n*d): the scores; [n*d, n*d + d): one row's noise; then the three coefficients.
        double[] work = block.workspace(this, cells + d + 3);
        score.score(block.data(), block.offset(), block.size(), t, work);
        coefficients(t, tNext, work, cells + d);
        ReverseStep.affineWithNoise(block, work, work[cells + d], work[cells + d + 1], work[cells + d + 2], noise);
    }
}
