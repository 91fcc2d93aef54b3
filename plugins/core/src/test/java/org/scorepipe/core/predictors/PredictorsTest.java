package org.scorepipe.core.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Predictors on a Gaussian target N(mu, s^2 I) pushed through the Ornstein-Uhlenbeck path, where
 * every marginal is N(m_t, v_t I), m_t = e^{-t} mu, v_t = e^{-2t} s^2 + 1 - e^{-2t}, in closed form.
 */
class PredictorsTest {
    static final int D = 2;
    static final double[] MU = {1.0, -2.0};
    static final double S2 = 0.25;
    static final double T = 3.0;
    static final double DELTA = 0.01;

    final NoisingPath path = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    final ScoreProvider score = new AnalyticScore(new AnalyticScore.Params(),
            new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
                    new GaussianMixtureSource.Part(1.0, MU, new double[] {S2}))), new PipelineSpec("test", 1, 1, D)),
            path);

    static double meanAt(double t, int i) {
        return Math.exp(-t) * MU[i];
    }

    static double varianceAt(double t) {
        return Math.exp(-2 * t) * S2 + 1 - Math.exp(-2 * t);
    }

    /** n exact draws of the marginal at T. */
    static Particles marginalAtT(int n, long seed) {
        Particles particles = new Particles(n, D, 0, new double[n * D], T);
        double[] x = particles.data();
        PhiloxNoise noise = PhiloxNoise.of(seed, 0, 0);
        double sd = Math.sqrt(varianceAt(T));
        for (int r = 0; r < n; r++) {
            noise.normals(r, 0, x, r * D, D);
            for (int i = 0; i < D; i++) {
                x[r * D + i] = meanAt(T, i) + sd * x[r * D + i];
            }
        }
        return particles;
    }

    static void integrate(Predictor predictor, Particles particles, int steps, long seed) {
        double[] times = new UniformGrid(new UniformGrid.Params(T, DELTA, steps)).times();
        for (int k = 0; k < steps; k++) {
            predictor.step(particles.all(), times[k], times[k + 1], PhiloxNoise.of(seed, 1, k));
        }
    }

    /**
     * The probability-flow ODE carries N(m_T, v_T) onto N(m_delta, v_delta) by the affine map
     * x -> m_delta + sqrt(v_delta / v_T) (x - m_T), so every particle's exact end point is known
     * and the errors below are pure discretisation error, free of sampling noise. Euler is first
     * order: doubling the steps halves the error (ratio 2 + O(1/steps); allowed [1.8, 2.2]).
     */
    @Test
    void probabilityFlowEulerIsFirstOrder() {
        Predictor predictor = new ProbabilityFlowPredictor(path, score);
        int n = 1000;
        Particles start = marginalAtT(n, 31);
        double[] exact = start.data().clone();
        double ratio = Math.sqrt(varianceAt(DELTA) / varianceAt(T));
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < D; i++) {
                exact[r * D + i] = meanAt(DELTA, i) + ratio * (exact[r * D + i] - meanAt(T, i));
            }
        }
        double[] exactMoments = moments(exact, n);
        double previousMeanError = Double.NaN;
        double previousVarianceError = Double.NaN;
        for (int steps : new int[] {100, 200, 400, 800}) {
            Particles particles = new Particles(n, D, 0, start.data().clone(), T);
            integrate(predictor, particles, steps, 0);
            double[] m = moments(particles.data(), n);
            double meanError = Math.max(Math.abs(m[0] - exactMoments[0]), Math.abs(m[1] - exactMoments[1]));
            double varianceError = Math.abs(m[2] - exactMoments[2]);
            if (steps > 100) {
                double meanRatio = previousMeanError / meanError;
                double varianceRatio = previousVarianceError / varianceError;
                assertTrue(meanRatio > 1.8 && meanRatio < 2.2, "mean error ratio " + meanRatio + " at " + steps + " steps");
                assertTrue(varianceRatio > 1.8 && varianceRatio < 2.2,
                        "variance error ratio " + varianceRatio + " at " + steps + " steps");
            }
            previousMeanError = meanError;
            previousVarianceError = varianceError;
        }
        // And it converges to the right place: at 800 steps the errors are small.
        assertTrue(previousMeanError < 5e-3 && previousVarianceError < 5e-3,
                previousMeanError + " " + previousVarianceError);
    }

    /** Per-coordinate sample means, then the variance pooled over coordinates. */
    static double[] moments(double[] x, int n) {
        double[] m = new double[D + 1];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < D; i++) {
                m[i] += x[r * D + i] / n;
            }
        }
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < D; i++) {
                double z = x[r * D + i] - m[i];
                m[D] += z * z / (n * D);
            }
        }
        return m;
    }

    /**
     * Euler-Maruyama on the reverse SDE from the exact marginal at T = 3 down to 0.01 with 500
     * steps. For this linear SDE the scheme's own law is Gaussian with moments given by the
     * recursion m' = a m + b, V' = a^2 V + g^2 dt (a = 1 - f dt - g^2 dt / v_t, b = g^2 dt m_t / v_t),
     * so: (1) the samples match the scheme's moments within 5 standard errors, and (2) those moments
     * are within the O(dt) discretisation bias of the target's, about 2% at dt = 0.006, bounded at 3%.
     * (A 3% error in the noise variance g^2 dt moves the end variance by ~3%, above 5 standard
     * errors sqrt(2 / (n D)) = 1.6%.)
     */
    @Test
    void eulerMaruyamaReachesTheTarget() {
        Predictor predictor = new EulerMaruyamaPredictor(path, score);
        int n = 100_000;
        int steps = 500;
        Particles particles = marginalAtT(n, 41);
        integrate(predictor, particles, steps, 41);
        double[] times = new UniformGrid(new UniformGrid.Params(T, DELTA, steps)).times();
        double[] schemeMean = {meanAt(T, 0), meanAt(T, 1)};
        double schemeVariance = varianceAt(T);
        for (int k = 0; k < steps; k++) {
            double t = times[k];
            double dt = t - times[k + 1];
            double g2 = path.diffusionSquared(t);
            double a = 1 - path.drift(t) * dt - g2 * dt / varianceAt(t);
            for (int i = 0; i < D; i++) {
                schemeMean[i] = a * schemeMean[i] + g2 * dt * meanAt(t, i) / varianceAt(t);
            }
            schemeVariance = a * a * schemeVariance + g2 * dt;
        }
        double[] m = moments(particles.data(), n);
        // Pooled over D coordinates: n D values; a Gaussian sample variance has relative SE sqrt(2 / (n D)).
        for (int i = 0; i < D; i++) {
            assertEquals(schemeMean[i], m[i], 5 * Math.sqrt(schemeVariance / n), "mean " + i);
        }
        assertEquals(schemeVariance, m[D], 5 * schemeVariance * Math.sqrt(2.0 / (n * D)), "variance");
        double target = varianceAt(DELTA);
        assertEquals(target, schemeVariance, 0.03 * target, "discretisation bias of the variance");
        for (int i = 0; i < D; i++) {
            assertEquals(meanAt(DELTA, i), schemeMean[i], 0.03 * Math.sqrt(target), "discretisation bias of mean " + i);
        }
    }

    @Test
    void resultsDoNotDependOnTheBlocking() {
        for (Predictor predictor : List.of(new EulerMaruyamaPredictor(path, score), new ProbabilityFlowPredictor(path, score))) {
            Particles whole = marginalAtT(100, 3);
            Particles split = new Particles(100, D, 0, whole.data().clone(), T);
            predictor.step(whole.all(), 1.0, 0.9, PhiloxNoise.of(3, 2, 1));
            PhiloxNoise noise = PhiloxNoise.of(3, 2, 1);
            predictor.step(split.block(0, 37), 1.0, 0.9, noise);
            predictor.step(split.block(37, 100), 1.0, 0.9, noise);
            assertArrayEquals(whole.data(), split.data());
        }
    }

    @Test
    void refusesToStepForwardInTime() {
        Particles particles = marginalAtT(4, 1);
        for (Predictor predictor : List.of(new EulerMaruyamaPredictor(path, score), new ProbabilityFlowPredictor(path, score))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> predictor.step(particles.all(), 0.5, 0.6, PhiloxNoise.of(1, 0, 0)));
            assertEquals("a reverse step runs backwards in time, got t = 0.5, tNext = 0.6", e.getMessage());
        }
    }
}
