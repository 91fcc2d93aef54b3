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
import org.scorepipe.core.kernels.LangevinStep;

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
 *
 * <p>The step is either fixed ({@code step}) or set by the signal-to-noise rule of Song et al.
 * (2021, algorithms 4 and 5) with {@code snr = r}:
 * <pre>
 *   h = 2 (r |xi| / |s(x, t)|)^2
 * </pre>
 * so that the drift {@code h s} is {@code r} times as long as the noise {@code sqrt(2h) xi}. The
 * norms are the particle's own noise and score, where Song et al. average them over the batch. The per-particle rule keeps a particle's move a function of its own row and noise,
 * so results do not depend on the blocking or the number of particles; for the high-dimensional
 * targets the rule was made for, {@code |xi|^2 / d} and {@code |s|^2 / d} concentrate and the two
 * rules agree. In low dimension they do not: a particle near a mode has a small score, so its step
 * {@code h ~ 1 / |s|^2} and its move {@code h |s| ~ 1 / |s|} blow up (on a two-component mixture in
 * {@code d = 2}, {@code snr: 0.16} after every Heun step raised the covariance error from 0.05 to 10.6);
 * use a fixed step there. (Song's VP variant also
 * multiplies by {@code alpha_i = 1 - beta_i}, which is 1 to first order; it is left out.) A
 * particle whose score is exactly zero does not move.
 *
 * <p>{@code snr-rule: ensemble} is Song et al.'s rule as score_sde's {@code LangevinCorrector}
 * runs it: one step for the whole ensemble at each inner step,
 * <pre>
 *   h = 2 (r mean_i |xi_i| / mean_i |s(x_i, t)|)^2,
 * </pre>
 * the means over every particle, summed in particle-index order, so the step depends on the
 * ensemble alone (not on threads, blocks or partitions). Every particle's move then depends on
 * the others through {@code h}: the corrector asks for the whole ensemble in one block
 * ({@link #wholeEnsemble}), which the local runner runs on one thread and a distributed runner
 * gathers on its driver, and a prefix of the ensemble is not a smaller run.
 *
 * <p>The step itself is the shared {@link LangevinStep} (tiled score, block noise, update).
 */
@Component(kind = ComponentKind.CORRECTOR, name = "langevin",
        doc = "Unadjusted Langevin: x += h s(x,t) + sqrt(2h) xi, repeated steps times at a fixed time t; h fixed (step)"
                + " or per particle from the signal-to-noise ratio snr: h = 2 (snr |xi| / |s|)^2 (Song et al. 2021).")
public final class LangevinCorrector implements Corrector {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("fixed step size h > 0; leave out (0) when snr is given") @Default("0") double step,
            @Doc("inner steps per call, >= 1") @Default("1") int steps,
            @Doc("signal-to-noise ratio r > 0 of Song et al. 2021, giving h = 2 (r |xi| / |s|)^2 per particle;"
                    + " 0 for the fixed step") @Default("0") double snr,
            @Doc("with snr: particle (each particle's own norms) or ensemble (the norms' means over the ensemble, as"
                    + " score_sde)") @Default("particle") SnrRule snrRule) {
        public Params {
            if (snrRule == null) {
                throw new IllegalArgumentException("snr-rule is missing; give particle or ensemble");
            }
            if (snrRule == SnrRule.ENSEMBLE && snr == 0) {
                throw new IllegalArgumentException("snr-rule: ensemble needs snr > 0");
            }
            if (!(snr >= 0) || Double.isInfinite(snr)) {
                throw new IllegalArgumentException("snr must be a finite number >= 0 (0: use the fixed step), got " + snr);
            }
            if (snr == 0) {
                if (!(step > 0) || Double.isInfinite(step)) {
                    throw new IllegalArgumentException("step must be a finite number > 0, got " + step);
                }
            } else if (step != 0) {
                throw new IllegalArgumentException("give either step (a fixed step size) or snr (the signal-to-noise rule),"
                        + " not both; got step = " + step + ", snr = " + snr);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
        }

        /** A fixed step, or the per-particle rule. */
        public Params(double step, int steps, double snr) {
            this(step, steps, snr, SnrRule.PARTICLE);
        }

        /** A fixed step {@code step}. */
        public Params(double step, int steps) {
            this(step, steps, 0.0, SnrRule.PARTICLE);
        }

        /** The per-particle signal-to-noise rule with ratio {@code snr}. */
        public static Params signalToNoise(double snr, int steps) {
            return new Params(0.0, steps, snr, SnrRule.PARTICLE);
        }

        /** The ensemble signal-to-noise rule with ratio {@code snr}. */
        public static Params ensembleSignalToNoise(double snr, int steps) {
            return new Params(0.0, steps, snr, SnrRule.ENSEMBLE);
        }
    }

    /** Whose norms set the signal-to-noise step. */
    public enum SnrRule {
        PARTICLE, ENSEMBLE
    }

    private final double step;
    private final int steps;
    private final LangevinStep.TileScore score;
    /** The signal-to-noise rule, or {@code null} for the fixed step. */
    private final LangevinStep.RowStep rule;
    /** The ensemble rule's ratio, or 0. */
    private final double ensembleSnr;
    private final ScoreProvider provider;

    @Inject
    public LangevinCorrector(Params params, ScoreProvider score) {
        this.step = params.step();
        this.steps = params.steps();
        this.score = LangevinStep.TileScore.of(score);
        this.provider = score;
        double snr = params.snr();
        boolean ensemble = params.snrRule() == SnrRule.ENSEMBLE;
        this.ensembleSnr = ensemble ? snr : 0.0;
        this.rule = snr > 0 && !ensemble ? (tile, s, xi, d) -> signalToNoiseStep(snr, tile, s, xi, d) : null;
    }

    @Override
    public boolean wholeEnsemble() {
        return ensembleSnr > 0;
    }

    /** Inner step {@code j} draws {@code xi} from stream {@code j}. */
    @Override
    public void correct(Block block, double t, Noise noise) {
        if (ensembleSnr > 0) {
            correctEnsemble(block, t, noise);
            return;
        }
        int d = block.dimension();
        double[] work = block.workspace(this, LangevinStep.workspace(block.size(), d));
        for (int j = 0; j < steps; j++) {
            if (rule != null) {
                LangevinStep.step(block, 0, d, t, score, rule, noise, j, work);
            } else {
                LangevinStep.step(block, 0, d, t, score, step, noise, j, work);
            }
        }
    }

    /**
     * The ensemble rule: at inner step {@code j}, every score and every {@code xi} (stream
     * {@code j}), the two mean norms in particle order, one {@code h}, then every move.
     */
    private void correctEnsemble(Block block, double t, Noise noise) {
        if (block.from() != 0 || block.to() != block.particles().size()) {
            throw new IllegalStateException("snr-rule: ensemble needs the whole ensemble in one block, got rows ["
                    + block.from() + ", " + block.to() + ") of " + block.particles().size());
        }
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] work = block.workspace(this, 2 * cells);
        double[] x = block.data();
        int offset = block.offset();
        for (int j = 0; j < steps; j++) {
            provider.score(x, offset, n, t, work);
            noise.normalRows(block.particleIndex(0), n, j, work, cells, d);
            double scoreNorms = 0.0;
            double noiseNorms = 0.0;
            for (int r = 0; r < n; r++) {
                double s2 = 0.0;
                double z2 = 0.0;
                for (int i = r * d, end = i + d; i < end; i++) {
                    s2 += work[i] * work[i];
                    z2 += work[cells + i] * work[cells + i];
                }
                scoreNorms += Math.sqrt(s2);
                noiseNorms += Math.sqrt(z2);
            }
            // The means' ratio: the 1/n of both cancel.
            double h = scoreNorms > 0 ? 2.0 * square(ensembleSnr * noiseNorms / scoreNorms) : 0.0;
            double spread = Math.sqrt(2.0 * h);
            for (int c = 0; c < cells; c++) {
                x[offset + c] += h * work[c] + spread * work[cells + c];
            }
        }
    }

    private static double square(double v) {
        return v * v;
    }

    /** {@code h = 2 (snr |xi| / |s|)^2} of one row, 0 where its score is 0. */
    private static double signalToNoiseStep(double snr, double[] tile, int s, int xi, int d) {
        double noiseNorm2 = 0.0;
        double scoreNorm2 = 0.0;
        for (int i = 0; i < d; i++) {
            noiseNorm2 += tile[xi + i] * tile[xi + i];
            scoreNorm2 += tile[s + i] * tile[s + i];
        }
        return scoreNorm2 > 0 ? 2.0 * snr * snr * noiseNorm2 / scoreNorm2 : 0.0;
    }
}
