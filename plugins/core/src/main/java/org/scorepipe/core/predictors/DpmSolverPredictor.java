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
 * DPM-Solver++ (Lu, Zhou, Bao, Chen, Li, Zhu, "DPM-Solver++: Fast solver for guided sampling of
 * diffusion probabilistic models", 2022): the probability-flow ODE in data-prediction form on
 * {@code lambda_t = log(alpha_t / sigma_t)}, with the linear part integrated exactly and the
 * denoised estimate {@code x0(x, t) = (x + sigma_t^2 s(x, t)) / alpha_t} expanded to first order
 * in {@code lambda}. From {@code t} to {@code t'}, {@code h = lambda_t' - lambda_t > 0}:
 * <pre>
 *   x'  =  (sigma_t' / sigma_t) x  +  alpha_t' (1 - e^{-h}) D
 * </pre>
 * <ul>
 *   <li>{@code 2m} (Algorithm 2, multistep, one score evaluation per step): with the previous
 *       step's estimate {@code x0_last} at {@code t_last}, {@code r = (lambda_t - lambda_t_last) / h},
 *       {@code D = (1 + 1/(2r)) x0(x, t) - (1/(2r)) x0_last}; the first step of a run is
 *       first order, {@code D = x0(x, t)} (DDIM). Where {@code x0_last} lives, and why resume is
 *       exact, is in {@link DenoisedHistory}: a row per particle that lives with the particles.</li>
 *   <li>{@code 2s} (Algorithm 1, single step, two evaluations): the intermediate time {@code u}
 *       with {@code lambda_u = lambda_t + h / 2} (found by bisection on the path, so {@code r1 = 1/2}
 *       to rounding), {@code z = (sigma_u / sigma_t) x + alpha_u (1 - e^{-r1 h}) x0(x, t)},
 *       {@code D = (1 - 1/(2 r1)) x0(x, t) + (1/(2 r1)) x0(z, u)}.</li>
 * </ul>
 * Both are second order in the step size; only {@code alpha_t} and {@code sigma_t} of the path
 * enter, so they run on every Gaussian path (VE: {@code alpha = 1}). A step to {@code sigma_t' = 0}
 * is first order ({@code x' = x0}). Draws no noise.
 *
 * <p>The component is a {@link RowMemory} for 2m's sake (2s leaves its rows unused, all NaN): the
 * rows live with the particles, so it runs on every runner and resumes exactly from any checkpoint.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "dpm-solver++",
        doc = "DPM-Solver++ (Lu et al. 2022): 2m multistep (one score evaluation per step) or 2s single-step second-order"
                + " solver of the probability-flow ODE in data-prediction form.")
public final class DpmSolverPredictor implements Predictor, RowMemory {

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("2m (multistep, Algorithm 2; one score evaluation per step) or 2s (single step,"
            + " Algorithm 1; two evaluations per step)") @Default("2m") String method) {
        public Params {
            if (!"2m".equals(method) && !"2s".equals(method)) {
                throw new IllegalArgumentException("method must be 2m or 2s, got " + method);
            }
        }
    }

    private final boolean multistep;
    private final NoisingPath path;
    private final ScoreProvider score;
    /** Owner of the workspace that holds the score at the intermediate point of a 2s step. */
    private final Object secondScore = new Object();

    @Inject
    public DpmSolverPredictor(Params params, NoisingPath path, ScoreProvider score) {
        ReverseStep.requireGaussian(path, "dpm-solver++");
        this.multistep = "2m".equals(params.method());
        this.path = path;
        this.score = score;
    }

    @Override
    public void step(Block block, double t, double tNext, Noise noise) {
        ReverseStep.requireBackwards(t, tNext);
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        double lambda = ReverseStep.logSnr(path, t);
        double h = ReverseStep.logSnr(path, tNext) - lambda;
        double keep = path.noiseScale(tNext) / sigma;
        double onDenoised = -path.meanScale(tNext) * Math.expm1(-h);
        if (multistep) {
            double[] work = block.workspace(this, cells + d);
            score.score(x, offset, n, t, work);
            ReverseStep.denoise(x, offset, cells, work, alpha, sigma);
            DenoisedHistory.step(this, block, path, t, tNext, work, keep, onDenoised, 0.0, noise);
            return;
        }
        // [0, n*d): x0(x, t); [n*d, 2 n*d): the intermediate point z; its x0 in a second workspace.
        double[] work = block.workspace(this, 2 * cells);
        double[] second = block.workspace(secondScore, cells);
        score.score(x, offset, n, t, work);
        ReverseStep.denoise(x, offset, cells, work, alpha, sigma);
        if (!Double.isFinite(h)) {
            // A last step to sigma' = 0: first order, x' = x0.
            for (int i = 0; i < cells; i++) {
                x[offset + i] = keep * x[offset + i] + onDenoised * work[i];
            }
            return;
        }
        double u = ReverseStep.timeAtLogSnr(path, lambda + 0.5 * h, tNext, t);
        double alphaU = path.meanScale(u);
        double sigmaU = path.noiseScale(u);
        double r1 = (ReverseStep.logSnr(path, u) - lambda) / h;
        double keepU = sigmaU / sigma;
        double onDenoisedU = -alphaU * Math.expm1(-r1 * h);
        for (int i = 0; i < cells; i++) {
            work[cells + i] = keepU * x[offset + i] + onDenoisedU * work[i];
        }
        score.score(work, cells, n, u, second);
        ReverseStep.denoise(work, cells, cells, second, alphaU, sigmaU);
        double w = 1.0 / (2.0 * r1);
        for (int i = 0; i < cells; i++) {
            double denoised = (1.0 - w) * work[i] + w * second[i];
            x[offset + i] = keep * x[offset + i] + onDenoised * denoised;
        }
    }

    /** {@link DenoisedHistory}: the last estimate of every particle and its two times. */
    @Override
    public int rowWidth(int dimension) {
        return DenoisedHistory.width(dimension);
    }
}
