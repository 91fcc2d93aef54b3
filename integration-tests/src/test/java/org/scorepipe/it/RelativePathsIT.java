package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relative paths follow one rule through the real CLI (issue #21): written in a pipeline file
 * they resolve against the file's folder, given on the command line ({@code --set}) against the
 * working directory. The shipped pipelines with a model or a dataset run from a folder that has
 * nothing to do with the repository, their runs record the absolute paths (so they resume from
 * anywhere), and a missing file is one message naming the key and the absolute path.
 */
class RelativePathsIT {
    /** The working directory of every command: empty, and not the repository. */
    @TempDir
    Path elsewhere;

    /** Another unrelated folder, to resume from. */
    @TempDir
    Path another;

    private static final Path LEARNED = Cli.PIPELINES.resolve("learned-pc-gmm-2d.yaml");
    private static final Path MNIST = Cli.PIPELINES.resolve("mnist-annealed-ld.yaml");
    private static final Path MODEL = Cli.PIPELINES.resolve("models/gmm-2d.onnx").normalize();

    @Test
    void theLearnedScorePipelineValidatesRunsAndResumesFromAnotherFolder() throws Exception {
        assertFalse(Files.exists(elsewhere.resolve("models")), "the working directory must not hold the model's relative path");
        Cli.Result validate = Cli.run(elsewhere, "validate", LEARNED.toString());
        assertEquals(0, validate.exitCode(), validate.all());

        Cli.Result run = Cli.run(elsewhere, "run", LEARNED.toString(), "--out", "run", "--quiet",
                "--set", "pipeline.particles=300", "--set", "stages.corrector.steps=10", "--set", "stages.sample.grid.steps=10");
        assertEquals(0, run.exitCode(), run.all());
        Path dir = elsewhere.resolve("run");    // --out is relative to the working directory
        assertTrue(Files.isRegularFile(dir.resolve("samples.npy")), run.all());
        String config = Files.readString(dir.resolve("config.yaml"));
        assertTrue(config.contains("model: " + MODEL), "config.yaml records the model's absolute path:\n" + config);

        // From yet another folder: the checkpointed config names the model absolutely and hashes the same.
        Cli.Result resume = Cli.run(another, "resume", dir.toString());
        assertEquals(0, resume.exitCode(), resume.all());
        assertTrue(resume.all().contains("already finished"), resume.all());
    }

    @Test
    void theMnistPipelineRunsFromAnotherFolder() throws Exception {
        Cli.Result run = Cli.run(elsewhere, "run", MNIST.toString(), "--out", "mnist", "--quiet",
                "--set", "stages.annealed.steps-per-level=1");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(Files.isRegularFile(elsewhere.resolve("mnist/samples.npy")), run.all());
        String config = Files.readString(elsewhere.resolve("mnist/config.yaml"));
        assertTrue(config.contains("path: " + Cli.PIPELINES.resolve("data/mnist/mnist-10k.npz").normalize()), config);
    }

    @Test
    void aRelativePathGivenWithSetResolvesAgainstTheWorkingDirectory() throws Exception {
        Files.createDirectories(elsewhere.resolve("mine"));
        Files.copy(MODEL, elsewhere.resolve("mine/net.onnx"));
        Cli.Result ok = Cli.run(elsewhere, "validate", LEARNED.toString(), "--set", "components.score.model=mine/net.onnx");
        assertEquals(0, ok.exitCode(), ok.all());

        // The pipeline's own relative text, given on the command line, names a file under the working directory: none there.
        Cli.Result missing = Cli.run(elsewhere, "validate", LEARNED.toString(), "--set", "components.score.model=models/gmm-2d.onnx");
        assertEquals(2, missing.exitCode(), missing.all());
        assertTrue(missing.stderr().contains(LEARNED + ": components.score: model: " + elsewhere.resolve("models/gmm-2d.onnx")
                + " does not exist"), missing.all());
        assertFalse(missing.all().contains("\tat "), "one message, no stack trace:\n" + missing.all());
    }

    @Test
    void aMissingFileNamedInAPipelineFileIsNamedAbsolutelyWithItsKey() throws Exception {
        Path sub = Files.createDirectories(another.resolve("sub"));
        Path pipeline = sub.resolve("p.yaml");
        Files.writeString(pipeline, Files.readString(MNIST).replace("path: data/mnist/mnist-10k.npz", "path: data/absent.npz"));
        Cli.Result r = Cli.run(elsewhere, "validate", pipeline.toString());
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.stderr().contains(pipeline + ": components.target: the .npz file " + sub.resolve("data/absent.npz")
                + " does not exist"), r.all());
        assertTrue(r.stderr().contains("resolved against the pipeline file's folder"), r.all());
    }
}
