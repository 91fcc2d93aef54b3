package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety and exact resume, through the real CLI: a run killed (-9) or interrupted (SIGINT)
 * resumes to exactly the bytes of an uninterrupted run; damaged checkpoints are skipped; the
 * finished stages of a checkpoint cannot be changed, later ones can.
 */
class CheckpointIT {
    /** Long enough that a kill after the first checkpoint lands mid-run; every stage draws noise. */
    private static final String PIPELINE = """
            pipeline: {name: crash, seed: 99, particles: 3000, dimension: 2}
            checkpoint: {every: 400, keep: 100}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.3, mean: [-3.0, 0.0], covariance: 0.5}
                  - {weight: 0.7, mean: [3.0, 1.0], covariance: [1.0, 0.3, 0.3, 0.6]}
              path: {type: ornstein-uhlenbeck}
              score: {type: analytic}
            stages:
              - {name: init, type: init}
              - name: corrector
                type: corrector
                time: 1.0
                steps: 8000
                corrector: {type: langevin, step: 0.02}
              - name: sample
                type: sample
                grid: {type: uniform, from: 1.0, to: 0.01, steps: 1600}
                predictor: {type: euler-maruyama}
                corrector: {type: langevin, step: 0.002}
              - {name: save, type: save}
            """;

    @TempDir
    static Path dir;
    static byte[] reference;

