package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.kernels.StepRule;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.runtime.noise.PhiloxNoise;

class AnnealAndChainedStagesTest {
    static final int D = 6;
    static final long SEED = 77;

    static NoisingPath ve() {
        return new VarianceExplodingPath(new VarianceExplodingPath.Params(0.05, 10.0));
    }

    static Optional<TimeGrid> grid(int levels) {
        return Optional.of(new UniformGrid(new UniformGrid.Params(1.0, 0.0, levels - 1)));
    }

    /** A well-separated 3-component mixture in D dimensions with correlated (full) components. */
    static AnalyticScore mixtureScore(NoisingPath path) {
        List<GaussianMixture.Gaussian> parts = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            double[] mean = new double[D];
            double[] cov = new double[D * D];
            for (int i = 0; i < D; i++) {
                mean[i] = (k - 1) * 3.0 + 0.1 * i;
                for (int j = 0; j < D; j++) {
                    cov[i * D + j] = i == j ? 1.0 : 0.3 * Math.pow(0.5, Math.abs(i - j));
                }
            }
            parts.add(new GaussianMixture.Gaussian(mean, Form.FULL, cov));
        }
        GaussianMixture mixture = new GaussianMixture(new double[] {0.2, 0.4, 0.4}, parts);
        DataSource data = new DataSource() {
            @Override
            public int dimension() {
                return D;
            }

            @Override
            public void sample(Block block, Noise noise) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<GaussianMixture> gaussianMixture() {
                return Optional.of(mixture);
            }
        };
        return new AnalyticScore(new AnalyticScore.Params(), data, path);
    }

    static Particles start(int n) {
        Particles particles = new Particles(n, D);
        double[] x = particles.data();
        for (int i = 0; i < n; i++) {
            PhiloxNoise.of(SEED, 0, 0).normals(i, 0, x, i * D, D);
        }
        return particles;
    }

    /** Runs every step of the stage as stage 1 of a run, block by block in blocks of {@code blockSize} rows. */
    static void run(org.scorepipe.api.Stage stage, Particles particles, int blockSize) {
        PhiloxNoise noise = new PhiloxNoise(SEED);
        for (int from = 0; from < particles.size(); from += blockSize) {
            Block block = particles.block(from, Math.min(particles.size(), from + blockSize));
            for (long k = 0; k < stage.steps(); k++) {
                noise.position(1, k);
                stage.step(k, block, noise);
            }
        }
    }

    @Test
    void chainedWithOnePatchOfSizeDIsAnnealedLangevinExactly() {
        NoisingPath path = ve();
        AnalyticScore score = mixtureScore(path);
        AnnealStage anneal = new AnnealStage(new AnnealStage.Params(0, 1.0, 0.0, 7, 2e-3, StepRule.NOISE_SQUARED),
                grid(5), score, path);
        ChainedLangevinStage chained = new ChainedLangevinStage(
                new ChainedLangevinStage.Params(D, 0, 1.0, 0.0, 7, 2e-3, StepRule.NOISE_SQUARED),
                new PipelineSpec("t", SEED, 50, D), grid(5), score, path);
        assertEquals(35, anneal.steps());
        assertEquals(anneal.steps(), chained.steps());
        Particles a = start(50);
        Particles c = start(50);
        run(anneal, a, 16);
        run(chained, c, 50);
        assertArrayEquals(a.data(), c.data());
        for (long k = 0; k <= anneal.steps(); k++) {
            assertEquals(anneal.time(k, 9.0), chained.time(k, 9.0));
        }
        // And it moved: the particles are no longer where they started.
        assertFalse(Arrays.equals(start(50).data(), a.data()));
    }

    @Test
    void annealStepsMapToLevelsAndStepSizesFollowTheRule() {
        NoisingPath path = ve();
        ScoreProvider zero = (x, offset, rows, t, out) -> Arrays.fill(out, 0, rows * D, 0.0);
        AnnealStage stage = new AnnealStage(new AnnealStage.Params(3, 1.0, 0.5, 4, 0.01, StepRule.NOISE_SQUARED),
                Optional.empty(), zero, path);
        assertArrayEquals(new double[] {1.0, 0.75, 0.5}, stage.times());
        double last = path.noiseScale(0.5);
        for (int l = 0; l < 3; l++) {
            double s = path.noiseScale(stage.times()[l]);
            assertEquals(0.01 * s * s / (last * last), stage.stepSizes()[l], 1e-15);
        }
        assertEquals(12, stage.steps());
        assertEquals(9.0, stage.time(0, 9.0));
        assertEquals(1.0, stage.time(4, 9.0));
        assertEquals(0.75, stage.time(5, 9.0));
        assertEquals(0.5, stage.time(12, 9.0));
        // With a zero score one step is x + sqrt(2 h_l) xi, xi the normals of stream 0 of step k.
        Particles p = start(3);
        double[] before = p.data().clone();
        PhiloxNoise noise = PhiloxNoise.of(SEED, 1, 5);
        stage.step(5, p.all(), noise);
        double h = stage.stepSizes()[1];
        double[] xi = new double[D];
        for (int i = 0; i < 3; i++) {
            noise.normals(i, 0, xi, 0, D);
            for (int j = 0; j < D; j++) {
                assertEquals(before[i * D + j] + Math.sqrt(2 * h) * xi[j], p.data()[i * D + j], 0.0);
            }
        }
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> new AnnealStage(
                new AnnealStage.Params(3, 1.0, 0.0, 1, 0.1, StepRule.CONSTANT), grid(3), zero, path));
        assertTrue(both.getMessage().contains("either a grid or levels"), both.getMessage());
        IllegalArgumentException neither = assertThrows(IllegalArgumentException.class, () -> new AnnealStage(
                new AnnealStage.Params(0, 1.0, 0.0, 1, 0.1, StepRule.CONSTANT), Optional.empty(), zero, path));
        assertTrue(neither.getMessage().contains("give the levels' times"), neither.getMessage());
    }

    @Test
    void annealedLangevinOnAGaussianSettlesAtTheDiscretisedVariance() {
        // One level on N(0, v I) (score -x / v) from N(0, I): ULA's invariant law is N(0, v / (1 - h / (2 v))).
        double v = 2.0;
        double h = 0.1;
        NoisingPath path = ve();
        AnnealStage stage = new AnnealStage(new AnnealStage.Params(1, 0.3, 0.3, 200, h, StepRule.CONSTANT),
                Optional.empty(), (x, offset, rows, t, out) -> {
                    for (int i = 0; i < rows * D; i++) {
                        out[i] = -x[offset + i] / v;
                    }
                }, path);
        Particles p = start(4000);
        run(stage, p, 1000);
        double square = 0.0;
        for (double value : p.data()) {
            square += value * value / p.data().length;
        }
        // After 200 steps the start is forgotten ((1 - h / v)^400 ~ 1e-9); the mean of 24 000 squares of
        // N(0, 2.105) has sd 2.105 sqrt(2 / 24000) = 0.019: 5 sd.
        double expected = v / (1 - h / (2 * v));
        assertEquals(expected, square, 5 * expected * Math.sqrt(2.0 / p.data().length));
    }

    @Test
    void eachStepMovesOnlyItsPatch() {
        NoisingPath path = ve();
        AnalyticScore score = mixtureScore(path);
        ChainedLangevinStage chained = new ChainedLangevinStage(
                new ChainedLangevinStage.Params(2, 2, 1.0, 0.0, 3, 1e-3, StepRule.NOISE_SQUARED),
                new PipelineSpec("t", SEED, 5, D), Optional.empty(), score, path);
        // 3 patches x 2 levels x 3 steps.
        assertEquals(18, chained.steps());
        Particles p = start(5);
        PhiloxNoise noise = new PhiloxNoise(SEED);
        for (long k = 0; k < chained.steps(); k++) {
            double[] before = p.data().clone();
            noise.position(1, k);
            chained.step(k, p.all(), noise);
            int patch = (int) (k / 6);
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < D; j++) {
                    boolean inPatch = j / 2 == patch;
                    assertEquals(inPatch, before[i * D + j] != p.data()[i * D + j], "step " + k + ", coordinate " + j);
                }
            }
        }
        // Step k - 1 is at level ((k - 1) mod 6) / 3 of its patch.
        assertEquals(1.0, chained.time(3, 9.0));
        assertEquals(0.0, chained.time(4, 9.0));
        assertEquals(0.0, chained.time(6, 9.0));
        assertEquals(1.0, chained.time(7, 9.0));
        assertEquals(0.0, chained.time(18, 9.0));
    }

    @Test
    void badPatchesAndScoresAreRefusedClearly() {
        NoisingPath path = ve();
        IllegalArgumentException patch = assertThrows(IllegalArgumentException.class, () -> new ChainedLangevinStage(
                new ChainedLangevinStage.Params(4, 3, 1.0, 0.0, 1, 1e-3, StepRule.NOISE_SQUARED),
                new PipelineSpec("t", SEED, 5, D), Optional.empty(), mixtureScore(path), path));
        assertTrue(patch.getMessage().contains("patch size 4 does not divide d = 6"), patch.getMessage());
        ConditionalScore trainedOnPairs = new ConditionalScore() {
            @Override
            public void checkPatches(int d, int q) {
                if (q != 2) {
                    throw new IllegalArgumentException("this network reads patches of 2 coordinates, not " + q);
                }
            }

            @Override
            public int stateWidth(int from, int to) {
                return 0;
            }

            @Override
            public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
            }

            @Override
            public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int so,
                    double[] out) {
            }
        };
        IllegalArgumentException score = assertThrows(IllegalArgumentException.class, () -> new ChainedLangevinStage(
                new ChainedLangevinStage.Params(3, 3, 1.0, 0.0, 1, 1e-3, StepRule.NOISE_SQUARED),
                new PipelineSpec("t", SEED, 5, D), Optional.empty(), trainedOnPairs, path));
        assertTrue(score.getMessage().contains("reads patches of 2 coordinates, not 3"), score.getMessage());
        ScoreProvider plain = (x, offset, rows, t, out) -> { };
        IllegalArgumentException noNoise = assertThrows(IllegalArgumentException.class, () -> new AnnealStage(
                new AnnealStage.Params(3, 1.0, 0.0, 1, 0.1, StepRule.NOISE_SQUARED), Optional.empty(), plain,
                new org.scorepipe.core.paths.OrnsteinUhlenbeckPath(new org.scorepipe.core.paths.OrnsteinUhlenbeckPath.Params())));
        assertTrue(noNoise.getMessage().contains("use step-rule: constant"), noNoise.getMessage());
    }

    /** The analytic conditional score, counting the rows whose prefix states it computes. */
    static final class CountingPrefixes implements ConditionalScore {
        final AnalyticScore score;
        long prefixRows;

        CountingPrefixes(AnalyticScore score) {
            this.score = score;
        }

        @Override
        public int stateWidth(int from, int to) {
            return score.stateWidth(from, to);
        }

        @Override
        public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
            prefixRows += rows;
            score.prefix(x, offset, rows, from, to, state, stateOffset);
        }

        @Override
        public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int so,
                double[] out) {
            score.score(x, offset, rows, from, to, t, state, so, out);
        }
    }

    @Test
    void aPrefixIsReadOncePerParticleAndPatchAndKeepingItChangesNoBit() {
        NoisingPath path = ve();
        ChainedLangevinStage.Params params = new ChainedLangevinStage.Params(2, 2, 1.0, 0.0, 3, 1e-3, StepRule.NOISE_SQUARED);
        CountingPrefixes kept = new CountingPrefixes(mixtureScore(path));
        ChainedLangevinStage chained = new ChainedLangevinStage(params, new PipelineSpec("t", SEED, 40, D), Optional.empty(),
                kept, path);
        Particles once = start(40);
        run(chained, once, 16); // blocks of 16, 16, 8 rows, each kept for all 18 steps
        assertEquals(40L * (D / 2), kept.prefixRows, "one prefix per particle and patch, not one per step");
        // A new block at every step, as after a resume at any step: the prefix is read again every time.
        CountingPrefixes everyStep = new CountingPrefixes(mixtureScore(path));
        ChainedLangevinStage again = new ChainedLangevinStage(params, new PipelineSpec("t", SEED, 40, D), Optional.empty(),
                everyStep, path);
        Particles fresh = start(40);
        PhiloxNoise noise = new PhiloxNoise(SEED);
        for (long k = 0; k < again.steps(); k++) {
            noise.position(1, k);
            again.step(k, fresh.block(0, 40), noise);
        }
        assertEquals(40L * again.steps(), everyStep.prefixRows);
        assertArrayEquals(once.data(), fresh.data());
        assertFalse(Arrays.equals(start(40).data(), once.data()));
    }
}
