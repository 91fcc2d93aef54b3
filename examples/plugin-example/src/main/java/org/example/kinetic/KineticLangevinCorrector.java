package org.example.kinetic;

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
 * Underdamped (kinetic) Langevin dynamics at a fixed time {@code t}, integrated with the BAOAB
 * splitting. The particles get velocities {@code v} and follow
 * <pre>
 *   dX = V dt,    dV = s(X, t) dt - gamma V dt + sqrt(2 gamma) dB
 * </pre>
 * whose invariant law is {@code p_t(x) N(v; 0, I)} (Cheng, Chatterji, Bartlett and Jordan,
 * "Underdamped Langevin MCMC: a non-asymptotic analysis", COLT 2018). One step of size {@code h}
 * (Leimkuhler and Matthews, "Rational construction of stochastic numerical methods for
 * molecular sampling", AMRX 2013) is
 * <pre>
 *   B:  v  &lt;-  v + (h/2) s(x, t)
 *   A:  x  &lt;-  x + (h/2) v
 *   O:  v  &lt;-  eta v + sqrt(1 - eta^2) xi,     eta = exp(-gamma h),  xi ~ N(0, I)
 *   A:  x  &lt;-  x + (h/2) v
 *   B:  v  &lt;-  v + (h/2) s(x, t)
 * </pre>
 * For a Gaussian target BAOAB samples the position marginal exactly for any stable step
 * {@code h < 2 sigma_min}, and its error is {@code O(h^2)} otherwise.
 *
 * <p>A corrector keeps no state between calls, so each call draws fresh velocities
 * {@code v ~ N(0, I)} from noise stream 0 (a full momentum refreshment, which leaves the target
 * invariant) and runs {@code steps} BAOAB steps; step {@code j} draws its {@code xi} from stream
 * {@code j + 1}. A particle's path depends only on its own row and its own noise. The score is
 * evaluated {@code steps + 1} times per call: the last B of a step and the first B of the next
 * share one evaluation.
 */
@Component(kind = ComponentKind.CORRECTOR, name = "kinetic-langevin",
        doc = "Underdamped (kinetic) Langevin with friction gamma, BAOAB steps of size h from fresh N(0, I) velocities"
                + " (Cheng et al. 2018; Leimkuhler & Matthews 2013).")
public final class KineticLangevinCorrector implements Corrector {

    /** Parameters, bound from the corrector's config section. */
    public record Params(
            @Doc("step size h > 0") double step,
            @Doc("friction gamma > 0; about 2 / sigma for a target of scale sigma is critically damped")
            @Default("2.0") double friction,
            @Doc("BAOAB steps per call, >= 1") @Default("10") int steps) {
        public Params {
            if (!(step > 0) || Double.isInfinite(step)) {
                throw new IllegalArgumentException("step must be a finite number > 0, got " + step);
            }
            if (!(friction > 0) || Double.isInfinite(friction)) {
                throw new IllegalArgumentException("friction must be a finite number > 0, got " + friction);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
        }
    }

    private final double halfStep;
    private final double eta;
    private final double kick;
    private final int steps;
    private final ScoreProvider score;

    @Inject
    public KineticLangevinCorrector(Params params, ScoreProvider score) {
        this.halfStep = 0.5 * params.step();
        this.eta = Math.exp(-params.friction() * params.step());
        // sqrt(1 - eta^2) without cancellation for small gamma h: 1 - eta^2 = -expm1(-2 gamma h)
        this.kick = Math.sqrt(-Math.expm1(-2.0 * params.friction() * params.step()));
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
        // [0, cells): the score at the current positions (ScoreProvider writes from index 0);
        // [cells, 2 cells): the velocities; [2 cells, 2 cells + d): one row's noise.
        double[] work = block.workspace(this, 2 * cells + d);
        int v0 = cells;
        int xi = 2 * cells;
        for (int r = 0; r < n; r++) {
            noise.normals(block.particleIndex(r), 0, work, v0 + r * d, d);
        }
        score.score(x, offset, n, t, work);
        for (int j = 0; j < steps; j++) {
            for (int r = 0; r < n; r++) {
                noise.normals(block.particleIndex(r), j + 1, work, xi, d);
                int o = offset + r * d;
                int s = r * d;
                int v = v0 + r * d;
                for (int i = 0; i < d; i++) {
                    double vi = work[v + i] + halfStep * work[s + i];    // B
                    double xi1 = x[o + i] + halfStep * vi;               // A
                    vi = eta * vi + kick * work[xi + i];                 // O
                    x[o + i] = xi1 + halfStep * vi;                      // A
                    work[v + i] = vi;
                }
            }
            score.score(x, offset, n, t, work);
            for (int c = 0; c < cells; c++) {
                work[v0 + c] += halfStep * work[c];                      // B
            }
        }
    }
}