    @BeforeAll
    static void uninterrupted() throws Exception {
        Files.writeString(dir.resolve("crash.yaml"), PIPELINE);
        Cli.Result r = Cli.run(dir, "run", "crash.yaml", "--out", "reference", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        reference = Files.readAllBytes(dir.resolve("reference/samples.npy"));
    }

    private static Process start(String out, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Cli.JAR.toString(), "run", "crash.yaml", "--out", out, "--quiet"));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(out + ".stdout").toFile()).redirectError(dir.resolve(out + ".stderr").toFile()).start();
    }

    /** Polls (bounded, 2 minutes) until a checkpoint whose name starts with {@code prefix} exists. */
    private static void awaitCheckpoint(Process p, String out, String prefix) throws Exception {
        Path checkpoints = dir.resolve(out).resolve("checkpoints");
        for (int i = 0; i < 12_000; i++) {
            if (Files.isDirectory(checkpoints)) {
                try (Stream<Path> s = Files.list(checkpoints)) {
                    if (s.anyMatch(f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(".spck"))) {
                        return;
                    }
                }
            }
            assertTrue(p.isAlive(), "the run ended before writing " + prefix + ": " + Files.readString(dir.resolve(out + ".stderr")));
            p.waitFor(10, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no checkpoint " + prefix + " within two minutes");
    }

    private static byte[] resumed(String out, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("resume", out, "--quiet"));
        args.addAll(List.of(extra));
        Cli.Result r = Cli.run(dir, args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.all());
        return Files.readAllBytes(dir.resolve(out).resolve("samples.npy"));
    }

    @Test
    void killedAfterItsFirstCheckpointResumesToTheSameBytes() throws Exception {
        Process p = start("killed");
        awaitCheckpoint(p, "killed", "ckpt-s001-k0000000400");
        p.destroyForcibly().waitFor();
        assertFalse(Files.exists(dir.resolve("killed/samples.npy")), "killed before the end");
        assertArrayEquals(reference, resumed("killed", "--threads", "2"));
    }

    /**
     * The local runner writing sharded checkpoints (shards, then the manifest that commits them):
     * killed mid-stage, it resumes from them to the bytes of the uninterrupted single-file run, and
     * a damaged shard makes its checkpoint invalid, naming the shard, with the previous one used.
     */
    @Test
    void shardedCheckpointsResumeToTheSameBytesAndADamagedShardFallsBack() throws Exception {
        Process p = start("sharded", "--set", "checkpoint.layout=shards");
        awaitCheckpoint(p, "sharded", "ckpt-s001-k0000000800");
        p.destroyForcibly().waitFor();
        Path checkpoints = dir.resolve("sharded/checkpoints");
        List<String> shards;
        try (Stream<Path> files = Files.list(checkpoints)) {
            shards = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".spshard")).sorted().toList();
        }
        assertTrue(shards.stream().anyMatch(n -> n.startsWith("ckpt-s001-k0000000400.")), shards.toString());
        Cli.Result inspected = Cli.run(dir, "inspect", checkpoints.resolve("ckpt-s001-k0000000400.spck").toString());
        assertEquals(0, inspected.exitCode(), inspected.all());
        assertTrue(inspected.stdout().contains("1 shards beside this manifest, all verified")
                && inspected.stdout().contains("particles      3000 x 2"), inspected.stdout());

        // The newest checkpoint's shard gets a flipped byte: resume falls back to the one before it.
        String newest;
        try (Stream<Path> files = Files.list(checkpoints)) {
            newest = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".spck")).sorted()
                    .reduce((a, b) -> b).orElseThrow();
        }
        String stem = newest.substring(0, newest.length() - ".spck".length()) + ".";
        Path shard = checkpoints.resolve(shards.stream().filter(n -> n.startsWith(stem)).findFirst().orElseThrow());
        byte[] bytes = Files.readAllBytes(shard);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(shard, bytes);
        Cli.Result r = Cli.run(dir, "resume", "sharded", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stderr().contains("skipped a damaged or foreign checkpoint") && r.stderr().contains(shard.getFileName().toString())
                && r.stderr().contains("checksum"), r.stderr());
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve("sharded/samples.npy")));
    }

    @Test
    void killedInsideTheSampleStageResumesToTheSameBytes() throws Exception {
        Process p = start("killed-sample", "--threads", "1");
        awaitCheckpoint(p, "killed-sample", "ckpt-s002-k0000000400");
        p.destroyForcibly().waitFor();
        assertArrayEquals(reference, resumed("killed-sample"));
    }

    @Test
    void resumesFromAStageBoundaryAndFromEveryKindOfPosition() throws Exception {
        // Copies of the finished reference run, each cut back to one checkpoint, as if killed right after it.
        for (String keep : new String[] {"ckpt-s002-k0000000000.spck", "ckpt-s001-k0000004000.spck", "ckpt-s002-k0000001200.spck"}) {
            String copy = "cut-" + keep.substring(5, 20);
            copyRun("reference", copy, keep);
            assertArrayEquals(reference, resumed(copy), keep);
        }
    }

    /**
     * SIGTERM, which the CLI handles as it handles Ctrl-C (SIGINT): unlike SIGINT it reaches the
     * child however this suite was started (a job a script starts in the background ignores
     * SIGINT, and so would the child).
     */
    @Test
    void aStopSignalWritesACheckpointExitsWith130AndResumes() throws Exception {
        Process p = start("interrupted");
        awaitCheckpoint(p, "interrupted", "ckpt-s001-k0000000400");
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        String stdout = Files.readString(dir.resolve("interrupted.stdout"));
        assertEquals(130, p.exitValue(), stdout + Files.readString(dir.resolve("interrupted.stderr")));
        assertTrue(stdout.contains("resume with: ./scorepipe resume interrupted"), stdout);
        assertTrue(stdout.contains("stopped at stage 'corrector' at step") || stdout.contains("stopped at stage 'sample' at step"), stdout);
        assertArrayEquals(reference, resumed("interrupted"));
    }

    @Test
    void damagedCheckpointsAreSkippedWithAMessage() throws Exception {
        copyRun("reference", "damaged", "ckpt-s001-k0000000800.spck", "ckpt-s001-k0000001200.spck");
        Path newest = dir.resolve("damaged/checkpoints/ckpt-s001-k0000001200.spck");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(newest, bytes);
        Cli.Result r = Cli.run(dir, "resume", "damaged", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stderr().contains("skipped a damaged or foreign checkpoint") && r.stderr().contains("checksum"), r.stderr());
        assertTrue(r.stderr().contains("ckpt-s001-k0000000800.spck"), r.stderr());
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve("damaged/samples.npy")));
    }

    @Test
    void changingAFinishedStageIsRefusedAndLaterStagesMayChange() throws Exception {
        copyRun("reference", "swap", "ckpt-s002-k0000000000.spck");
        Files.writeString(dir.resolve("finished-changed.yaml"), PIPELINE.replace("step: 0.02}", "step: 0.03}"));
        Cli.Result refused = Cli.run(dir, "resume", "swap", "--config", "finished-changed.yaml");
        assertEquals(2, refused.exitCode(), refused.all());
        assertTrue(refused.stderr().contains("stage 'corrector' is finished")
                && refused.stderr().contains("stages.corrector.corrector.step: 0.02 -> 0.03"), refused.stderr());

        // The stages after T1 replaced: a deterministic probability-flow sampler instead.
        Files.writeString(dir.resolve("swapped.yaml"), PIPELINE.replace("predictor: {type: euler-maruyama}", "predictor: {type: probability-flow}")
                .replace("    corrector: {type: langevin, step: 0.002}\n", ""));
        Cli.Result ok = Cli.run(dir, "resume", "swap", "--config", "swapped.yaml", "--quiet");
        assertEquals(0, ok.exitCode(), ok.all());
        String log = Files.readString(dir.resolve("swap/run.log"));
        assertTrue(log.contains("changed stages.sample.predictor.type: euler-maruyama -> probability-flow"), log);
        assertTrue(log.contains("changed stages.sample.corrector: {"), log);
        assertFalse(java.util.Arrays.equals(reference, Files.readAllBytes(dir.resolve("swap/samples.npy"))));

        // Branching instead: the same swap into a new directory leaves the old run untouched.
        Path checkpoint = dir.resolve("reference/checkpoints/ckpt-s002-k0000000000.spck");
        Cli.Result branch = Cli.run(dir, "run", "swapped.yaml", "--from", checkpoint.toString(), "--out", "branch", "--quiet");
        assertEquals(0, branch.exitCode(), branch.all());
        assertArrayEquals(Files.readAllBytes(dir.resolve("swap/samples.npy")), Files.readAllBytes(dir.resolve("branch/samples.npy")));
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve("reference/samples.npy")));
    }

    @Test
    void changingTheRunningStagesStepSizeIsAccepted() throws Exception {
        copyRun("reference", "tune", "ckpt-s001-k0000002000.spck");
        Files.writeString(dir.resolve("tuned.yaml"), PIPELINE.replace("step: 0.02}", "step: 0.01}"));
        Cli.Result ok = Cli.run(dir, "resume", "tune", "--config", "tuned.yaml", "--quiet");
        assertEquals(0, ok.exitCode(), ok.all());
        String log = Files.readString(dir.resolve("tune/run.log"));
        assertTrue(log.contains("changed stages.corrector.corrector.step: 0.02 -> 0.01"), log);
    }

    @Test
    void anUnwritableCheckpointStopsTheRunAndKeepsThePreviousOne() throws Exception {
        copyRun("reference", "blocked", "ckpt-s001-k0000000400.spck");
        // A non-empty folder where the next checkpoint must go: the rename onto it fails, even for root.
        Path blocker = dir.resolve("blocked/checkpoints/ckpt-s001-k0000000800.spck");
        Files.createDirectories(blocker);
        Files.writeString(blocker.resolve("occupied"), "x");
        Cli.Result r = Cli.run(dir, "resume", "blocked", "--quiet");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.stderr().contains("could not write the checkpoint at stage 'corrector' at step 800"), r.stderr());
        assertTrue(r.stderr().contains("the previous checkpoint") && r.stderr().contains("is intact"), r.stderr());
        assertFalse(r.stderr().contains("\tat "), r.stderr());
        Files.delete(blocker.resolve("occupied"));
        Files.delete(blocker);
        assertArrayEquals(reference, resumed("blocked"));
    }

    @Test
    void inspectShowsWhatACheckpointHolds() throws Exception {
        Path checkpoint = dir.resolve("reference/checkpoints/ckpt-s001-k0000000400.spck");
        Files.writeString(dir.resolve("other.yaml"), PIPELINE.replace("steps: 1600", "steps: 800"));
        Cli.Result r = Cli.run(dir, "inspect", checkpoint.toString(), "--against", "other.yaml");
        assertEquals(0, r.exitCode(), r.all());
        for (String expected : new String[] {"format         4", "layout         one file", "rows           none", "pipeline       crash", "run            2", "stage 'corrector' at step 400",
                "particles      3000 x 2", "seed           99", "philox4x64", "1 difference(s)",
                "stages.sample.grid.steps: 1600 -> 800"}) {
            assertTrue(r.stdout().contains(expected), expected + " in\n" + r.stdout());
        }
    }

    /** Copies a run directory, keeping only the named checkpoints and dropping its outputs. */
    private static void copyRun(String from, String to, String... checkpoints) throws IOException {
        Path src = dir.resolve(from);
        Path dst = dir.resolve(to);
        Files.createDirectories(dst.resolve("checkpoints"));
        Files.copy(src.resolve("config.yaml"), dst.resolve("config.yaml"));
        for (String c : checkpoints) {
            Files.copy(src.resolve("checkpoints").resolve(c), dst.resolve("checkpoints").resolve(c));
        }
    }
}
