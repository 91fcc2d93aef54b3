package org.scorepipe.core.correctors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.grids.GeometricGrid;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.kernels.StepRule;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.core.stages.AnnealStage;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** NCSN annealed Langevin on the variance-exploding path with a Gaussian target N(0, S2). */
class AnnealedLangevinCorrectorTest {
    static final double S2 = 0.25;
    final NoisingPath path = new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50.0));
    final ScoreProvider score = new AnalyticScore(new AnalyticScore.Params(), new GaussianMixtureSource(
            new GaussianMixtureSource.Params(List.of(new GaussianMixtureSource.Part(1.0, new double[] {0.0},
                    new double[] {S2}))), new PipelineSpec("test", 1, 1, 1)), path);

    GeometricGrid grid(int levels) {
        return new GeometricGrid(new GeometricGrid.Params(10.0, 0.01, levels), path);
    }

    @Test
    void stepSizesScaleWithTheSquaredNoiseLevels() {
        GeometricGrid grid = grid(10);
        AnnealedLangevinCorrector corrector = new AnnealedLangevinCorrector(
                new AnnealedLangevinCorrector.Params(2e-5, 5), grid, path, score);
        double[] sigmas = grid.noiseLevels();
        double[] steps = corrector.stepSizes();
        for (int i = 0; i < 10; i++) {
            double expected = 2e-5 * sigmas[i] * sigmas[i] / (0.01 * 0.01);
            assertEquals(expected, steps[i], 1e-12 * expected, "level " + i);
        }
    }

    /**
     * On N(0, S2) the score at level i is -x / v_i, v_i = S2 + sigma_i^2, so each inner step is the
     * AR(1) map x' = (1 - a_i / v_i) x + sqrt(2 a_i) z and the variance follows
     * V' = (1 - a_i / v_i)^2 V + 2 a_i exactly. 20 000 particles: mean within 5 standard errors
     * sqrt(V / n), variance within 5 standard errors V sqrt(2 / n).
     */
    @Test
    void followsTheAnnealedChainsVariance() {
        GeometricGrid grid = grid(10);
        int perLevel = 20;
        double epsilon = 1e-4;
        AnnealedLangevinCorrector corrector = new AnnealedLangevinCorrector(
                new AnnealedLangevinCorrector.Params(epsilon, perLevel), grid, path, score);
        int n = 20_000;
        Particles particles = new Particles(n, 1);
        double[] x = particles.data();
        PhiloxNoise.of(6, 0, 0).normals(0, 0, x, 0, n);
        double start = 100.0;
        for (int r = 0; r < n; r++) {
            x[r] *= Math.sqrt(start);
        }
        double[] times = grid.times();
        corrector.correct(particles.all(), times[times.length - 1], PhiloxNoise.of(6, 1, 0));
        double variance = start;
        double[] steps = corrector.stepSizes();
        for (int level = 0; level < 10; level++) {
            double sigma = path.noiseScale(times[level]);
            double contraction = 1 - steps[level] / (S2 + sigma * sigma);
            for (int s = 0; s < perLevel; s++) {
                variance = contraction * contraction * variance + 2 * steps[level];
            }
        }
        double mean = 0;
        double squares = 0;
        for (double v : x) {
            mean += v / n;
            squares += v * v / n;
        }
        assertEquals(0.0, mean, 5 * Math.sqrt(variance / n));
        assertEquals(variance, squares - mean * mean, 5 * variance * Math.sqrt(2.0 / n));
    }

    /** Inner step (level i, step s) draws from stream i T + s: two levels of one step are two Langevin steps. */
    @Test
    void levelsRunInOrderOnSuccessiveStreams() {
        GeometricGrid grid = grid(2);
        AnnealedLangevinCorrector corrector = new AnnealedLangevinCorrector(
                new AnnealedLangevinCorrector.Params(1e-4, 1), grid, path, score);
        double[] times = grid.times();
        double[] steps = corrector.stepSizes();
        double[] start = new double[50];
        PhiloxNoise.of(9, 0, 0).normals(0, 0, start, 0, 50);
        Particles annealed = new Particles(50, 1, 0, start.clone(), 0.0);
        corrector.correct(annealed.all(), times[1], PhiloxNoise.of(9, 2, 5));
        Particles stepwise = new Particles(50, 1, 0, start.clone(), 0.0);
        PhiloxNoise noise = PhiloxNoise.of(9, 2, 5);
        new LangevinCorrector(new LangevinCorrector.Params(steps[0], 1), score).correct(stepwise.all(), times[0], noise);
        new LangevinCorrector(new LangevinCorrector.Params(steps[1], 1), score)
                .correct(stepwise.all(), times[1], noise.streams(1));
        assertArrayEquals(stepwise.data(), annealed.data());
    }

    @Test
    void misuseIsAClearError() {
        GeometricGrid grid = grid(3);
        AnnealedLangevinCorrector corrector = new AnnealedLangevinCorrector(
                new AnnealedLangevinCorrector.Params(1e-4, 1), grid, path, score);
        double end = grid.times()[2];
        IllegalArgumentException time = assertThrows(IllegalArgumentException.class,
                () -> corrector.correct(new Particles(2, 1).all(), 0.5, PhiloxNoise.of(1, 0, 0)));
        assertEquals("annealed-langevin ends at its grid's last time t_L = " + end + " but was asked to correct at t = 0.5;"
                + " set the stage's time to " + end, time.getMessage());
        IllegalArgumentException increasing = assertThrows(IllegalArgumentException.class,
                () -> new AnnealedLangevinCorrector(new AnnealedLangevinCorrector.Params(1e-4, 1),
                        new UniformGrid(new UniformGrid.Params(0.1, 0.9, 2)), path, score));
        assertEquals("annealed-langevin anneals from high noise to low: its grid's times must decrease, but time 1 (0.5)"
                + " is not below time 0 (0.1)", increasing.getMessage());
        assertEquals("give step, the step a_L > 0 at the last level (epsilon is its older name; both are half of"
                + " NCSN's eps)", assertThrows(IllegalArgumentException.class,
                () -> new AnnealedLangevinCorrector.Params(0.0, 1)).getMessage());
        assertEquals("epsilon must be a finite number > 0, got -1.0", assertThrows(IllegalArgumentException.class,
                () -> new AnnealedLangevinCorrector.Params(0.0, -1.0, 1)).getMessage());
        assertEquals("give step or epsilon (its older name, the same value), not both; got step = 1.0E-4, epsilon = 1.0E-4",
                assertThrows(IllegalArgumentException.class,
                        () -> new AnnealedLangevinCorrector.Params(1e-4, 1e-4, 1)).getMessage());
    }

    /**
     * {@code epsilon} is the older name of {@code step}, and both give the step sizes of the anneal
     * stage with {@code step-rule: noise-squared} to the last bit: the NCSN schedule is one.
     */
    @Test
    void epsilonAndStepAreOneScheduleWithTheAnnealStages() {
        GeometricGrid grid = grid(7);
        double[] byStep = new AnnealedLangevinCorrector(new AnnealedLangevinCorrector.Params(3e-5, 0.0, 4), grid, path,
                score).stepSizes();
        double[] byEpsilon = new AnnealedLangevinCorrector(new AnnealedLangevinCorrector.Params(0.0, 3e-5, 4), grid,
                path, score).stepSizes();
        double[] stage = new AnnealStage(new AnnealStage.Params(0, 1.0, 0.0, 4, 3e-5, StepRule.NOISE_SQUARED),
                Optional.of(grid), score, path).stepSizes();
        assertArrayEquals(byStep, byEpsilon);
        assertArrayEquals(stage, byStep);
    }

    /**
     * NCSN's algorithm 1 as Song &amp; Ermon write it, {@code x += (alpha_i / 2) s + sqrt(alpha_i) z}
     * with {@code alpha_i = eps sigma_i^2 / sigma_L^2}, is this corrector with {@code step = eps / 2}:
     * the same numbers to the last bit (halving is exact, so {@code alpha_i / 2 = a_i} and
     * {@code sqrt(alpha_i) = sqrt(2 a_i)} exactly), on the same noise streams.
     */
    @Test
    void theStepIsHalfOfNcsnsEpsilon() {
        GeometricGrid grid = grid(3);
        int perLevel = 2;
        double eps = 4e-5;
        int n = 40;
        double[] start = new double[n];
        PhiloxNoise.of(12, 0, 0).normals(0, 0, start, 0, n);
        double[] times = grid.times();
        Particles ours = new Particles(n, 1, 0, start.clone(), 0.0);
        new AnnealedLangevinCorrector(new AnnealedLangevinCorrector.Params(eps / 2, perLevel), grid, path, score)
                .correct(ours.all(), times[2], PhiloxNoise.of(12, 1, 3));
        double[] x = start.clone();
        double[] s = new double[n];
        double[] z = new double[1];
        PhiloxNoise noise = PhiloxNoise.of(12, 1, 3);
        double last = path.noiseScale(times[2]);
        for (int i = 0, stream = 0; i < 3; i++) {
            double sigma = path.noiseScale(times[i]);
            double alpha = eps * (sigma * sigma) / (last * last);
            for (int t = 0; t < perLevel; t++, stream++) {
                score.score(x, 0, n, times[i], s);
                for (int r = 0; r < n; r++) {
                    noise.normals(r, stream, z, 0, 1);
                    x[r] += alpha / 2 * s[r] + Math.sqrt(alpha) * z[0];
                }
            }
        }
        assertArrayEquals(x, ours.data());
    }
}
