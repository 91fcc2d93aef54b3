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
 * The exponential integrator for the reverse-time SDE {@code dX = [f X - g^2 s] dt + g dB~}: the
 * linear drift is integrated exactly and the score is frozen at the step's start,
 * {@code s = s(x, t)} (Zhang &amp; Chen, "Fast sampling of diffusion models with exponential
 * integrator", ICLR 2023; the scheme analysed by Benton et al., arXiv 2308.03686). For the
 * Ornstein-Uhlenbeck path ({@code f = -1}, {@code g^2 = 2}) one step from {@code t} to
 * {@code t' = t - h} is
 * <pre>
 *   x'  =  e^h x + 2 (e^h - 1) s + sqrt(e^{2h} - 1) xi,    xi ~ N(0, I) from stream 0
 * </pre>
 * For any linear path, with {@code alpha = alpha_t}, {@code alpha' = alpha_t'}, the frozen-score
 * SDE solves in closed form (its propagator from {@code r} to {@code t'} is {@code alpha' / alpha_r}):
 * <pre>
 *   x'  =  (alpha' / alpha) x  +  alpha' I s  +  sqrt(alpha'^2 (rho_t - rho_t')) xi,
 *   I   =  int_{t'}^{t} g(r)^2 / alpha_r dr,     rho_r = sigma_r^2 / alpha_r^2
 * </pre>
 * using {@code g^2 / alpha^2 = d rho / dr} (from {@code g^2 = d sigma^2/dr - 2 f sigma^2},
 * {@code f = d log alpha / dr}), so the noise variance is
 * {@code (alpha' / alpha)^2 sigma_t^2 - sigma_t'^2}. For a variance-preserving path
 * ({@code alpha^2 + sigma^2 = 1}: OU, VP, the Gaussian interpolation path)
 * {@code alpha dRho = 2 d(1 / alpha)}, so {@code alpha' I = 2 (alpha' / alpha - 1)} exactly (the
 * OU form above); for other paths {@code I} is integrated by 8-point Gauss-Legendre quadrature,
 * once per step. The score is frozen, so the scheme is first order in the step size.
 *
 * <p>With {@code noise: brownian}, {@code xi} is the normalised increment
 * {@code (W(t) - W(t')) / sqrt(t - t')} of the particle's Brownian path in path time
 * ({@link BrownianStepNoise}, k-diffusion's Brownian-tree convention): a grid and its refinement
 * follow one path, so the samples converge as the grid is refined.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "exponential-integrator",
        doc = "Reverse SDE with the linear drift integrated exactly and the score frozen over the step"
                + " (OU: x' = e^h x + 2(e^h - 1) s + sqrt(e^{2h} - 1) xi).")
public final class ExponentialIntegratorPredictor implements Predictor {
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
    /** Gauss-Legendre nodes on [-1, 1] (positive half) and weights, 8 points. */
    private static final double[] NODES = {0.1834346424956498, 0.5255324099163290, 0.7966664774136267,
        0.9602898564975363};
    private static final double[] WEIGHTS = {0.3626837833783620, 0.3137066458778873, 0.2223810344533745,
        0.1012285362903763};

    private final NoisingPath path;
    private final ScoreProvider score;

    /** With the step's own noise. */
    public ExponentialIntegratorPredictor(NoisingPath path, ScoreProvider score) {
        this(new Params(NoiseSource.STEP), path, score);
    }

    @Inject
    public ExponentialIntegratorPredictor(Params params, NoisingPath path, ScoreProvider score) {
        this.source = params.noise();
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("the exponential integrator needs a Gaussian noising path (the reverse SDE);"
                    + " this path's noise is Student-t with " + path.noiseDegreesOfFreedom()
                    + " degrees of freedom; use base: gaussian or an anneal stage");
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
        double keep = alphaNext / alpha;
        double pull;
        if (Math.abs(alpha * alpha + sigma * sigma - 1.0) < 1e-12
                && Math.abs(alphaNext * alphaNext + sigmaNext * sigmaNext - 1.0) < 1e-12) {
            pull = 2.0 * (keep - 1.0);
        } else {
            double mid = 0.5 * (t + tNext);
            double half = 0.5 * (t - tNext);
            double integral = 0.0;
            for (int i = 0; i < NODES.length; i++) {
                double left = mid - half * NODES[i];
                double right = mid + half * NODES[i];
                integral += WEIGHTS[i] * (path.diffusionSquared(left) / path.meanScale(left)
                        + path.diffusionSquared(right) / path.meanScale(right));
            }
            pull = alphaNext * half * integral;
        }
        double variance = keep * keep * sigma * sigma - sigmaNext * sigmaNext;
        out[at] = keep;
        out[at + 1] = pull;
        out[at + 2] = Math.sqrt(Math.max(0.0, variance));
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
