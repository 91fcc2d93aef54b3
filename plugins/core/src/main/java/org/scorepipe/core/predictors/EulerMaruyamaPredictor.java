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
 * Euler-Maruyama on the reverse-time SDE {@code dX = [f(t) X - g(t)^2 grad log p_t(X)] dt +
 * g(t) dB~} (Anderson 1982; Song et al., "Score-based generative modeling through stochastic
 * differential equations", ICLR 2021): one step from {@code t} to {@code tNext = t - dt} is
 * <pre>
 *   noise: step        x  &lt;-  x - [f(t) x - g(t)^2 s(x, t)] dt + g(t) sqrt(dt) xi,     xi ~ N(0, I), stream 0
 *   noise: brownian    x  &lt;-  x - [f(t) x - g(t)^2 s(x, t)] dt + g(t) [W(t) - W(tNext)]
 * </pre>
 * with the coefficients and the score taken at the step's start {@code t}. With {@code noise: brownian}
 * the step's {@code sqrt(dt) xi} is the increment {@code W(t) - W(tNext)} of the particle's
 * {@link BrownianPath} over the stage, a pure function of {@code (seed, stage, particle, tNext, t)}
 * and not of the step's index: grids that share times share the path there, so a grid and its
 * refinement follow one Brownian path and the strong error of the scheme can be measured. Its law
 * is the same, {@code N(0, dt I)}; its numbers are other ones, and it costs up to about a hundred
 * normal vectors per particle and step (see {@link BrownianPath}) where {@code noise: step}, the
 * default, draws one: measured here at d = 2, about 4 us of CPU per particle and step against
 * under 1 us. The path normals are stream 0's of {@link Noise#pathNormals}. Additive noise makes
 * Euler-Maruyama's strong order 1 on these SDEs (Kloeden and Platen 1992, 10.3), which
 * {@code EulerMaruyamaBrownianTest} measures. The reverse SDE exists
 * only for a Gaussian path: a Student-t path ({@link NoisingPath#noiseDegreesOfFreedom} finite) is
 * refused, as the exponential integrator and ancestral sampling refuse it.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "euler-maruyama",
        doc = "Euler-Maruyama step of the reverse-time SDE (Song et al. 2021), with the step's noise or a Brownian path"
                + " keyed by the times (noise: brownian).")
public final class EulerMaruyamaPredictor implements Predictor {

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("step: sqrt(dt) xi with xi the step's own normals (the default); brownian: the"
            + " increment W(t) - W(tNext) of the particle's Brownian path over the stage, keyed by the times, so that"
            + " a grid and its refinement follow the same path (same law, other numbers, slower)")
            @Default("step") NoiseSource noise) {
        public Params {
            if (noise == null) {
                throw new IllegalArgumentException("noise is missing; give step or brownian");
            }
        }
    }

    private final NoiseSource source;
    private final NoisingPath path;
    private final ScoreProvider score;

    /** Euler-Maruyama with the step's own noise ({@code noise: step}). */
    public EulerMaruyamaPredictor(NoisingPath path, ScoreProvider score) {
        this(new Params(NoiseSource.STEP), path, score);
    }

    @Inject
    public EulerMaruyamaPredictor(Params params, NoisingPath path, ScoreProvider score) {
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("euler-maruyama needs a Gaussian noising path (the reverse SDE); this path's"
                    + " noise is Student-t with " + path.noiseDegreesOfFreedom()
                    + " degrees of freedom; use base: gaussian or an anneal stage");
        }
        this.source = params.noise();
        this.path = path;
        this.score = score;
    }

    @Override
    public void step(Block block, double t, double tNext, Noise noise) {
        double dt = t - tNext;
        ReverseStep.requireBackwards(t, tNext);
        int d = block.dimension();
        // [0, n*d): the scores; [n*d, n*d + d): one row's noise.
        double[] work = block.workspace(this, block.size() * d + d);
        score.score(block.data(), block.offset(), block.size(), t, work);
        double g2 = path.diffusionSquared(t);
        // x - [f x - g^2 s] dt = (1 - f dt) x + g^2 dt s
        double keep = 1.0 - path.drift(t) * dt;
        double pull = g2 * dt;
        if (source == NoiseSource.STEP) {
            ReverseStep.affineWithNoise(block, work, keep, pull, Math.sqrt(g2 * dt), noise);
        } else {
            ReverseStep.affineWithBrownian(block, work, keep, pull, Math.sqrt(g2), noise, tNext, t);
        }
    }
}
