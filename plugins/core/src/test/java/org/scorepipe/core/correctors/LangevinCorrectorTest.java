package org.scorepipe.core.correctors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

class LangevinCorrectorTest {

    /** The score of N(0, v) in one dimension: -x / v. */
    static ScoreProvider gaussianScore(double variance) {
        return (x, offset, rows, t, out) -> {
            for (int c = 0; c < rows; c++) {
                out[c] = -x[offset + c] / variance;
            }
        };
    }

    /**
     * On N(0, s^2) in one dimension, ULA is the AR(1) chain x' = (1 - h/s^2) x + sqrt(2h) xi,
     * whose stationary variance is 2h / (1 - (1 - h/s^2)^2) = s^2 / (1 - h / (2 s^2)). With
     * h = s^2 / 2 that is 4/3 s^2, a third above the target, so the test sees the discretisation.
     */
    @Test
    void reachesTheStationaryVarianceOfTheDiscreteChain() {
        double s2 = 2.0;
        double h = 0.5 * s2;
        double stationary = s2 / (1 - h / (2 * s2));
        LangevinCorrector corrector = new LangevinCorrector(new LangevinCorrector.Params(h, 5), gaussianScore(s2));
        int n = 20_000;
        Particles particles = new Particles(n, 1);
        // Start far out: the chain contracts by 1 - h/s^2 = 1/2 per step, so after 50 steps the
        // start is forgotten to 3 * 2^-50.
        Arrays.fill(particles.data(), 3.0);
        for (int call = 0; call < 10; call++) {
            corrector.correct(particles.all(), 0.5, PhiloxNoise.of(99, 0, call));
        }
        double[] x = particles.data();
        double sum = 0;
        double squares = 0;
        for (double v : x) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / n;
        double variance = squares / n - mean * mean;
        // 5 standard errors: sqrt(v / n) for the mean, v sqrt(2 / n) for a Gaussian's sample variance.
        assertEquals(0.0, mean, 5 * Math.sqrt(stationary / n));
        assertEquals(stationary, variance, 5 * stationary * Math.sqrt(2.0 / n));
        assertTrue(Math.abs(variance - s2) > 10 * stationary * Math.sqrt(2.0 / n), "distinguishable from s^2");
    }

    /** Inner step j draws from stream j: two inner steps equal one step on stream 0, then one on stream 1. */
    @Test
    void innerStepsUseSuccessiveStreams() {
        ScoreProvider score = gaussianScore(1.5);
        Particles twice = new Particles(10, 1);
        Particles stepwise = new Particles(10, 1);
        Arrays.fill(twice.data(), 1.0);
        Arrays.fill(stepwise.data(), 1.0);
        new LangevinCorrector(new LangevinCorrector.Params(0.1, 2), score).correct(twice.all(), 0.3, PhiloxNoise.of(5, 1, 7));
        LangevinCorrector single = new LangevinCorrector(new LangevinCorrector.Params(0.1, 1), score);
        PhiloxNoise noise = PhiloxNoise.of(5, 1, 7);
        single.correct(stepwise.all(), 0.3, noise);
        single.correct(stepwise.all(), 0.3, noise.streams(1));
        assertArrayEquals(twice.data(), stepwise.data());
    }

