package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multistep solvers keep each particle's previous denoised estimate as checkpointed state: a
 * run cut back to a checkpoint in the middle of their sample stage resumes, through the real CLI,
 * to the bytes of the uninterrupted run (a resume that lost the state would take a first-order
 * step there and differ), and with other threads and blocks it gives the same bytes.
 */
class MultistepResumeIT {
    private static final String PIPELINE = """
            pipeline: {name: multistep, seed: 5, particles: 2000, dimension: 3}
            checkpoint: {every: 6, keep: 100}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.4, mean: [-2.0, 0.0, 1.0], covariance: 0.3}
                  - {weight: 0.6, mean: [2.0, 1.0, 0.0], covariance: 0.5}
              path: {type: vp}
              score: {type: analytic}
            stages:
              - {name: init, type: init, from: gaussian, time: 1.0}
              - name: sample
                type: sample
                grid: {type: uniform, from: 1.0, to: 0.01, steps: 20}
                predictor: {type: PREDICTOR}
              - {name: save, type: save}
            """;

    @TempDir
    Path dir;

    @Test
    void resumesInsideTheSampleStageToTheSameBytes() throws Exception {
        for (String predictor : new String[] {"dpm-solver++", "dpm-solver++-sde"}) {
            String file = predictor + ".yaml";
            Files.writeString(dir.resolve(file), PIPELINE.replace("PREDICTOR", predictor));
            String reference = "reference-" + predictor;
            Cli.Result r = Cli.run(dir, "run", file, "--out", reference, "--quiet");
            assertEquals(0, r.exitCode(), r.all());
            byte[] expected = Files.readAllBytes(dir.resolve(reference).resolve("samples.npy"));

            Cli.Result other = Cli.run(dir, "run", file, "--out", "blocks-" + predictor, "--quiet", "--threads", "1",
                    "--block-size", "300");
            assertEquals(0, other.exitCode(), other.all());
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("blocks-" + predictor).resolve("samples.npy")),
                    predictor + " with other blocks");

            String cut = "cut-" + predictor;
            Path checkpoints = dir.resolve(cut).resolve("checkpoints");
            Files.createDirectories(checkpoints);
            Files.copy(dir.resolve(reference).resolve("config.yaml"), dir.resolve(cut).resolve("config.yaml"));
            String mid = "ckpt-s001-k0000000012.spck";
            Files.copy(dir.resolve(reference).resolve("checkpoints").resolve(mid), checkpoints.resolve(mid));
            Cli.Result resumed = Cli.run(dir, "resume", cut, "--quiet");
            assertEquals(0, resumed.exitCode(), resumed.all());
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve(cut).resolve("samples.npy")),
                    predictor + " resumed from " + mid);
        }
    }
}
