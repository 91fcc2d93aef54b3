package org.scorepipe.core.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.predictors.NoiseSource;
import org.scorepipe.core.predictors.EulerMaruyamaPredictor.Params;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Euler-Maruyama with {@code noise: step} (today's numbers) and {@code noise: brownian} (the
 * increments of each particle's {@link BrownianPath}), and the strong order the latter lets one
 * measure, on a Gaussian target N(MU, S2) pushed through the Ornstein-Uhlenbeck path, in one
 * dimension.
 */
class EulerMaruyamaBrownianTest {
    static final double MU = 1.5;
    static final double S2 = 0.25;
    /** {@code v_t = 1 - C e^{-2t}}: the OU marginal's variance. */
    static final double C = 1 - S2;

    final NoisingPath path = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    final ScoreProvider score = new AnalyticScore(new AnalyticScore.Params(), new GaussianMixtureSource(
            new GaussianMixtureSource.Params(List.of(new GaussianMixtureSource.Part(1.0, new double[] {MU}, new double[] {S2}))),
            new PipelineSpec("test", 1, 1, 1)), path);

    EulerMaruyamaPredictor predictor(NoiseSource source) {
        return new EulerMaruyamaPredictor(new Params(source), path, score);
    }

    /** n draws of the exact marginal N(m_t, v_t) at t, from the step normals of stage 9. */
    static Particles marginal(int n, double t, long seed) {
        double[] x = new double[n];
        PhiloxNoise.of(seed, 9, 0).normalRows(0, n, 0, x, 0, 1);
        double m = Math.exp(-t) * MU;
        double sd = Math.sqrt(1 - C * Math.exp(-2 * t));
        for (int r = 0; r < n; r++) {
            x[r] = m + sd * x[r];
        }
        return new Particles(n, 1, 0, x, t);
    }

    /**
     * With {@code noise: step} (the default) a step is today's, bit for bit: {@code (1 - f dt) x + g^2 dt s
     * + sqrt(g^2 dt) xi} with {@code xi} the run's step normals on stream 0, which {@code PhiloxNoiseTest}
     * pins to Commons RNG's Philox4x64 on the documented counter.
     */
    @Test
    void stepNoiseIsTodaysStep() {
        int n = 13;
        double t = 0.8, tNext = 0.77;
        Particles particles = marginal(n, t, 4);
        double[] x = particles.data().clone();
        double[] s = new double[n];
        score.score(x, 0, n, t, s);
        PhiloxNoise noise = PhiloxNoise.of(4, 1, 6);
        predictor(NoiseSource.STEP).step(particles.all(), t, tNext, noise);
        double dt = t - tNext;
        double[] xi = new double[1];
        for (int r = 0; r < n; r++) {
            noise.normals(r, 0, xi, 0, 1);
            double expected = (1.0 - path.drift(t) * dt) * x[r] + path.diffusionSquared(t) * dt * s[r]
                    + Math.sqrt(path.diffusionSquared(t) * dt) * xi[0];
            assertEquals(expected, particles.data()[r], 0.0, "particle " + r);
        }
        Particles again = new Particles(n, 1, 0, x.clone(), t);
        new EulerMaruyamaPredictor(path, score).step(again.all(), t, tNext, PhiloxNoise.of(4, 1, 6));
        assertArrayEquals(particles.data(), again.data(), "the two-argument constructor is noise: step");
    }

    /**
     * With {@code noise: brownian} a step is {@code (1 - f dt) x + g^2 dt s + g [W(t) - W(tNext)]},
     * bit for bit, the same at any step index and for any blocking, and other numbers than the step's.
     */
    @Test
    void brownianStepIsThePathIncrement() {
        int n = 13;
        double t = 0.8, tNext = 0.77;
        Particles particles = marginal(n, t, 4);
        double[] x = particles.data().clone();
        double[] s = new double[n];
        score.score(x, 0, n, t, s);
        predictor(NoiseSource.BROWNIAN).step(particles.all(), t, tNext, PhiloxNoise.of(4, 1, 6));
        double dt = t - tNext;
        double[] dw = new double[1];
        double[] scratch = new double[BrownianPath.INCREMENT_SCRATCH];
        for (int r = 0; r < n; r++) {
            BrownianPath.increment(PhiloxNoise.of(4, 1, 0), r, 0, tNext, t, 1, dw, 0, scratch, 0);
            double expected = (1.0 - path.drift(t) * dt) * x[r] + path.diffusionSquared(t) * dt * s[r]
                    + Math.sqrt(path.diffusionSquared(t)) * dw[0];
            assertEquals(expected, particles.data()[r], 0.0, "particle " + r);
        }
        Particles split = new Particles(n, 1, 0, x.clone(), t);
        PhiloxNoise atStep = PhiloxNoise.of(4, 1, 123);
        predictor(NoiseSource.BROWNIAN).step(split.block(0, 5), t, tNext, atStep);
        predictor(NoiseSource.BROWNIAN).step(split.block(5, n), t, tNext, atStep);
        assertArrayEquals(particles.data(), split.data(), "any step index, any blocking");
        Particles step = new Particles(n, 1, 0, x.clone(), t);
        predictor(NoiseSource.STEP).step(step.all(), t, tNext, PhiloxNoise.of(4, 1, 6));
        assertFalse(Arrays.equals(particles.data(), step.data()), "the step's noise is other numbers");
    }

    @Test
    void paramsRefuseAMissingSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Params(null));
        assertEquals("noise is missing; give step or brownian", e.getMessage());
    }

    /** {@code Phi(a <- u) = exp(int_a^u (1 - 2 / v_r) dr) = e^{u - a} (e^{2a} - C) / (e^{2u} - C)}. */
    static double phi(double a, double u) {
        return Math.exp(u - a) * (Math.exp(2 * a) - C) / (Math.exp(2 * u) - C);
    }

    /**
     * The reverse SDE of this target, run from {@code b} down to {@code a} along the particle's Brownian
     * path, solved exactly. In reverse time {@code tau = b - t} it is the linear SDE
     * {@code dX = [(1 - 2 / v_t) X + 2 m_t / v_t] dtau + sqrt(2) dB}, {@code dB = W(t) - W(t - dt)}, so
     * <pre>
     *   X(a) = Phi(a &lt;- b) X(b) + MU e^{-a} [1 - (e^{2a} - C) / (e^{2b} - C)] + int_a^b K(u) dW(u),
     *   K(u) = sqrt(2) Phi(a &lt;- u),
     * </pre>
     * (the middle term integrates {@code Phi(a <- u) 2 m_u / v_u} in closed form; with it the mean is
     * {@code m_a}, as it must be). K is deterministic and smooth, so by parts the Wiener integral is
     * {@code K(b) W(b) - K(a) W(a) - int_a^b W(u) K'(u) du}, a Riemann integral of the path, by the
     * trapezoid rule on {@code fine} intervals: its error has standard deviation about
     * {@code max|K'| h sqrt((b - a) / 12)}, O(h) with a small constant, printed next to the scheme's errors.
     */
    static double[] exact(double[] start, double a, double b, int fine, long seed, int stage) {
        int n = start.length;
        double[] out = new double[n];
        double e2a = Math.exp(2 * a);
        double kPrimeScale = -Math.sqrt(2) * Math.exp(-a) * (e2a - C);
        double h = (b - a) / fine;
        double[] w = new double[1];
        double[] scratch = new double[BrownianPath.VALUE_SCRATCH];
        PhiloxNoise noise = PhiloxNoise.of(seed, stage, 0);
        for (int r = 0; r < n; r++) {
            double integral = 0;
            double wa = 0;
            double wb = 0;
            for (int j = 0; j <= fine; j++) {
                double u = j == fine ? b : a + j * h;
                BrownianPath.value(noise, r, 0, u, 1, w, 0, scratch, 0);
                double e2u = Math.exp(2 * u);
                double kPrime = kPrimeScale * Math.exp(u) * (e2u + C) / ((e2u - C) * (e2u - C));
                integral += (j == 0 || j == fine ? 0.5 : 1.0) * h * w[0] * kPrime;
                if (j == 0) {
                    wa = w[0];
                }
                if (j == fine) {
                    wb = w[0];
                }
            }
            double wiener = Math.sqrt(2) * phi(a, b) * wb - Math.sqrt(2) * wa - integral;
            out[r] = phi(a, b) * start[r] + MU * Math.exp(-a) * (1 - (e2a - C) / (Math.exp(2 * b) - C)) + wiener;
        }
        return out;
    }

    /** Euler-Maruyama over {@code steps} uniform steps from b down to a, the run's noise at (seed, stage, k). */
    Particles run(NoiseSource source, double[] start, double a, double b, int steps, long seed, int stage) {
        Particles particles = new Particles(start.length, 1, 0, start.clone(), b);
        double[] times = new UniformGrid(new UniformGrid.Params(b, a, steps)).times();
        PhiloxNoise noise = new PhiloxNoise(seed);
        EulerMaruyamaPredictor predictor = predictor(source);
        for (int k = 0; k < steps; k++) {
            noise.position(stage, k);
            predictor.step(particles.all(), times[k], times[k + 1], noise);
        }
        return particles;
    }

    static double rms(double[] x, double[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (x[i] - y[i]) * (x[i] - y[i]);
        }
        return Math.sqrt(sum / x.length);
    }

    /**
     * The strong error {@code sqrt(E|X_N - X(a)|^2)} of Euler-Maruyama with {@code noise: brownian}
     * against the exact solution along the same Brownian paths, for 20, 40, 80 and 160 steps of a
     * uniform grid on {@code [0.05, 2]}. The noise is additive (g does not depend on x), so Euler-
     * Maruyama is Milstein's scheme here and its strong order is 1, not 1/2 (Kloeden and Platen,
     * <i>Numerical solution of stochastic differential equations</i>, 10.3 and 10.6): the error halves
     * when the steps double. Asserted: every measured order {@code log2(e_N / e_2N)} in
     * {@code [0.8, 1.2]} (200 paths and a fixed seed, 31, where they are 0.99, 0.98, 0.98; the errors at
     * different N share the paths, so their ratio varies far less than each error: over seeds 1..5
     * the orders lay in [0.95, 1.11]), and the reference's own quadrature error below a tenth of the
     * finest error (it is about 5% of it, which moves the last order by at most 0.15 in the worst
     * case of full alignment, and by much less in practice as the two errors are nearly uncorrelated). With {@code noise: step} the grids follow different paths and the error does not
     * shrink at all: it stays at the spread of two independent solutions.
     */
    @Test
    void strongOrderOfEulerMaruyamaIsOneAlongTheBrownianPath() {
        int n = 200;
        double a = 0.05, b = 2.0;
        long seed = 31;
        int stage = 2;
        double[] start = marginal(n, b, seed).data();
        double[] exact = exact(start, a, b, 2560, seed, stage);
        // The trapezoid's error is O(h): that of 2560 intervals is about the distance to 1280's.
        double quadrature = rms(exact, exact(start, a, b, 1280, seed, stage));
        int[] steps = {20, 40, 80, 160};
        double[] errors = new double[steps.length];
        StringBuilder report = new StringBuilder("reference quadrature " + String.format("%.2e", quadrature));
        for (int i = 0; i < steps.length; i++) {
            errors[i] = rms(run(NoiseSource.BROWNIAN, start, a, b, steps[i], seed, stage).data(), exact);
            report.append(String.format(" | %d steps: %.3e", steps[i], errors[i]));
            if (i > 0) {
                report.append(String.format(" (order %.3f)", Math.log(errors[i - 1] / errors[i]) / Math.log(2)));
            }
        }
        System.out.println("euler-maruyama strong error, noise: brownian: " + report);
        for (int i = 1; i < steps.length; i++) {
            double order = Math.log(errors[i - 1] / errors[i]) / Math.log(2);
            assertTrue(order > 0.8 && order < 1.2, "order " + order + ": " + report);
        }
        assertTrue(quadrature < 0.1 * errors[steps.length - 1], report.toString());
        double stepNoise = rms(run(NoiseSource.STEP, start, a, b, 160, seed, stage).data(), exact);
        assertTrue(stepNoise > 20 * errors[steps.length - 1], "noise: step follows another path: " + stepNoise);
    }
}
