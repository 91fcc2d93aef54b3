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
import org.scorepipe.api.RowMemory;
import org.scorepipe.api.ScoreProvider;

/**
 * DPM-Solver++(2M) SDE, as k-diffusion ships it ({@code sample_dpmpp_2m_sde}, midpoint form;
 * Crowson, after the SDE-DPM-Solver++ of Lu et al., "DPM-Solver++", 2022, section 5), written for
 * a general Gaussian path through {@code alpha_t}, {@code sigma_t} and
 * {@code lambda_t = log(alpha_t / sigma_t)}. From {@code t} to {@code t'},
 * {@code h = lambda_t' - lambda_t}, {@code x0 = (x + sigma_t^2 s(x, t)) / alpha_t}:
 * <pre>
 *   x'  =  (sigma_t' / sigma_t) e^{-eta h} x  +  alpha_t' (1 - e^{-(1 + eta) h}) D
 *          +  sigma_t' sqrt(1 - e^{-2 eta h}) xi,                       xi ~ N(0, I) from stream 0
 *   D   =  x0 + (h / (2 h_last)) (x0 - x0_last)     (x0 on the first step)
 * </pre>
 * with {@code x0_last}, {@code h_last} those of the particle's previous step, kept as described in
 * {@link DenoisedHistory} (one score evaluation per step; a row per particle that lives with the particles, so resume is exact on every runner).
 * {@code eta = 0} is DPM-Solver++(2M) itself; {@code eta = 1} on the first step is ancestral
 * sampling (the DDPM posterior). Refuses a Student-t path. With {@code noise: brownian},
 * {@code xi} is the normalised increment {@code (W(t) - W(t')) / sqrt(t - t')} of the particle's
 * Brownian path in path time ({@link BrownianStepNoise}), as k-diffusion's Brownian-tree noise
 * sampler gives it: a grid and its refinement then follow one path, and the samples converge as
 * the grid is refined.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "dpm-solver++-sde",
        doc = "DPM-Solver++(2M) SDE as k-diffusion ships it: multistep second-order data prediction with eta-scaled"
                + " fresh noise.")
public final class DpmSolverSdePredictor implements Predictor, RowMemory {

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("stochasticity eta >= 0: 0 is the ODE solver DPM-Solver++(2M), 1 (k-diffusion's default)"
            + " the SDE's own noise") @Default("1.0") double eta,
            @Doc("step (the step's own normals) or brownian (the normalised increment of the particle's Brownian path over"
                    + " the step, as k-diffusion's Brownian-tree noise sampler)") @Default("step")
            NoiseSource noise) {
        /** The step's own noise. */
        public Params(double eta) {
            this(eta, NoiseSource.STEP);
        }

        public Params {
            if (noise == null) {
                throw new IllegalArgumentException("noise is missing; give step or brownian");
            }
            if (!(eta >= 0) || Double.isInfinite(eta)) {
                throw new IllegalArgumentException("eta must be a finite number >= 0, got " + eta);
            }
        }
    }

    private final double eta;
    private final NoiseSource source;
    private final NoisingPath path;
    private final ScoreProvider score;

    @Inject
    public DpmSolverSdePredictor(Params params, NoisingPath path, ScoreProvider score) {
        ReverseStep.requireGaussian(path, "dpm-solver++-sde");
        this.eta = params.eta();
        this.source = params.noise();
        this.path = path;
        this.score = score;
    }

    @Override
    public void step(Block block, double t, double tNext, Noise given) {
        Noise noise = BrownianStepNoise.of(source, given, t, tNext);
        ReverseStep.requireBackwards(t, tNext);
        int d = block.dimension();
        int cells = block.size() * d;
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        double sigmaNext = path.noiseScale(tNext);
        double h = ReverseStep.logSnr(path, tNext) - ReverseStep.logSnr(path, t);
        double keep = sigmaNext / sigma * Math.exp(-eta * h);
        double onDenoised = -path.meanScale(tNext) * Math.expm1(-(1.0 + eta) * h);
        double noiseScale = sigmaNext * Math.sqrt(-Math.expm1(-2.0 * eta * h));
        // [0, n*d): x0(x, t); [n*d, n*d + d): one row's noise.
        double[] work = block.workspace(this, cells + d);
        score.score(block.data(), block.offset(), block.size(), t, work);
        ReverseStep.denoise(block.data(), block.offset(), cells, work, alpha, sigma);
        DenoisedHistory.step(this, block, path, t, tNext, work, keep, onDenoised, noiseScale, noise);
    }

    /** {@link DenoisedHistory}: the last estimate of every particle and its two times. */
    @Override
    public int rowWidth(int dimension) {
        return DenoisedHistory.width(dimension);
    }
}
