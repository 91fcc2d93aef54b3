package org.scorepipe.core.correctors;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.ScoreProvider;

/**
 * Unadjusted Langevin algorithm at a fixed time {@code t}: each of the {@code steps} inner steps
 * {@code j} moves every particle by
 * <pre>
 *   x  &lt;-  x + h s(x, t) + sqrt(2 h) xi,    xi ~ N(0, I) from noise stream j
 * </pre>
 * the Euler-Maruyama discretisation of the Langevin diffusion {@code dX = grad log p_t(X) dt +
 * sqrt(2) dB} (Roberts &amp; Tweedie, "Exponential convergence of Langevin distributions and their
 * discrete approximations", Bernoulli 1996), used as the corrector of Song et al., "Score-based
 * generative modeling through stochastic differential equations" (ICLR 2021). Without a
 * Metropolis step its invariant law is biased by {@code O(h)}: for {@code N(0, s^2)} it is
 * {@code N(0, s^2 / (1 - h / (2 s^2)))}.
 */
@Component(kind = ComponentKind.CORRECTOR, name = "langevin",
        doc = "Unadjusted Langevin: x += h s(x,t) + sqrt(2h) xi, repeated steps times at a fixed time t.")
public final class LangevinCorrector implements Corrector {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("step size h > 0") double step,
            @Doc("inner steps per call, >= 1") @Default("1") int steps) {
        public Params {
            if (!(step > 0) || Double.isInfinite(step)) {
                throw new IllegalArgumentException("step must be a finite number > 0, got " + step);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
        }
    }

    private final double step;
    private final int steps;
    private final ScoreProvider score;

    @Inject
    public LangevinCorrector(Params params, ScoreProvider score) {
        this.step = params.step();
        this.steps = params.steps();
        this.score = score;
    }

    @Override
    public void correct(Block block, double t, Noise noise) {
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        // [0, n*d): the score of the block's rows; [n*d, n*d + d): one row's noise.
        double[] work = block.workspace(this, cells + d);
        double h = step;
        double noiseScale = Math.sqrt(2.0 * h);
        for (int j = 0; j < steps; j++) {
            score.score(x, offset, n, t, work);
            for (int r = 0; r < n; r++) {
                noise.normals(block.particleIndex(r), j, work, cells, d);
                int o = offset + r * d;
                int so = r * d;
                for (int i = 0; i < d; i++) {
                    x[o + i] += h * work[so + i] + noiseScale * work[cells + i];
                }
            }
        }
    }
}
