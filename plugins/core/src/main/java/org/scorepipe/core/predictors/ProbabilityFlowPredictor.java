package org.scorepipe.core.predictors;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.ScoreProvider;

/**
 * Euler's method on the probability-flow ODE {@code dx/dt = f(t) x - g(t)^2 grad log p_t(x) / 2},
 * whose flow carries the path's marginals into one another deterministically (Song et al.,
 * "Score-based generative modeling through stochastic differential equations", ICLR 2021; the
 * deterministic reverse of the prediction-correction scheme of arXiv 2305.14164). One step from
 * {@code t} to {@code tNext = t - dt}:
 * <pre>
 *   x  &lt;-  x - [f(t) x - g(t)^2 s(x, t) / 2] dt
 * </pre>
 * First order: the error at a fixed end time halves when the number of steps doubles. Draws no noise.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "probability-flow",
        doc = "Euler step of the deterministic probability-flow ODE (Song et al. 2021).")
public final class ProbabilityFlowPredictor implements Predictor {
    private final NoisingPath path;
    private final ScoreProvider score;

    @Inject
    public ProbabilityFlowPredictor(NoisingPath path, ScoreProvider score) {
        this.path = path;
        this.score = score;
    }

    @Override
    public void step(Block block, double t, double tNext, Noise noise) {
        double dt = t - tNext;
        if (!(dt > 0)) {
            throw new IllegalArgumentException("a reverse step runs backwards in time, got t = " + t
                    + ", tNext = " + tNext);
        }
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        double[] work = block.workspace(this, cells);
        score.score(x, offset, n, t, work);
        // x - [f x - g^2 s / 2] dt = (1 - f dt) x + (g^2 dt / 2) s
        double keep = 1.0 - path.drift(t) * dt;
        double pull = 0.5 * path.diffusionSquared(t) * dt;
        for (int r = 0; r < n; r++) {
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                x[o + i] = keep * x[o + i] + pull * work[so + i];
            }
        }
    }
}
