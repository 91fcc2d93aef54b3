package org.scorepipe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.onnx.MlpWeights;
import org.scorepipe.onnx.Precision;
import org.scorepipe.onnx.ScoreOutput;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.RunControl;

/**
 * Learned scores in 100 dimensions: the mixture of pipelines/chained-ld-gmm.yaml (weights 0.2 / 0.4 /
 * 0.4: N(0, 3 I), N(+1.5 * 1, I), N(-1.5 * 1, I)) along the Ornstein-Uhlenbeck path, as
 * pipelines/train-gmm-100d.yaml trains and pipelines/learned-pc-gmm-100d.yaml samples it.
 */
class HighDimensionalTrainingTest {
    static final int D = 100;
    static final Path PIPELINES = Path.of(System.getProperty("scorepipe.pipelines", "../../pipelines")).toAbsolutePath();
    static final NoisingPath OU = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());

    @TempDir
    Path dir;

    static double[] filled(double v) {
        double[] a = new double[D];
        Arrays.fill(a, v);
        return a;
    }

    static DataSource mixture() {
        return new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
                new GaussianMixtureSource.Part(0.2, filled(0.0), new double[] {3.0}),
                new GaussianMixtureSource.Part(0.4, filled(1.5), new double[] {1.0}),
                new GaussianMixtureSource.Part(0.4, filled(-1.5), new double[] {1.0}))), new PipelineSpec("gmm-100d", 7, 10, D));
    }

    /** The shipped pipelines, shrunk: 2000 particles, 200 corrector steps, 100 flow steps. */
    @Test
    void theShippedModelKeepsTheModeWeightsOfTheExactScore() throws IOException {
        Scorepipe scorepipe = new Scorepipe(ComponentRegistry.discover(getClass().getClassLoader()));
        double[] exact = modeFrequencies(scorepipe, "train-gmm-100d.yaml");
        double[] learned = modeFrequencies(scorepipe, "learned-pc-gmm-100d.yaml");
        System.out.printf("mode frequencies, 2000 particles: exact %s, learned %s%n", Arrays.toString(exact),
                Arrays.toString(learned));
        for (int k = 0; k < 3; k++) {
            // 0.05, the bound: a share's binomial standard error at n = 2000 is at most sqrt(0.24 / 2000) = 0.011,
            // that of the difference of the two runs' shares at most 0.0155 (less: they share their noise); the full
            // pipelines (4000 particles) measured the learned shares 0.018 from the exact ones (three trainings: 0.016
            // to 0.020), so 0.05 leaves 2 se of the difference on top.
            // Measured with these shrunk settings: exact [0.2195, 0.374, 0.4065], shipped model [0.239, 0.3805, 0.3805];
            // a plain MLP (skip: none, ema: 0.999, 6000 steps) [0.2715, 0.3745, 0.354] and one with the skip but only
            // 2000 steps [0.3605, 0.317, 0.3225]: both fail here.
            assertEquals(exact[k], learned[k], 0.05, "mode " + k + ": learned " + Arrays.toString(learned) + " vs exact "
                    + Arrays.toString(exact));
        }
    }

    private double[] modeFrequencies(Scorepipe scorepipe, String pipeline) throws IOException {
        Scorepipe.RunResult result = scorepipe.run(new Scorepipe.RunRequest(PIPELINES.resolve(pipeline), List.of(
                "pipeline.particles=2000", "stages.corrector.steps=200", "stages.sample.grid.steps=100", "checkpoint.every=0"),
                Optional.of(dir.resolve("run-" + pipeline)), dir.resolve("runs"), Optional.empty()), new RunControl());
        return result.evaluations().get(0).metrics().vector("mode-frequencies");
    }

    /**
     * A few steps with {@code skip: gaussian}: the model records the data's moments, and the djl
     * score is {@code -(eps_G + y) / sigma_t} with {@code y} the network's own output.
     */
    @Test
    void aSkipModelRecordsTheDataGaussianAndItsScoreAddsTheGaussianPredictionBack() {
        DenoisingScoreMatching.Settings settings = new DenoisingScoreMatching.Settings(new int[] {16, 16},
                MlpWeights.Activation.SILU, ScoreOutput.EPSILON, 20, 128, 2e-3, 1e-3, 2.5, 1)
                .withEma(0.9).withSkip(DenoisingScoreMatching.Skip.GAUSSIAN, 20000);
        PhiloxNoise noise = new PhiloxNoise(3);
        DenoisingScoreMatching.Result trained = new DenoisingScoreMatching(settings, mixture(), OU, "ornstein-uhlenbeck")
                .train(k -> {
                    noise.position(0, k);
                    return noise;
                }, 3, dir.resolve("train"), false, (step, total, loss) -> { });
        ScoreNetwork.Description description = ScoreNetwork.describe(trained.model());
        assertNotNull(description.gaussian(), "the description holds the skip's Gaussian");
        // The mixture's moments: mean 0 (the +-1.5 modes weigh the same), covariance
        // sum_k w_k (C_k + m_k m_k^T) = 0.2 * 3 I + 0.8 I + 0.8 * 2.25 * 1 1^T: 3.2 on the diagonal, 1.8 off it.
        // From 20000 draws: a mean's standard error sqrt(3.2 / 20000) = 0.013 (tolerance 0.07, > 5 se), a covariance
        // entry's sqrt(C_ii C_jj + C_ij^2) / sqrt(20000) <= 0.026 (tolerance 0.15, > 5 se), for 10 000 entries.
        double[] mean = description.gaussian().mean();
        double[] cov = description.gaussian().covariance();
        for (int i = 0; i < D; i++) {
            assertEquals(0.0, mean[i], 0.07, "mean " + i);
            for (int j = 0; j < D; j++) {
                assertEquals(i == j ? 3.2 : 1.8, cov[i * D + j], 0.15, "covariance " + i + "," + j);
            }
        }
        GaussianSkip skip = new GaussianSkip(mean, cov);
        DjlScore djl = new DjlScore(new DjlScore.Params(trained.model().toString(), "x", "t", null, ScoreOutput.EPSILON,
                Precision.FLOAT64, 1), new PipelineSpec("test", 1, 10, D), OU);
        int rows = 5;
        double[] x = new double[rows * D];
        PhiloxNoise.of(8, 0, 0).normals(0, 0, x, 0, x.length);
        for (double t : new double[] {0.01, 0.7, 2.0}) {
            double[] y = new double[rows * D];
            trained.weights().forward(x, 0, rows, t, y);
            double[] base = new double[rows * D];
            skip.epsilon(x, 0, rows, OU.meanScale(t), OU.noiseScale(t), base, 0);
            double[] s = new double[rows * D];
            djl.score(x, 0, rows, t, s);
            for (int i = 0; i < s.length; i++) {
                double expected = -(base[i] + y[i]) / OU.noiseScale(t);
                // float64 in DJL against the double reference of the float32 weights: rounding only, ~1e-12 relative
                assertEquals(expected, s[i], 1e-9 * (1 + Math.abs(expected)), "t = " + t + ", i = " + i);
            }
        }
    }

    @Test
    void badEmaAndSkipSettingsAreClearErrors() {
        DenoisingScoreMatching.Settings plain = new DenoisingScoreMatching.Settings(new int[] {8}, MlpWeights.Activation.SILU,
                ScoreOutput.EPSILON, 5, 16, 2e-3, 1e-3, 2.5, 1);
        String m = assertThrows(IllegalArgumentException.class, () -> plain.withEma(1.0)).getMessage();
        assertTrue(m.contains("ema must be in [0, 1)"), m);
        DenoisingScoreMatching.Settings score = new DenoisingScoreMatching.Settings(new int[] {8}, MlpWeights.Activation.SILU,
                ScoreOutput.SCORE, 5, 16, 2e-3, 1e-3, 2.5, 1);
        m = assertThrows(IllegalArgumentException.class, () -> score.withSkip(DenoisingScoreMatching.Skip.GAUSSIAN, 100))
                .getMessage();
        assertTrue(m.contains("skip: gaussian needs output: epsilon"), m);
        DenoisingScoreMatching trainer = new DenoisingScoreMatching(plain.withSkip(DenoisingScoreMatching.Skip.GAUSSIAN, 100),
                mixture(), OU, "ornstein-uhlenbeck");
        PhiloxNoise noise = new PhiloxNoise(3);
        Path out = dir.resolve("never");
        m = assertThrows(IllegalArgumentException.class, () -> trainer.train(k -> {
            noise.position(0, k);
            return noise;
        }, 3, out, true, (step, total, loss) -> { })).getMessage();
        assertTrue(m.contains("--export-onnx: the ONNX graph does not carry train.skip: gaussian"), m);
        assertFalse(java.nio.file.Files.exists(out), "refused before training: nothing written");
    }
}
