package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.checkpoint.Health;

/**
 * A run owns its directory and its checkpoints, through the real CLI (issue "Nothing lost,
 * nothing half-said", data loss items 1 to 5 and the leftovers; and "A researcher's day": a
 * resumed run's outputs are the uninterrupted run's). Each test names the item it pins.
 */
class RunOwnershipIT {
    /** Long enough that a kill after the first checkpoint lands mid-run. */
    private static final String PIPELINE = """
            pipeline: {name: owned, seed: 99, particles: 3000, dimension: 2}
            checkpoint: {every: 400, keep: 2}
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
              - {name: corrector, type: corrector, time: 1.0, steps: 8000, corrector: {type: langevin, step: 0.02}}
              - name: sample
                type: sample
                grid: {type: uniform, from: 1.0, to: 0.01, steps: 800}
                predictor: {type: euler-maruyama}
              - {name: eval, type: evaluate, evaluators: [moments, mode-frequencies]}
              - {name: save, type: save}
            """;

    @TempDir
    static Path dir;
    static byte[] reference;

    @BeforeAll
    static void uninterrupted() throws Exception {
        Files.writeString(dir.resolve("owned.yaml"), PIPELINE);
        // Another pipeline altogether: 3-D, another seed, more particles.
        Files.writeString(dir.resolve("other.yaml"), PIPELINE.replace("seed: 99, particles: 3000, dimension: 2",
                "seed: 5, particles: 4000, dimension: 3").replace("mean: [-3.0, 0.0]", "mean: [-3.0, 0.0, 1.0]")
                .replace("mean: [3.0, 1.0], covariance: [1.0, 0.3, 0.3, 0.6]", "mean: [3.0, 1.0, 0.0], covariance: 0.8"));
        Cli.Result r = Cli.run(dir, "run", "owned.yaml", "--out", "reference", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        reference = Files.readAllBytes(dir.resolve("reference/samples.npy"));
    }

    private static Process start(String file, String out, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Cli.JAR.toString(), "run", file, "--out", out, "--quiet"));
        command.addAll(List.of(extra));
        return new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve(out + ".stdout").toFile()).redirectError(dir.resolve(out + ".stderr").toFile()).start();
    }

    /** Polls (bounded: two minutes) until {@code folder} holds a checkpoint; returns its path. */
    private static Path awaitCheckpoint(Process p, Path folder, String out) throws Exception {
        for (int i = 0; i < 12_000; i++) {
            if (Files.isDirectory(folder)) {
                try (Stream<Path> s = Files.walk(folder)) {
                    var found = s.filter(f -> f.getFileName().toString().matches("ckpt-s001-k0*[1-9]\\d*\\.spck")).findFirst();
                    if (found.isPresent()) {
                        return found.get();
                    }
                }
            }
            assertTrue(p.isAlive(), "the run ended before its first checkpoint within a stage: "
                    + Files.readString(dir.resolve(out + ".stderr")));
            p.waitFor(10, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no checkpoint in " + folder + " within two minutes");
    }

    /** Polls (bounded: two minutes) until {@code parent} holds a folder other than {@code other}. */
    private static Path awaitOtherFolder(Process p, Path parent, Path other) throws Exception {
        for (int i = 0; i < 12_000; i++) {
            try (Stream<Path> folders = Files.list(parent)) {
                var found = folders.filter(f -> !f.equals(other)).findFirst();
                if (found.isPresent()) {
                    return found.get();
                }
            }
            assertTrue(p.isAlive(), "the run ended before making its checkpoint folder");
            p.waitFor(10, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("no second checkpoint folder in " + parent + " within two minutes");
    }

    /** Exactly one line starts with {@code error:}, and no stack frame is shown. */
    private static String oneError(Cli.Result r) {
        List<String> errors = r.all().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), r.all());
        assertFalse(r.all().contains("\tat "), r.all());
        return errors.get(0);
    }

    @Test
    void runsSharingACheckpointFolderNeverTouchEachOther() throws Exception {
        // Item 1: two runs, one --checkpoint-dir; each is killed after a checkpoint.
        Process a = start("owned.yaml", "a", "--checkpoint-dir", "shared");
        Path ofA = awaitCheckpoint(a, dir.resolve("shared"), "a");
        a.destroyForcibly().waitFor();
        Process b = start("other.yaml", "b", "--checkpoint-dir", "shared", "--checkpoint-every", "100");
        Path folderOfB = awaitOtherFolder(b, dir.resolve("shared"), ofA.getParent());
        awaitCheckpoint(b, folderOfB, "b");
        // let b write (and prune) a few more before it dies
        for (int i = 0; i < 12_000 && !Files.exists(folderOfB.resolve("ckpt-s001-k0000000400.spck")); i++) {
            assertTrue(b.isAlive(), Files.readString(dir.resolve("b.stderr")));
            b.waitFor(10, TimeUnit.MILLISECONDS);
        }
        b.destroyForcibly().waitFor();
        Path ofB;
        try (Stream<Path> files = Files.list(folderOfB)) {
            ofB = files.filter(f -> f.getFileName().toString().endsWith(".spck")).sorted().reduce((x, y) -> y).orElseThrow();
        }
        assertTrue(Files.exists(ofA), "run b's pruning left run a's checkpoints alone");
        // A checkpoint of b's copied into a's folder, under a name newer than all of a's.
        Path planted = ofA.getParent().resolve("ckpt-s002-k0000000700.spck");
        Files.copy(ofB, planted);
        String idOfB = CheckpointStore.read(ofB).runId();
        String idOfA = CheckpointStore.read(ofA).runId();

        Cli.Result r = Cli.run(dir, "resume", "a", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve("a/samples.npy")), "a's own pipeline, resumed exactly");
        String log = Files.readString(dir.resolve("a/run.log"));
        assertTrue(log.contains(planted + " belongs to run " + idOfB), log);
        assertTrue(Files.exists(planted), "the foreign checkpoint is refused, never deleted");
        assertTrue(Files.readString(dir.resolve("a/config.yaml")).contains("id: " + idOfA));
        assertEquals(dir.resolve("shared").resolve(idOfA), ofA.getParent(), "the checkpoint folder is named by the run id");
    }

    @Test
    void oneProcessOwnsARunDirectory() throws Exception {
        // Item 2: resume, resume --config and run --out on a running run are refused, naming the holder.
        // The corrector runs far longer than the three refusals take; the resume shortens it.
        Process p = start("owned.yaml", "busy", "--set", "stages.corrector.steps=100000000");
        awaitCheckpoint(p, dir.resolve("busy/checkpoints"), "busy");
        String holder = "is in use by scorepipe run (pid " + p.pid();
        for (String[] args : new String[][] {{"resume", "busy"}, {"resume", "busy", "--config", "owned.yaml"},
            {"run", "owned.yaml", "--out", "busy"}}) {
            Cli.Result r = Cli.run(dir, args);
            assertEquals(2, r.exitCode(), r.all());
            String error = oneError(r);
            assertTrue(error.contains(holder) || (args[0].equals("run") && error.contains("already holds files")), error);
        }
        assertTrue(p.isAlive(), "the running process was not disturbed");
        p.destroyForcibly().waitFor();
        // Leftovers: a kill -9 during a write leaves temporaries; the next owner removes them.
        Path staleCheckpoint = dir.resolve("busy/checkpoints/.ckpt-s001-k0000000800.spck.999999.1.tmp");
        Path staleMetrics = dir.resolve("busy/.metrics.json.999999.2.tmp");
        Files.writeString(staleCheckpoint, "half");
        Files.writeString(staleMetrics, "half");
        // The killed process's lock is stale: the kernel released it, and resume takes it over.
        long reached;
        try (Stream<Path> files = Files.list(dir.resolve("busy/checkpoints"))) {
            reached = files.filter(f -> f.getFileName().toString().endsWith(".spck")).mapToLong(f -> CheckpointStore.read(f).step())
                    .max().orElseThrow();
        }
        Cli.Result r = Cli.run(dir, "resume", "busy", "--quiet", "--set", "stages.corrector.steps=" + (reached + 400));
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(Files.exists(dir.resolve("busy/samples.npy")));
        assertFalse(Files.exists(staleCheckpoint) || Files.exists(staleMetrics), "stale temporaries removed");
    }

    @Test
    void aDivergingRunKeepsOnlyHealthyCheckpointsAndSaysWhichIsLast() throws Exception {
        // Item 3: a far too large step, checkpoints every 5 steps.
        Cli.Result r = Cli.run(dir, "run", "owned.yaml", "--out", "blown", "--quiet", "--checkpoint-every", "5",
                "--set", "stages.corrector.corrector.step=50");
        assertEquals(2, r.exitCode(), r.all());
        String error = oneError(r);
        assertTrue(error.contains("stage 'corrector' diverged") && error.contains("The last good checkpoint is "), error);
        String last = error.replaceAll(".*The last good checkpoint is (\\S+) \\(kept\\).*", "$1");
        assertTrue(Files.exists(dir.resolve(last)), last);
        assertFalse(Files.exists(dir.resolve("blown/samples.npy")));
        try (Stream<Path> files = Files.list(dir.resolve("blown/checkpoints"))) {
            for (Path f : files.toList()) {
                Checkpoint c = CheckpointStore.read(f);
                assertTrue(Health.maxAbs(c.particles()) <= Health.bound(c.stageStartMaxAbs()), f + " is healthy");
            }
        }
        // A sane step from the last good checkpoint finishes the run.
        Cli.Result fixed = Cli.run(dir, "resume", "blown", "--quiet", "--set", "stages.corrector.corrector.step=0.02");
        assertEquals(0, fixed.exitCode(), fixed.all());
        assertTrue(fixed.all().contains("resuming") || Files.readString(dir.resolve("blown/run.log")).contains("resuming "
                + dir.resolve("blown") + " from " + last));
        assertTrue(Files.exists(dir.resolve("blown/samples.npy")));
    }

    @Test
    void aResumedRunHasEveryOutputOfTheUninterruptedOne() throws Exception {
        // "A researcher's day": a stop signal, then resume: the same files, the same metrics.json but timings.
        Process p = start("owned.yaml", "stopped");
        awaitCheckpoint(p, dir.resolve("stopped/checkpoints"), "stopped");
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(130, p.exitValue(), Files.readString(dir.resolve("stopped.stderr")));
        Cli.Result r = Cli.run(dir, "resume", "stopped", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve("stopped/samples.npy")));
        for (String output : new String[] {"report.html", "metrics.csv", "plots"}) {
            assertTrue(Files.exists(dir.resolve("stopped").resolve(output)), output + " after resume");
        }
        assertEquals(withoutTimings(dir.resolve("reference/metrics.json")), withoutTimings(dir.resolve("stopped/metrics.json")));
        assertEquals(Files.readString(dir.resolve("reference/metrics.csv")), Files.readString(dir.resolve("stopped/metrics.csv")));

        // Resuming a finished run runs nothing, says so, and exits 0.
        long before = Files.getLastModifiedTime(dir.resolve("stopped/samples.npy")).toMillis();
        Cli.Result again = Cli.run(dir, "resume", "stopped", "--quiet");
        assertEquals(0, again.exitCode(), again.all());
        assertTrue(again.stdout().contains("is already finished"), again.stdout());
        assertEquals(before, Files.getLastModifiedTime(dir.resolve("stopped/samples.npy")).toMillis());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutTimings(Path metrics) throws IOException {
        Map<String, Object> doc = new Gson().fromJson(Files.readString(metrics), Map.class);
        for (Object stage : (List<Object>) doc.get("stages")) {
            ((Map<String, Object>) stage).remove("seconds");
            ((Map<String, Object>) stage).remove("particle-steps-per-second");
            ((Map<String, Object>) stage).remove("evaluation-seconds");
        }
        return doc;
    }

    @Test
    void everyStageBoundaryStaysAvailableToBranchFrom() throws Exception {
        // "A researcher's day": the README's branching workflow, with one checkpoint kept within stages.
        Cli.Result r = Cli.run(dir, "run", Cli.PIPELINES.resolve("quickstart.yaml").toString(), "--out", "quick", "--quiet",
                "--checkpoint-keep", "1", "--checkpoint-every", "50");
        assertEquals(0, r.exitCode(), r.all());
        Path boundary = dir.resolve("quick/checkpoints/ckpt-s002-k0000000000.spck");
        assertTrue(Files.exists(boundary), "the start of stage 2 is kept");
        try (Stream<Path> files = Files.list(dir.resolve("quick/checkpoints"))) {
            assertEquals(1, files.filter(f -> !f.getFileName().toString().matches("ckpt-s\\d+-k0+\\.spck")).count(),
                    "one checkpoint within a stage is kept");
        }
        Cli.Result branch = Cli.run(dir, "run", Cli.PIPELINES.resolve("quickstart.yaml").toString(), "--out", "quick-heun", "--quiet",
                "--from", boundary.toString(), "--set", "stages.sample.predictor.method=heun");
        assertEquals(0, branch.exitCode(), branch.all());
    }

    @Test
    void aRunWithAPluginFolderResumesWithItsPlugins() throws Exception {
        // Item 5: the example plugin's pipeline, crashed after a checkpoint, resumes without --plugins.
        Path plugins = Files.createDirectories(dir.resolve("my-plugins"));
        try (Stream<Path> jars = Files.list(PluginIT.EXAMPLE.resolve("target"))) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("kinetic-langevin-plugin-[0-9.]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow();
            Files.copy(jar, plugins.resolve(jar.getFileName()));
        }
        Cli.Result r = Cli.run(dir, "run", PluginIT.EXAMPLE.resolve("pipeline.yaml").toString(), "--plugins", plugins.toString(),
                "--out", "kinetic", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        byte[] whole = Files.readAllBytes(dir.resolve("kinetic/samples.npy"));
        // As if killed right after the stage boundary before the last stage: only that checkpoint, no outputs.
        Path cut = Files.createDirectories(dir.resolve("kinetic-cut/checkpoints"));
        Files.copy(dir.resolve("kinetic/config.yaml"), cut.getParent().resolve("config.yaml"));
        try (Stream<Path> files = Files.list(dir.resolve("kinetic/checkpoints"))) {
            Path first = files.sorted().filter(f -> f.getFileName().toString().startsWith("ckpt-s001")).findFirst().orElseThrow();
            Files.copy(first, cut.resolve(first.getFileName()));
        }
        Cli.Result resumed = Cli.run(dir, "resume", "kinetic-cut", "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.all());
        assertArrayEquals(whole, Files.readAllBytes(dir.resolve("kinetic-cut/samples.npy")));
    }

    @Test
    void anIgnoredSigintIsWarnedAbout() throws Exception {
        // Leftovers: a process that inherits SIGINT as ignored says so, since Ctrl-C will not checkpoint.
        Process run = new ProcessBuilder("sh", "-c", "trap '' INT; exec \"$0\" -jar \"$1\" run owned.yaml --out sigint --quiet"
                + " --set stages.corrector.steps=10", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Cli.JAR.toString()).directory(dir.toFile()).redirectErrorStream(true).start();
        String runOut = new String(run.getInputStream().readAllBytes());
        assertTrue(run.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, run.exitValue(), runOut);
        assertTrue(runOut.contains("warning: SIGINT is ignored in this process") && runOut.contains("kill -TERM"), runOut);
    }
}
