package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training killed with SIGKILL after a checkpoint continues, by the same command, on the path of
 * an uninterrupted training; a finished training and one of another config are refused with one
 * line each.
 *
 * <p>How exact: the steps right after the checkpoint must be the uninterrupted run's bit for bit
 * (a weight, an Adam moment or count restored wrong shows in the first step), and the training
 * must end within a tolerance of it. Not bit for bit to the end: libtorch trainings here leave each
 * other's path now and then by themselves, resumed or not (2 of 8 uninterrupted runs of this file
 * beside other work, from about step 270 on; see pipelines/README.md, "Training that resumes"), and
 * they then end within 4e-4 of each other's held-out loss; the tolerance is 0.01.
 */
class TrainResumeIT {
    private static final int STEPS = 2000;
    /** A small MLP on two cores (a few seconds), with everything a checkpoint carries: Adam, the EMA, the skip, held-out losses. */
    private static final String PIPELINE = """
            pipeline: {name: train-resume, seed: 5, particles: 100, dimension: 2}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.3, mean: [-3.0, 0.0], covariance: 0.5}
                  - {weight: 0.7, mean: [3.0, 1.0], covariance: [1.0, 0.3, 0.3, 0.6]}
              path: {type: ornstein-uhlenbeck}
              score: {type: analytic}
            train:
              type: dsm
              hidden: [64, 64]
              steps: %d
              batch: 256
              ema: 0.99
              skip: gaussian
              skip-samples: 2000
              checkpoint-every: 100
              held-out-every: 50
            stages:
              - {name: init, type: init}
            """.formatted(STEPS);
    private static final List<String> OUTPUTS = List.of("model/score-mlp-0000.params", "model/score-mlp.json", "loss.csv");

    @TempDir
    static Path dir;

    @BeforeAll
    static void uninterrupted() throws Exception {
        Files.writeString(dir.resolve("train.yaml"), PIPELINE);
        Cli.Result r = Cli.run(dir, "train", "train.yaml", "--out", "reference", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
    }

    @Test
    void killedAfterACheckpointTheSameCommandContinuesToTheUninterruptedBytes() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Cli.JAR.toString(), "train", "train.yaml", "--out", "killed", "--quiet").directory(dir.toFile())
                .redirectOutput(dir.resolve("killed.stdout").toFile()).redirectError(dir.resolve("killed.stderr").toFile()).start();
        Path checkpoint = dir.resolve("killed/checkpoints/train.sptrain");
        // bounded (two minutes), polling for the file: never a sleep standing in for timing
        for (int i = 0; !Files.exists(checkpoint); i++) {
            assertTrue(p.isAlive(), "the training ended before its first checkpoint: " + Files.readString(dir.resolve("killed.stderr")));
            assertTrue(i < 12_000, "no checkpoint within two minutes");
            p.waitFor(10, TimeUnit.MILLISECONDS);
        }
        p.destroyForcibly().waitFor();
        assertFalse(Files.exists(dir.resolve("killed/model")), "killed before the end");

        Cli.Result r = Cli.run(dir, "train", "train.yaml", "--out", "killed", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        Matcher m = Pattern.compile("continuing the training in killed from step (\\d+) of " + STEPS).matcher(r.stderr());
        assertTrue(m.find(), r.stderr());
        int from = Integer.parseInt(m.group(1));
        assertTrue(from > 0 && from < STEPS && from % 100 == 0, "continued from a checkpoint mid-run: step " + from);
        assertTrue(r.stdout().contains("(continued from step " + from + ")"), r.stdout());
        for (String output : OUTPUTS) {
            assertTrue(Files.isRegularFile(dir.resolve("killed").resolve(output)), output);
        }
        List<String> reference = Files.readAllLines(dir.resolve("reference/loss.csv"));
        List<String> curve = Files.readAllLines(dir.resolve("killed/loss.csv"));
        assertEquals("step,loss,held-out-loss", curve.get(0));
        assertEquals(STEPS + 1, curve.size());
        assertEquals(reference.subList(from + 1, from + 21), curve.subList(from + 1, from + 21),
                "the 20 steps after the checkpoint, bit for bit");
        double end = Double.parseDouble(reference.get(STEPS).split(",")[2]);
        double resumed = Double.parseDouble(curve.get(STEPS).split(",")[2]);
        assertEquals(end, resumed, 0.01, "the final held-out loss");
        boolean exact = reference.equals(curve) && java.util.Arrays.equals(
                Files.readAllBytes(dir.resolve("reference/model/score-mlp-0000.params")),
                Files.readAllBytes(dir.resolve("killed/model/score-mlp-0000.params")));
        System.out.printf("TrainResumeIT: continued from step %d; %s; final held-out loss %.6f, uninterrupted %.6f%n", from,
                exact ? "weights and loss curve bit for bit the uninterrupted run's" : "off the uninterrupted run's path (see the"
                        + " class comment)", resumed, end);
    }

    @Test
    void aFinishedTrainingOrAnotherConfigIsRefusedInOneLineAndNothingIsOverwritten() throws Exception {
        byte[] weights = Files.readAllBytes(dir.resolve("reference/model/score-mlp-0000.params"));
        Cli.Result finished = Cli.run(dir, "train", "train.yaml", "--out", "reference");
        assertNotEquals(0, finished.exitCode(), finished.all());
        assertTrue(finished.stderr().contains("--out reference holds a finished training (" + STEPS + " steps;"), finished.stderr());
        assertFalse(finished.stderr().contains("\tat "), "no stack trace: " + finished.stderr());
        assertArrayEquals(weights, Files.readAllBytes(dir.resolve("reference/model/score-mlp-0000.params")));

        // an unfinished training, continued with another batch size
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Cli.JAR.toString(), "train", "train.yaml", "--out", "other", "--quiet").directory(dir.toFile())
                .redirectOutput(dir.resolve("other.stdout").toFile()).redirectError(dir.resolve("other.stderr").toFile()).start();
        Path checkpoint = dir.resolve("other/checkpoints/train.sptrain");
        for (int i = 0; !Files.exists(checkpoint); i++) {
            assertTrue(p.isAlive() && i < 12_000, "no checkpoint: " + Files.readString(dir.resolve("other.stderr")));
            p.waitFor(10, TimeUnit.MILLISECONDS);
        }
        p.destroyForcibly().waitFor();
        byte[] saved = Files.readAllBytes(checkpoint);
        Cli.Result other = Cli.run(dir, "train", "train.yaml", "--out", "other", "--set", "train.batch=128");
        assertNotEquals(0, other.exitCode(), other.all());
        assertTrue(other.stderr().contains(Path.of("other", "checkpoints", "train.sptrain") + " was written by a training of"
                + " another config than train.yaml") && other.stderr().contains("train.batch: 256 -> 128"), other.stderr());
        assertEquals(1, other.stderr().strip().lines().count(), "one line: " + other.stderr());
        assertArrayEquals(saved, Files.readAllBytes(checkpoint), "the checkpoint is left as it was");
    }
}
