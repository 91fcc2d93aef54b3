package org.example.kinetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.ScoreProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.scorepipe.testkit.Contracts;

class KineticLangevinCorrectorTest {
    /** The family tests every built-in corrector passes (scorepipe-testkit), in one line. */
    @TestFactory
    Stream<DynamicTest> contract() {
        return Contracts.corrector("kinetic-langevin",
                g -> new KineticLangevinCorrector(new KineticLangevinCorrector.Params(0.05, 2.0, 10), g.score()));
    }

    /** N(mean, diag(variance)): score -(x - mean) / variance. */
    private static ScoreProvider gaussian(double[] mean, double[] variance) {
        return (x, offset, rows, t, out) -> {
            int d = mean.length;
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < d; i++) {
                    out[r * d + i] = -(x[offset + r * d + i] - mean[i]) / variance[i];
                }
            }
        };
    }

    /**
     * Noise that is a pure function of (seed, particle, stream), as the runtime's is; the test
     * needs nothing beyond the api, like the plugin itself.
     */
    private record TestNoise(long seed, int first) implements Noise {
        @Override
        public void normals(long particle, int stream, double[] out, int offset, int count) {
            SplittableRandom random = random(particle, stream);
            for (int i = 0; i < count; i++) {
                out[offset + i] = random.nextGaussian();
            }
        }

        @Override
        public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            SplittableRandom random = random(particle, stream);
            for (int i = 0; i < count; i++) {
                out[offset + i] = random.nextDouble();
            }
        }

        private SplittableRandom random(long particle, int stream) {
            long key = seed * 0x9E3779B97F4A7C15L ^ (particle + 1) * 0xC2B2AE3D27D4EB4FL ^ (stream + first + 1L) * 0x165667B19E3779F9L;
            return new SplittableRandom(new SplittableRandom(key).nextLong());
        }

        @Override
        public Noise streams(int offset) {
            return new TestNoise(seed, first + offset);
        }
    }

    /**
     * The exact mean and variance of one coordinate after {@code calls} calls from x = x0: for a
     * Gaussian target every BAOAB step is linear, so the mean and the 2x2 covariance of
     * (x - mu, v) follow in closed form; each call starts with v ~ N(0, 1) independent of x.
     */
    private static double[] exactMoments(double x0, double mu, double variance, double h, double gamma, int steps, int calls) {
        double w = 1.0 / variance;
        double eta = Math.exp(-gamma * h);
        double m = x0 - mu;
        double cxx = 0;
        for (int call = 0; call < calls; call++) {
            double mv = 0;
            double cxv = 0;
            double cvv = 1;
            for (int j = 0; j < steps; j++) {
                double[][] kickDrift = {{1 - h * h * w / 4, h / 2}, {-h * w / 2, 1}};   // A after B
                double[] s = apply(kickDrift, m, mv, cxx, cxv, cvv);
                // O: v -> eta v + sqrt(1 - eta^2) xi
                m = s[0];
                mv = eta * s[1];
                cxx = s[2];
                cxv = eta * s[3];
                cvv = eta * eta * s[4] + (1 - eta * eta);
                double[][] driftKick = {{1, h / 2}, {-h * w / 2, 1 - h * h * w / 4}};   // B after A
                s = apply(driftKick, m, mv, cxx, cxv, cvv);
                m = s[0];
                mv = s[1];
                cxx = s[2];
                cxv = s[3];
                cvv = s[4];
            }
        }
        return new double[] {mu + m, cxx};
    }

    /** (M m, M C M^T) for a 2x2 M, mean (mx, mv) and covariance [[cxx, cxv], [cxv, cvv]]. */
    private static double[] apply(double[][] a, double mx, double mv, double cxx, double cxv, double cvv) {
        double nx = a[0][0] * mx + a[0][1] * mv;
        double nv = a[1][0] * mx + a[1][1] * mv;
        double xx = a[0][0] * a[0][0] * cxx + 2 * a[0][0] * a[0][1] * cxv + a[0][1] * a[0][1] * cvv;
        double xv = a[0][0] * a[1][0] * cxx + (a[0][0] * a[1][1] + a[0][1] * a[1][0]) * cxv + a[0][1] * a[1][1] * cvv;
        double vv = a[1][0] * a[1][0] * cxx + 2 * a[1][0] * a[1][1] * cxv + a[1][1] * a[1][1] * cvv;
        return new double[] {nx, nv, xx, xv, vv};
    }

    @Test
    void movesAnEnsembleToTheExactBaoabMomentsOfAGaussianTarget() {
        double[] mean = {3.0, -2.0};
        double[] variance = {0.5, 2.0};
        double h = 0.2;
        double gamma = 2.0;
        int steps = 10;
        int calls = 20;
        int n = 40_000;
        KineticLangevinCorrector corrector = new KineticLangevinCorrector(
                new KineticLangevinCorrector.Params(h, gamma, steps), gaussian(mean, variance));
        Particles particles = new Particles(n, 2);
        for (int call = 0; call < calls; call++) {
            corrector.correct(particles.all(), 0.0, new TestNoise(11 + call, 0));
        }
        for (int i = 0; i < 2; i++) {
            double[] exact = exactMoments(0.0, mean[i], variance[i], h, gamma, steps, calls);
            double sum = 0;
            for (int r = 0; r < n; r++) {
                sum += particles.data()[r * 2 + i];
            }
            double m = sum / n;
            double ss = 0;
            for (int r = 0; r < n; r++) {
                double e = particles.data()[r * 2 + i] - m;
                ss += e * e;
            }
            double var = ss / (n - 1);
            // 5 standard errors: sd/sqrt(n) for the mean, var*sqrt(2/(n-1)) for a Gaussian variance
            assertEquals(exact[0], m, 5 * Math.sqrt(exact[1] / n), "mean of coordinate " + i);
            assertEquals(exact[1], var, 5 * exact[1] * Math.sqrt(2.0 / (n - 1)), "variance of coordinate " + i);
            // After 200 BAOAB steps (40 time units) the ensemble has (nearly) reached the target itself, which BAOAB
            // samples exactly in position for a Gaussian: the reference is not a trivial one.
            assertEquals(mean[i], exact[0], 0.02);
            assertEquals(variance[i], exact[1], 0.01 * variance[i]);
        }
    }

    @Test
    void aParticleDependsOnlyOnItsOwnRowAndNoise() {
        KineticLangevinCorrector corrector = new KineticLangevinCorrector(
                new KineticLangevinCorrector.Params(0.1, 1.0, 5), gaussian(new double[] {1, 1, 1}, new double[] {1, 2, 3}));
        Particles whole = new Particles(10, 3);
        Particles split = new Particles(10, 3);
        for (int c = 0; c < 30; c++) {
            whole.data()[c] = split.data()[c] = 0.1 * c - 1;
        }
        Noise noise = new TestNoise(5, 0);
        corrector.correct(whole.all(), 0.0, noise);
        corrector.correct(split.block(0, 3), 0.0, noise);
        corrector.correct(split.block(3, 10), 0.0, noise);
        assertArrayEquals(whole.data(), split.data());
        assertTrue(whole.data()[0] != -1.0, "the particles moved");
    }

    @Test
    void refusesParametersThatCannotWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KineticLangevinCorrector.Params(0.0, 2.0, 10));
        assertEquals("step must be a finite number > 0, got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KineticLangevinCorrector.Params(0.1, -1.0, 10));
        assertEquals("friction must be a finite number > 0, got -1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KineticLangevinCorrector.Params(0.1, 2.0, 0));
        assertEquals("steps must be >= 1, got 0", e.getMessage());
    }
}
