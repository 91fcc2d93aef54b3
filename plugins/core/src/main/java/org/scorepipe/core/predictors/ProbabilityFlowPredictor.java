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
 * The probability-flow ODE {@code dx/dt = F(x, t) = f(t) x - g(t)^2 grad log p_t(x) / 2}, whose
 * flow carries the path's marginals into one another deterministically (Song et al.,
 * "Score-based generative modeling through stochastic differential equations", ICLR 2021; the
 * deterministic reverse of the prediction-correction scheme of arXiv 2305.14164). One step from
 * {@code t} to {@code tNext = t - dt}:
 * <pre>
 *   euler   x'  =  x - F(x, t) dt                                                  (first order)
 *   heun    x~  =  x - F(x, t) dt,   x'  =  x - [F(x, t) + F(x~, tNext)] dt / 2     (second order)
 * </pre>
 * Heun's method is the second-order sampler of Karras et al., "Elucidating the design space of
 * diffusion-based generative models" (NeurIPS 2022, algorithm 1), here in the path's own time;
 * it evaluates the score twice per step. At a fixed end time the error of Euler halves and that
 * of Heun quarters when the number of steps doubles. Draws no noise. The ODE is that of a
 * Gaussian path's SDE: a Student-t path ({@link NoisingPath#noiseDegreesOfFreedom} finite) has no
 * such flow here and is refused.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "probability-flow",
        doc = "Euler or Heun (Karras et al. 2022) step of the deterministic probability-flow ODE (Song et al. 2021).")
public final class ProbabilityFlowPredictor implements Predictor {

    /** The integration method. */
    public enum Method {
        EULER, HEUN
    }

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("euler (first order) or heun (second order, two score evaluations)")
            @Default("euler") Method method) {
        public Params {
            if (method == null) {
                throw new IllegalArgumentException("method is missing; give euler or heun");
            }
        }
    }

    private final Method method;
    private final NoisingPath path;
    private final ScoreProvider score;
    /** Owner of the workspace that holds the second score evaluation of a Heun step. */
    private final Object secondScore = new Object();

    @Inject
    public ProbabilityFlowPredictor(Params params, NoisingPath path, ScoreProvider score) {
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("the probability-flow ODE needs a Gaussian noising path; this path's noise is"
                    + " Student-t with " + path.noiseDegreesOfFreedom()
                    + " degrees of freedom; use base: gaussian or an anneal stage");
        }
        this.method = params.method();
        this.path = path;
        this.score = score;
    }

    /** Euler's method. */
    public ProbabilityFlowPredictor(NoisingPath path, ScoreProvider score) {
        this(new Params(Method.EULER), path, score);
    }

    @Override
    public void step(Block block, double t, double tNext, Noise noise) {
        double dt = t - tNext;
        ReverseStep.requireBackwards(t, tNext);
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        // x - F dt = (1 - f dt) x + (g^2 dt / 2) s
        double keep = 1.0 - path.drift(t) * dt;
        double pull = 0.5 * path.diffusionSquared(t) * dt;
        if (method == Method.EULER) {
            double[] work = block.workspace(this, cells);
            score.score(x, offset, n, t, work);
            for (int r = 0; r < n; r++) {
                int o = offset + r * d;
                int so = r * d;
                for (int i = 0; i < d; i++) {
                    x[o + i] = keep * x[o + i] + pull * work[so + i];
                }
            }
            return;
        }
        // [0, n*d): s(x, t); [n*d, 2 n*d): the Euler point x~. The score writes from index 0, so
        // s(x~, tNext) goes to a second workspace.
        double[] work = block.workspace(this, 2 * cells);
        double[] second = block.workspace(secondScore, cells);
        score.score(x, offset, n, t, work);
        for (int r = 0; r < n; r++) {
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                work[cells + so + i] = keep * x[o + i] + pull * work[so + i];
            }
        }
        score.score(work, cells, n, tNext, second);
        double f1 = path.drift(t);
        double f2 = path.drift(tNext);
        double g1 = 0.5 * path.diffusionSquared(t);
        double g2 = 0.5 * path.diffusionSquared(tNext);
        double half = 0.5 * dt;
        for (int r = 0; r < n; r++) {
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                // F = f x - (g^2 / 2) s at both ends; x' = x - (F1 + F2) dt / 2.
                double atStart = f1 * x[o + i] - g1 * work[so + i];
                double atEnd = f2 * work[cells + so + i] - g2 * second[so + i];
                x[o + i] -= half * (atStart + atEnd);
            }
        }
    }
}
