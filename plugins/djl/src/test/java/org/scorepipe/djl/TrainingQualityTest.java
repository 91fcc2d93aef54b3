package org.scorepipe.djl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.scorepipe.onnx.ScoreOutput;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.RunControl;

/**
 * A short denoising-score-matching run on the quickstart's 2-D, 3-component mixture, then the
 * quickstart's predictor-corrector sampler with the learned score (through the {@code onnx}
 * provider) and with the exact score: the learned run's sliced-Wasserstein distance to the target
 * must be within a bound of the exact run's.
 */
class TrainingQualityTest {
    static final String COMPONENTS = """
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.2, mean: [-4.0, 0.0], covariance: 0.5}
                  - {weight: 0.4, mean: [4.0, 0.0], covariance: [1.0, 0.3]}
                  - {weight: 0.4, mean: [0.0, 4.0], covariance: [0.6, 0.2, 0.2, 0.4]}
              path: {type: ornstein-uhlenbeck}
              score: %s
            stages:
              - {name: init, type: init, from: gaussian}
              - {name: corrector, type: corrector, time: 1.0, steps: 200, corrector: {type: langevin, step: 0.05}}
              - {name: sample, type: sample, grid: {type: uniform, from: 1.0, to: 1.0e-3, steps: 100}, predictor: {type: probability-flow}}
              - {name: eval, type: evaluate, evaluators: [{type: sliced-wasserstein, projections: 256}]}
            """;

    @TempDir
    Path dir;

    @Test
    void aShortTrainingRunSamplesNearlyAsWellAsTheExactScore() throws IOException {
        int particles = 6000;
        GaussianMixtureSource.Params mixture = new GaussianMixtureSource.Params(List.of(
                new GaussianMixtureSource.Part(0.2, new double[] {-4, 0}, new double[] {0.5}),
                new GaussianMixtureSource.Part(0.4, new double[] {4, 0}, new double[] {1.0, 0.3}),
                new GaussianMixtureSource.Part(0.4, new double[] {0, 4}, new double[] {0.6, 0.2, 0.2, 0.4})));
        DataSource data = new GaussianMixtureSource(mixture, new PipelineSpec("gmm", 7, particles, 2));
        NoisingPath path = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
        int steps = Integer.getInteger("scorepipe.train.steps", 1500);
        DenoisingScoreMatching.Settings settings = new DenoisingScoreMatching.Settings(new int[] {128, 128},
                MlpWeights.Activation.SILU, ScoreOutput.EPSILON, steps, 512, 3e-3, 1e-3, 1.5, 1);
        PhiloxNoise noise = new PhiloxNoise(7);
        long start = System.nanoTime();
        DenoisingScoreMatching.Result trained = new DenoisingScoreMatching(settings, data, path, "ornstein-uhlenbeck")
                .train(k -> {
                    noise.position(0, k);
                    return noise;
                }, 7, dir.resolve("train"), true, (step, total, loss) -> { });

        double trainSeconds = (System.nanoTime() - start) / 1e9;
        Scorepipe scorepipe = new Scorepipe(ComponentRegistry.discover(getClass().getClassLoader()));
        double exact = slicedWasserstein(scorepipe, "exact", "{type: analytic}", particles);
        double learned = slicedWasserstein(scorepipe, "learned", "{type: onnx, model: '" + trained.onnx().orElseThrow()
                + "', output: epsilon}", particles);
        System.out.printf("sliced-Wasserstein: exact score %.4f, learned (%d steps in %.1f s, final loss %.4f) %.4f%n", exact,
                steps, trainSeconds, trained.finalLoss(), learned);
        // The bound, +0.10 over the exact score's run with the same particles, noise and directions: moving a
        // fraction w of the mass between two modes ~5.7 apart changes the projected W1 by about w * 5.7 * E|cos| =
        // w * 5.7 * 2/pi, so +0.10 allows mode weights off by ~3 points plus a little shape error. Measured here:
        // exact 0.101; learned 0.142 after these 1500 steps (22 s in all on 2 cores); a network trained for only
        // 30 steps, 0.87 (mode weights 0.22/0.43/0.35), so the test fails for an undertrained or mis-scaled score.
        // The full run of pipelines/train-gmm-2d.yaml (6000 steps, 20000 particles) gives 0.150 against 0.101 (0.116 and
        // 0.122 with training seeds 8 and 9: the spread of one training).
        assertTrue(learned <= exact + 0.10, "learned " + learned + " vs exact " + exact);
    }

    private double slicedWasserstein(Scorepipe scorepipe, String name, String score, int particles) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "pipeline: {name: " + name + ", seed: 7, particles: " + particles + ", dimension: 2}\n"
                + "checkpoint: {every: 0, keep: 0}\n" + COMPONENTS.formatted(score));
        Scorepipe.RunResult result = scorepipe.run(new Scorepipe.RunRequest(file, List.of(), Optional.of(dir.resolve("run-" + name)),
                dir.resolve("runs")), new RunControl());
        return result.evaluations().get(0).metrics().number("sliced-wasserstein");
    }
}