    @Test
    void resultsDoNotDependOnTheBlocking() {
        PipelineSpec pipeline = new PipelineSpec("test", 1, 100, 3);
        GaussianMixtureSource data = new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
                new GaussianMixtureSource.Part(0.4, new double[] {1, 0, -1}, new double[] {1, 0.3, 0, 0.3, 1, 0.2, 0, 0.2, 1}),
                new GaussianMixtureSource.Part(0.6, new double[] {-1, 2, 0}, new double[] {0.5}))), pipeline);
        ScoreProvider score = new AnalyticScore(new AnalyticScore.Params(), data,
                new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params()));
        LangevinCorrector corrector = new LangevinCorrector(new LangevinCorrector.Params(0.05, 3), score);
        double[] start = new double[300];
        PhiloxNoise.of(2, 0, 0).normals(0, 0, start, 0, 300);
        Particles whole = new Particles(100, 3, 40, start.clone(), 0.0);
        corrector.correct(whole.all(), 0.2, PhiloxNoise.of(2, 3, 4));
        Particles split = new Particles(100, 3, 40, start.clone(), 0.0);
        PhiloxNoise noise = PhiloxNoise.of(2, 3, 4);
        corrector.correct(split.block(37, 100), 0.2, noise);
        corrector.correct(split.block(0, 37), 0.2, noise);
        assertArrayEquals(whole.data(), split.data());
    }

    /** The score of N(0, v I) in d dimensions: -x / v. */
    static ScoreProvider isotropicScore(int d, double variance) {
        return (x, offset, rows, t, out) -> {
            for (int c = 0; c < rows * d; c++) {
                out[c] = -x[offset + c] / variance;
            }
        };
    }

    /**
     * With snr = r each particle's step is h = 2 (r |xi| / |s|)^2 from its own noise and score:
     * recomputed here from the same draws, to rounding.
     */
    @Test
    void signalToNoiseRuleSetsTheStepPerParticle() {
        int d = 5;
        double r = 0.16;
        double variance = 2.0;
        LangevinCorrector corrector = new LangevinCorrector(LangevinCorrector.Params.signalToNoise(r, 1),
                isotropicScore(d, variance));
        double[] start = new double[4 * d];
        PhiloxNoise.of(8, 0, 0).normals(0, 0, start, 0, start.length);
        Particles particles = new Particles(4, d, 10, start.clone(), 0.0);
        corrector.correct(particles.all(), 0.4, PhiloxNoise.of(8, 1, 2));
        double[] xi = new double[d];
        for (int row = 0; row < 4; row++) {
            PhiloxNoise.of(8, 1, 2).normals(10 + row, 0, xi, 0, d);
            double noise2 = 0;
            double score2 = 0;
            for (int i = 0; i < d; i++) {
                noise2 += xi[i] * xi[i];
                double s = -start[row * d + i] / variance;
                score2 += s * s;
            }
            double h = 2 * r * r * noise2 / score2;
            for (int i = 0; i < d; i++) {
                double s = -start[row * d + i] / variance;
                double expected = start[row * d + i] + h * s + Math.sqrt(2 * h) * xi[i];
                assertEquals(expected, particles.data()[row * d + i], 1e-14, "row " + row + ", coordinate " + i);
                // The drift is r times as long as the noise.
            }
            assertEquals(r, h * Math.sqrt(score2) / (Math.sqrt(2 * h) * Math.sqrt(noise2)), 1e-14);
        }
    }

    @Test
    void signalToNoiseResultsDoNotDependOnTheBlocking() {
        LangevinCorrector corrector = new LangevinCorrector(LangevinCorrector.Params.signalToNoise(0.2, 3),
                isotropicScore(3, 1.5));
        double[] start = new double[300];
        PhiloxNoise.of(2, 0, 0).normals(0, 0, start, 0, 300);
        Particles whole = new Particles(100, 3, 0, start.clone(), 0.0);
        corrector.correct(whole.all(), 0.2, PhiloxNoise.of(2, 3, 4));
        Particles split = new Particles(100, 3, 0, start.clone(), 0.0);
        PhiloxNoise noise = PhiloxNoise.of(2, 3, 4);
        corrector.correct(split.block(0, 13), 0.2, noise);
        corrector.correct(split.block(13, 100), 0.2, noise);
        assertArrayEquals(whole.data(), split.data());
    }

    @Test
    void stepAndSignalToNoiseAreExclusive() {
        assertEquals("give either step (a fixed step size) or snr (the signal-to-noise rule), not both; got step = 0.1,"
                + " snr = 0.16", assertThrows(IllegalArgumentException.class,
                        () -> new LangevinCorrector.Params(0.1, 1, 0.16)).getMessage());
        assertEquals("snr must be a finite number >= 0 (0: use the fixed step), got -1.0",
                assertThrows(IllegalArgumentException.class, () -> new LangevinCorrector.Params(0.0, 1, -1.0)).getMessage());
    }

    @Test
    void parametersAreValidated() {
        assertEquals("step must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new LangevinCorrector.Params(0.0, 1)).getMessage());
        assertEquals("steps must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new LangevinCorrector.Params(0.1, 0)).getMessage());
    }
}
