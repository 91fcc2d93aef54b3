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
 * The stochastic sampler of Karras, Aittala, Aila, Laine, "Elucidating the design space of
 * diffusion-based generative models" (NeurIPS 2022, Algorithm 2), on any Gaussian path. A path
 * {@code x_t = alpha_t (x0 + sigma^_t z)} is EDM's general form with scaling {@code s(t) = alpha_t}
 * and noise level {@code sigma^_t = sigma_t / alpha_t = e^{-lambda_t}}, so the sampler runs exactly
 * on {@code x^ = x / alpha_t}, whose probability-flow ODE is
 * {@code dx^/dsigma^ = (x^ - D(x^; sigma^)) / sigma^ = -sigma_t s(x, t)} with the denoiser
 * {@code D = x0(x, t) = (x + sigma_t^2 s(x, t)) / alpha_t}. One step from {@code t} to {@code t'}:
 * <pre>
 *   gamma  =  min(churn, sqrt 2 - 1)  if  s-min &lt;= sigma^_t &lt;= s-max,  else 0
 *   t^     =  the time with sigma^_t^ = (1 + gamma) sigma^_t           (bisection on the path)
 *   x^^    =  x^ + sqrt(sigma^_t^^2 - sigma^_t^2) s-noise eps,          eps ~ N(0, I) from stream 0
 *   d      =  -sigma_t^ s(alpha_t^ x^^, t^)
 *   x^e    =  x^^ + (sigma^_t' - sigma^_t^) d
 *   x^'    =  x^^ + (sigma^_t' - sigma^_t^) (d + d') / 2,   d' = -sigma_t' s(alpha_t' x^e, t'),   x' = alpha_t' x^'
 * </pre>
 * Karras's {@code gamma_i = min(S_churn / N, sqrt 2 - 1)} needs the number of steps {@code N},
 * which a predictor does not see: the key {@code churn} is {@code S_churn / N} (S_churn = 40 over
 * 100 steps is churn 0.4). {@code s-min}, {@code s-max} are in units of {@code sigma^} (EDM's
 * sigma). With {@code churn = 0} this is Heun's method on {@code sigma^} (Algorithm 1), two score
 * evaluations per step, second order (a last step to {@code sigma_t' = 0} is Euler's, as in
 * Algorithm 2); on a path with {@code alpha = 1}, {@code sigma_t = t} it is
 * the probability-flow predictor's Heun step to rounding. Churn needs the path above {@code t}
 * (at {@code t^ > t}), also on the first step. Refuses a Student-t path.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "edm",
        doc = "Karras et al. 2022 Algorithm 2: Heun on sigma/alpha with churn (stochastic noise injection); churn is"
                + " S_churn / N.")
public final class EdmPredictor implements Predictor {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("per-step churn gamma = S_churn / N >= 0 (capped at sqrt 2 - 1); 0 is Heun's deterministic method")
            @Default("0.0") double churn,
            @Doc("churn only where sigma/alpha >= s-min") @Default("0.0") double sMin,
            @Doc("churn only where sigma/alpha <= s-max (1e300: no upper bound)") @Default("1e300") double sMax,
            @Doc("scale of the churn noise, S_noise (EDM's tuned value 1.007)") @Default("1.0") double sNoise) {
        public Params {
            if (!(churn >= 0) || Double.isInfinite(churn)) {
                throw new IllegalArgumentException("churn must be a finite number >= 0, got " + churn);
            }
            if (!(sMin >= 0) || !(sMax >= sMin)) {
                throw new IllegalArgumentException("need 0 <= s-min <= s-max, got s-min = " + sMin + ", s-max = " + sMax);
            }
            if (!(sNoise >= 0) || Double.isInfinite(sNoise)) {
                throw new IllegalArgumentException("s-noise must be a finite number >= 0, got " + sNoise);
            }
        }
    }

    private static final double MAX_GAMMA = Math.sqrt(2.0) - 1.0;

    private final Params params;
    private final NoisingPath path;
    private final ScoreProvider score;
    /** Owners of the workspaces of the score at the churned point and at the Euler point. */
    private final Object firstScore = new Object();
    private final Object secondScore = new Object();

    @Inject
    public EdmPredictor(Params params, NoisingPath path, ScoreProvider score) {
        ReverseStep.requireGaussian(path, "edm");
        this.params = params;
        this.path = path;
        this.score = score;
    }

    /** The churned time {@code t^ >= t}: {@code sigma^_t^ = (1 + gamma) sigma^_t}, i.e. {@code lambda_t^ = lambda_t - log(1 + gamma)}. */
    private double churnedTime(double t, double tNext, double gamma) {
        double target = ReverseStep.logSnr(path, t) - Math.log1p(gamma);
        double hi = t + (t - tNext);
        for (int i = 0; i < 60 && !(ReverseStep.logSnr(path, hi) <= target); i++) {
            hi = t + 2 * (hi - t);
        }
        if (!(ReverseStep.logSnr(path, hi) <= target)) {
            throw new IllegalArgumentException("edm: churn " + params.churn() + " at t = " + t + " needs sigma/alpha = "
                    + Math.exp(-target) + ", which this path does not reach above t; lower churn or raise s-max");
        }
        return ReverseStep.timeAtLogSnr(path, target, t, hi);
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
        double level = path.noiseScale(t) / alpha;
        double gamma = level >= params.sMin() && level <= params.sMax() ? Math.min(params.churn(), MAX_GAMMA) : 0.0;
        // [0, n*d): the churned points alpha^ x^^ (in x units), then one row's noise; scores in two more workspaces.
        double[] work = block.workspace(this, cells + d);
        double[] first = block.workspace(firstScore, 2 * cells);
        double tHat = t;
        double alphaHat = alpha;
        double levelHat = level;
        if (gamma > 0) {
            tHat = churnedTime(t, tNext, gamma);
            alphaHat = path.meanScale(tHat);
            levelHat = path.noiseScale(tHat) / alphaHat;
            double kick = Math.sqrt(Math.max(0.0, levelHat * levelHat - level * level)) * params.sNoise();
            double scale = alphaHat / alpha;
            for (int r = 0; r < n; r++) {
                noise.normals(block.particleIndex(r), 0, work, cells, d);
                int o = offset + r * d;
                int so = r * d;
                for (int i = 0; i < d; i++) {
                    work[so + i] = scale * x[o + i] + alphaHat * kick * work[cells + i];
                }
            }
        } else {
            System.arraycopy(x, offset, work, 0, cells);
        }
        double alphaNext = path.meanScale(tNext);
        double sigmaHat = alphaHat * levelHat;
        double sigmaNext = path.noiseScale(tNext);
        double levelStep = sigmaNext / alphaNext - levelHat;
        // first[0, n*d): d at the churned point; first[n*d, 2 n*d): the Euler point alpha' x^e.
        score.score(work, 0, n, tHat, first);
        for (int i = 0; i < cells; i++) {
            first[i] = -sigmaHat * first[i];
            first[cells + i] = alphaNext * (work[i] / alphaHat + levelStep * first[i]);
        }
        if (!(sigmaNext > 0)) {
            // No noise left at t' (sigma' = 0): Algorithm 2 ends with the Euler step.
            System.arraycopy(first, cells, x, offset, cells);
            return;
        }
        double[] second = block.workspace(secondScore, cells);
        score.score(first, cells, n, tNext, second);
        double half = 0.5 * levelStep;
        for (int i = 0; i < cells; i++) {
            x[offset + i] = alphaNext * (work[i] / alphaHat + half * (first[i] - sigmaNext * second[i]));
        }
    }
}
