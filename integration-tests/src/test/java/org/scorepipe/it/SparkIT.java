package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.Success$;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.NpyFile;
import org.scorepipe.runtime.run.NpyShards;
import org.scorepipe.runtime.run.RunControl;
import org.scorepipe.spark.ParquetDatasets;

/**
 * The Spark runner end to end. Most tests drive the runtime in this JVM on one shared
 * {@code local-cluster[2,1,1024]} (two real executor processes, started once: the runner joins a
 * session its host started and leaves it running); the tests that are about the command line
 * (a killed driver, bad input) run {@code scorepipe-spark.jar} in child JVMs. Every address is
 * on the loopback (SPARK_LOCAL_IP, set by the POM), and the Spark UI is off.
 */
class SparkIT {
    private static final Path SPARK_JAR = Path.of(System.getProperty("scorepipe.spark.jar", "../spark/target/scorepipe-spark.jar"))
            .toAbsolutePath();
    private static final Path SPARK_CLASSPATH = Path.of(System.getProperty("scorepipe.spark.classpath",
            "../spark/target/spark-classpath.txt")).toAbsolutePath();
    private static final Path QUICKSTART = Cli.PIPELINES.resolve("quickstart.yaml");
    /** The quickstart, smaller: the same stages on 2000 particles, 100 corrector and 50 predictor steps. */
    private static final List<String> SMALL = List.of("pipeline.particles=2000", "stages.corrector.steps=100",
            "stages.sample.grid.steps=50");
    private static final String CLUSTER = "local-cluster[2,1,1024]";

    private static SparkSession spark;
    private static Path work;
    private static Path faultsPlugins;
    private static Path chained;
    private static byte[] quickstartReference;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicInteger FAILED_TASKS = new AtomicInteger();
    private static final AtomicInteger REMOVED_EXECUTORS = new AtomicInteger();

    @BeforeAll
    static void startCluster() throws IOException {
        work = Files.createTempDirectory("spark-it");
        faultsPlugins = pluginFolder(work.resolve("faults-plugins"));
        chained = work.resolve("chained.yaml");
        Files.writeString(chained, chainedPipeline());
        linkSparkHome();
        spark = SparkSession.builder().master(CLUSTER).appName("SparkIT")
                .config("spark.jars", SPARK_JAR.toString())
                .config("spark.ui.enabled", "false")
                .config("spark.task.maxFailures", "4")
                .getOrCreate();
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() != Success$.MODULE$) {
                    FAILED_TASKS.incrementAndGet();
                }
            }

            @Override
            public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                REMOVED_EXECUTORS.incrementAndGet();
            }
        });
        quickstartReference = samples(runLocal(QUICKSTART, SMALL));
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void quickstartAndChainedLangevinGiveTheLocalBytesForAnyPartitioning() throws IOException {
        byte[] chainedReference = samples(runLocal(chained, List.of()));
        for (int partitions : new int[] {1, 3, 7}) {
            assertArrayEquals(quickstartReference, samples(runSpark(QUICKSTART, SMALL, partitions, Optional.empty())),
                    "quickstart with " + partitions + " partitions");
            assertArrayEquals(chainedReference, samples(runSpark(chained, List.of(), partitions, Optional.empty())),
                    "chained Langevin with " + partitions + " partitions");
        }
    }

    @Test
    void mergeableMetricsAreComputedPerRangeAndEqualTheLocalOnes() throws IOException {
        // moments and mode-frequencies merge: the executors send per-chunk statistics, not particles,
        // for the evaluate entry and for each of the 6 points of the corrector's curve (steps 0, 20, ..., 100).
        // (Checkpoints off: a checkpoint at the stage boundary would bring the particles anyway.)
        List<String> mergeable = new ArrayList<>(SMALL);
        mergeable.add("stages.eval.evaluators=[moments, mode-frequencies]");
        mergeable.add("stages.corrector.every=20");
        mergeable.add("stages.corrector.evaluators=[moments, mode-frequencies]");
        mergeable.add("checkpoint.keep=0");
        Path localRun = runLocal(QUICKSTART, mergeable);
        String local = evaluations(localRun, "evaluations");
        String localCurve = evaluations(localRun, "curves");
        assertTrue(localCurve.contains("\"step\":20"), localCurve);
        for (int partitions : new int[] {1, 3, 7}) {
            Path run = runSpark(QUICKSTART, mergeable, partitions, Optional.empty());
            assertEquals(local, evaluations(run, "evaluations"), "the same metrics, to the last digit, with " + partitions + " partitions");
            assertEquals(localCurve, evaluations(run, "curves"), "the same curve, to the last digit, with " + partitions + " partitions");
            long merged = Files.readString(run.resolve("run.log")).lines().filter(l -> l.contains("evaluated from per-range statistics"))
                    .count();
            assertEquals(7, merged, "the evaluation and the 6 curve points, each from statistics: " + merged + " were");
        }
    }

    @Test
    void subsampleMetricsBringOnlyTheSubsampleToTheDriverAndEqualTheLocalOnes() throws IOException {
        // mmd and energy-distance read the evenly spaced 150 rows alone: the executors send those.
        Path file = work.resolve("subsample.yaml");
        // Before the save, which gathers the ensemble (and would leave it gathered for whatever follows).
        String far = "  - {name: far, type: evaluate, evaluators: [{type: mmd, max-samples: 150}, {type: energy-distance,"
                + " max-samples: 150}]}\n"
                // moments merge, sliced Wasserstein reads the subsample: statistics and the 150 rows travel.
                + "  - {name: mixed, type: evaluate, evaluators: [moments, {type: sliced-wasserstein, projections: 8,"
                + " max-samples: 150}]}\n";
        Files.writeString(file, Files.readString(QUICKSTART).replace("  - {name: save, type: save}\n",
                far + "  - {name: save, type: save}\n"));
        List<String> subsampled = new ArrayList<>(SMALL);
        subsampled.add("stages.eval.evaluators=[moments]");
        subsampled.add("checkpoint.keep=0");
        String local = evaluations(runLocal(file, subsampled));
        assertTrue(local.contains("\"stage\":\"far\"") && local.contains("\"mmd-subsample\":150"), local);
        Path run = runSpark(file, subsampled, 3, Optional.empty());
        assertEquals(local, evaluations(run), "the same metrics, to the last digit");
        assertTrue(Files.readString(run.resolve("run.log")).contains("gathered the evenly spaced subsample of 150 of "),
                "the driver gathered the subsample only");
        assertTrue(local.contains("\"stage\":\"mixed\"") && local.contains("sliced-wasserstein"), local);
        assertTrue(Files.readString(run.resolve("run.log")).contains("stage mixed evaluated from per-range statistics and a"
                + " subsample of 150 particles"), "the mixed entry got statistics and the subsample");
    }

    /** A list of a run's metrics.json ({@code evaluations} or {@code curves}), as text. */
    private static String evaluations(Path run, String list) throws IOException {
        String json = Files.readString(run.resolve("metrics.json"));
        return com.google.gson.JsonParser.parseString(json).getAsJsonObject().get(list).toString();
    }

    /** The evaluations of a run's metrics.json, as text. */
    private static String evaluations(Path run) throws IOException {
        return evaluations(run, "evaluations");
    }

    @Test
    void aTaskThatFailsOnceIsRetriedWithTheSameBytes() throws IOException {
        // The flaky score throws in the first attempt of partition 1's task of every segment,
        // after that attempt has already moved its particles.
        Path flaky = work.resolve("flaky.yaml");
        Files.writeString(flaky, Files.readString(QUICKSTART).replace("score: {type: analytic}",
                "score: {type: flaky, score: {type: analytic}}"));
        int failedBefore = FAILED_TASKS.get();
        Path run = runSpark(flaky, SMALL, 3, Optional.of(faultsPlugins));
        assertTrue(FAILED_TASKS.get() > failedBefore, "the flaky score failed no task: the test tested nothing");
        assertArrayEquals(quickstartReference, samples(run));
    }

    @Test
    void anExecutorKilledMidRunChangesNoByte() throws Exception {
        List<String> longer = List.of("pipeline.particles=2000", "stages.corrector.steps=400", "stages.sample.grid.steps=50",
                "checkpoint.every=10");
        byte[] reference = samples(runLocal(QUICKSTART, longer));
        awaitExecutors(2);
        int removedBefore = REMOVED_EXECUTORS.get();
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            Path out = work.resolve("killed-executor");
            Future<Path> run = background.submit(() -> runSpark(QUICKSTART, longer, 4, Optional.empty(), out));
            // The corrector's first checkpoint: the ensemble is on both executors, 39 segments to go.
            awaitMidStageCheckpoint(out.resolve("checkpoints"), run);
            ProcessHandle executor = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .findFirst().orElseThrow(() -> new AssertionError("no executor process found"));
            assertTrue(executor.destroyForcibly());
            assertArrayEquals(reference, samples(run.get(4, TimeUnit.MINUTES)));
            assertTrue(REMOVED_EXECUTORS.get() > removedBefore, "Spark never noticed the executor was gone");
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void aSparkCheckpointResumesOnTheLocalRunnerAndTheReverse() throws Exception {
        // Long enough that the runs are still going when their first checkpoint appears.
        List<String> settings = List.of("--set", "pipeline.particles=20000", "--set", "stages.corrector.steps=2000",
                "--set", "stages.sample.grid.steps=50", "--checkpoint-every", "100");
        byte[] reference = samples(runLocal(QUICKSTART, List.of("pipeline.particles=20000", "stages.corrector.steps=2000",
                "stages.sample.grid.steps=50", "checkpoint.every=100")));
        String checkpoints = work.resolve("checkpoint-store").toUri().toString();

        // Spark (its checkpoints through Hadoop's file:// file system), killed, resumed locally.
        Path sparkRun = work.resolve("spark-then-local");
        List<String> sparkArgs = new ArrayList<>(List.of("run", QUICKSTART.toString(), "--out", sparkRun.toString(),
                "--runner", "spark", "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--checkpoint-dir", checkpoints,
                "--quiet"));
        sparkArgs.addAll(settings);
        // the run's checkpoints are in a sub-folder named by its run id
        killAfterCheckpoint(sparkCommand(sparkArgs), () -> runFolder(Path.of(java.net.URI.create(checkpoints)), sparkRun));
        assertFalse(Files.exists(sparkRun.resolve("samples.npy")), "the driver finished before it was killed");
        Cli.Result local = Cli.run(work, "resume", sparkRun.toString(), "--runner", "local", "--quiet");
        assertEquals(0, local.exitCode(), local.all());
        assertArrayEquals(reference, Files.readAllBytes(sparkRun.resolve("samples.npy")));

        // Local (plain Java I/O on the same file:// folder), killed, resumed on Spark.
        Path localRun = work.resolve("local-then-spark");
        List<String> localArgs = new ArrayList<>(List.of(javaExecutable(), "-jar", Cli.JAR.toString(), "run", QUICKSTART.toString(),
                "--out", localRun.toString(), "--threads", "1", "--checkpoint-dir", checkpoints, "--quiet"));
        localArgs.addAll(settings);
        killAfterCheckpoint(localArgs, () -> runFolder(Path.of(java.net.URI.create(checkpoints)), localRun));
        assertFalse(Files.exists(localRun.resolve("samples.npy")), "the local run finished before it was killed");
        Cli.Result resumed = runSparkCli("resume", localRun.toString(), "--runner", "spark", "--master", "local[2]", "--partitions",
                "3", "--conf", "spark.ui.enabled=false", "--quiet");
        assertEquals(0, resumed.exitCode(), resumed.all());
        assertArrayEquals(reference, Files.readAllBytes(localRun.resolve("samples.npy")));
    }

    @Test
    void aParquetDatasetReadsBackToTheSamplesAndFeedsALaterRun() throws IOException {
        Path file = work.resolve("parquet.yaml");
        Files.writeString(file, Files.readString(QUICKSTART) + "  - {name: save-parquet, type: save, format: parquet}\n"
                + "  - {name: save-shards, type: save, format: npy-shards}\n");
        Path run = runSpark(file, SMALL, 3, Optional.empty());
        Particles npy = NpyFile.read(run.resolve("samples.npy"));
        // The executors wrote one .npy shard per range (3 partitions); in the index's order they are samples.npy's rows.
        for (int i = 0; i < 3; i++) {
            assertTrue(Files.exists(run.resolve(NpyShards.shardName("samples.npy", i))), "shard " + i);
        }
        assertFalse(Files.exists(run.resolve(NpyShards.shardName("samples.npy", 3))));
        assertArrayEquals(npy.data(), NpyShards.read(run.resolve("samples-index.json")).data());
        try (Stream<Path> left = Files.list(run)) {
            assertEquals(List.of(), left.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList(),
                    "no temporary shard folder is left");
        }
        Particles parquet = ParquetDatasets.read(run.resolve("samples.parquet").toString(), new Configuration());
        assertEquals(npy.size(), parquet.size());
        assertEquals(npy.dimension(), parquet.dimension());
        assertTrue(Arrays.equals(npy.data(), parquet.data()), "the Parquet rows differ from samples.npy");

        // The dataset as a later pipeline's data: every particle of `init from: data` is one of its rows.
        Path reader = work.resolve("reader.yaml");
        Files.writeString(reader, """
                pipeline: {name: reader, seed: 3, particles: 500, dimension: 2}
                components:
                  data: {type: parquet, path: '%s'}
                stages:
                  - {name: init, type: init, from: data}
                  - {name: save, type: save}
                """.formatted(run.resolve("samples.parquet").toUri()));
        double[] drawn = NpyFile.read(runLocal(reader, List.of()).resolve("samples.npy")).data();
        Set<List<Double>> rows = new HashSet<>();
        for (int i = 0; i < npy.size(); i++) {
            rows.add(List.of(npy.data()[2 * i], npy.data()[2 * i + 1]));
        }
        for (int i = 0; i < drawn.length / 2; i++) {
            assertTrue(rows.contains(List.of(drawn[2 * i], drawn[2 * i + 1])), "particle " + i + " is no row of the dataset");
        }
    }

    @Test
    void aPluginTheExecutorsCannotLoadFailsTheRunWithItsReason() throws Exception {
        Path file = work.resolve("driver-only.yaml");
        Files.writeString(file, Files.readString(QUICKSTART).replace("score: {type: analytic}",
                "score: {type: driver-only, score: {type: analytic}}"));
        Path plugins = pluginFolder(work.resolve("driver-only-plugins"));
        Cli.Result result = runSparkCli("run", file.toString(), "--runs", work.resolve("driver-only-runs").toString(), "--plugins",
                plugins.toString(), "--runner", "spark", "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--quiet",
                "--set", "pipeline.particles=200");
        assertEquals(2, result.exitCode(), result.all());
        assertTrue(result.stderr().contains("an executor could not build the pipeline"), result.all());
        assertTrue(result.stderr().contains("libdriveronly.so is not installed"), result.all());
    }

    @Test
    void badRunnerSettingsFailFastWithAClearMessageAndNoRunDirectory() throws IOException, InterruptedException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Path runs = work.resolve("bad-runs");
        Cli.Result unreachable = runSparkCli("run", QUICKSTART.toString(), "--runs", runs.toString(), "--runner", "spark", "--master",
                "spark://127.0.0.1:" + closedPort, "--quiet");
        assertEquals(2, unreachable.exitCode(), unreachable.all());
        assertTrue(unreachable.stderr().contains("cannot reach the Spark master spark://127.0.0.1:" + closedPort), unreachable.all());

        for (String partitions : List.of("0", "-2")) {
            Cli.Result bad = runSparkCli("run", QUICKSTART.toString(), "--runs", runs.toString(), "--runner", "spark", "--master",
                    "local[2]", "--partitions", partitions, "--quiet");
            assertEquals(2, bad.exitCode(), bad.all());
            assertTrue(bad.stderr().contains("runner.partitions: must be >= 1"), bad.all());
        }

        Cli.Result unknown = runSparkCli("run", QUICKSTART.toString(), "--runs", runs.toString(), "--runner", "sprak", "--quiet");
        assertEquals(2, unknown.exitCode(), unknown.all());
        assertTrue(unknown.stderr().contains("unknown runner 'sprak'") && unknown.stderr().contains("spark"), unknown.all());

        // The default jar has no Spark in it: it says how to get the runner.
        Cli.Result plain = Cli.run(work, "run", QUICKSTART.toString(), "--runs", runs.toString(), "--runner", "spark", "--quiet");
        assertEquals(2, plain.exitCode(), plain.all());
        assertTrue(plain.stderr().contains("the Spark runner is not on the class path"), plain.all());

        assertFalse(Files.exists(runs) && hasEntries(runs), "a failed start left a run directory behind");
    }

    /**
     * MALA counts its proposals and acceptances in the blocks it runs, not in itself: the executors
     * send their ranges' counts back with the particles and the driver sums them. So the samples
     * and the acceptance rate equal the local runner's to the last digit for any partitioning, and
     * a Spark checkpoint taken mid-stage carries the counts so far into a local continuation.
     */
    @Test
    void malaOnTheClusterGivesTheLocalSamplesAndAcceptanceRate() throws IOException {
        List<String> mala = new ArrayList<>(SMALL);
        mala.addAll(List.of("stages.corrector.corrector.type=mala", "stages.corrector.corrector.step=0.3", "checkpoint.every=50"));
        Path local = runLocal(QUICKSTART, mala);
        String localMetrics = evaluations(local);
        assertTrue(localMetrics.contains("acceptance-rate"), localMetrics);
        for (int partitions : new int[] {1, 3, 7}) {
            Path spark = runSpark(QUICKSTART, mala, partitions, Optional.empty());
            assertArrayEquals(samples(local), samples(spark), "mala's samples with " + partitions + " partitions");
            assertEquals(localMetrics, evaluations(spark), "mala's metrics with " + partitions + " partitions");
            if (partitions == 3) {
                // The corrector's checkpoint at step 50 of 100, continued on the local runner.
                Path midStage;
                try (Stream<Path> files = Files.list(spark.resolve("checkpoints"))) {
                    midStage = files.filter(f -> f.getFileName().toString().endsWith("-k0000000050.spck")).findFirst()
                            .orElseThrow(() -> new AssertionError("no checkpoint at step 50 in " + spark));
                }
                ComponentRegistry registry = ComponentRegistry.discover(SparkIT.class.getClassLoader(), Optional.empty());
                Path branched = new Scorepipe(registry).withRunnerOptions(Map.of()).run(new Scorepipe.RunRequest(QUICKSTART, mala,
                        Optional.of(work.resolve("mala-branch")), work, Optional.of(midStage)), new RunControl()).directory();
                assertArrayEquals(samples(local), samples(branched), "continued locally from " + midStage.getFileName());
                assertEquals(localMetrics, evaluations(branched), "the counts before the checkpoint were carried over");
            }
        }
    }

    /**
     * The multistep solvers remember each particle's last denoised estimate in rows that live with
     * the particles: on the executors, each range keeps its rows next to its coordinates, and a
     * checkpoint gathers them. DPM-Solver++(2M) and UniPC then give the local runner's samples for
     * 1, 3 and 7 partitions (2000 particles: ranges fall on multiples of 256, so 3 and 7 partitions
     * really split them), a Spark checkpoint inside the sample stage continues on the local runner,
     * and a local one continues on Spark with each partitioning, to the same bytes. Were the rows
     * lost at a checkpoint, the step after it would be first order and the samples would differ
     * ({@code SolversTest.multistepStateResumesBitForBit} shows it).
     */
    @Test
    void multistepSolversKeepTheirRowsWithTheParticlesOnEveryRunnerAndResume() throws IOException {
        for (String predictor : List.of("dpm-solver++", "unipc")) {
            List<String> settings = List.of("pipeline.particles=2000", "stages.corrector.steps=10", "stages.sample.grid.steps=30",
                    "stages.sample.predictor.type=" + predictor, "checkpoint.every=10");
            Path local = runLocal(QUICKSTART, settings);
            byte[] reference = samples(local);
            Path localMidStage = midStage(local, 2, 20);
            assertTrue(CheckpointStore.read(localMidStage).rows().containsKey("stages.sample.predictor"),
                    predictor + ": the checkpoint carries the predictor's rows");
            for (int partitions : new int[] {1, 3, 7}) {
                Path spark = runSpark(QUICKSTART, settings, partitions, Optional.empty());
                assertArrayEquals(reference, samples(spark), predictor + " with " + partitions + " partitions");
                Checkpoint mid = CheckpointStore.read(midStage(spark, 2, 20));
                assertArrayEquals(CheckpointStore.read(localMidStage).rows().get("stages.sample.predictor"),
                        mid.rows().get("stages.sample.predictor"), predictor + ": the rows gathered from " + partitions + " ranges");
                if (partitions == 3) {
                    Path branched = branch(settings, midStage(spark, 2, 20), work.resolve(predictor + "-spark-to-local"));
                    assertArrayEquals(reference, samples(branched), predictor + ": a Spark checkpoint continued locally");
                }
                List<String> onSpark = new ArrayList<>(settings);
                onSpark.addAll(List.of("runner.type=spark", "runner.master=" + CLUSTER, "runner.partitions=" + partitions));
                Path resumed = branch(onSpark, localMidStage, work.resolve(predictor + "-local-to-spark-" + partitions));
                assertArrayEquals(reference, samples(resumed), predictor + ": a local checkpoint continued on " + partitions
                        + " partitions");
            }
        }
    }

    /**
     * Sharded checkpoints, the Spark runner's default: each executor writes its ranges as shards
     * (with the rows a multistep solver carries), the driver only a manifest of a few kilobytes. A
     * run cut back to a checkpoint inside the sample stage, with the next checkpoint's shards left
     * without their manifest (a driver killed between the two), resumes with 1, 3 and 7 partitions
     * and on the local runner to the local run's bytes; the orphaned shards are ignored, then swept.
     */
    @Test
    void shardedCheckpointsResumeWithAnyPartitioningAndOnTheLocalRunner() throws IOException {
        List<String> settings = new ArrayList<>(SMALL);
        settings.addAll(List.of("stages.sample.predictor.type=dpm-solver++", "checkpoint.every=20"));
        byte[] reference = samples(runLocal(QUICKSTART, settings));
        Path spark = runSpark(QUICKSTART, settings, 3, Optional.empty());
        assertArrayEquals(reference, samples(spark), "a sharded Spark run");

        Path folder = spark.resolve("checkpoints");
        Path mid = midStage(spark, 2, 40);
        Checkpoint manifest = CheckpointStore.readManifest(mid);
        assertTrue(manifest.sharded(), "the Spark runner shards its checkpoints by default");
        assertEquals(3, manifest.shards().size(), "one shard per range");
        assertTrue(Files.size(mid) < 16 << 10, "the manifest holds no particle: " + Files.size(mid) + " bytes");
        assertTrue(CheckpointStore.read(mid).rows().containsKey("stages.sample.predictor"), "the shards carry the solver's rows");

        String next = "ckpt-s003-k0000000000";
        List<String> kept = new ArrayList<>(List.of(mid.getFileName().toString()));
        manifest.shards().forEach(s -> kept.add(s.file()));
        List<String> orphans;
        try (Stream<Path> files = Files.list(folder)) {
            orphans = files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(next + ".") && n.endsWith(".spshard")).toList();
        }
        assertEquals(3, orphans.size(), "the next checkpoint's shards: " + orphans);
        kept.addAll(orphans);
        for (String where : List.of("1", "3", "7", "local")) {
            Path copy = work.resolve("sharded-resume-" + where);
            Files.createDirectories(copy.resolve("checkpoints"));
            Files.copy(spark.resolve("config.yaml"), copy.resolve("config.yaml"));
            for (String name : kept) {
                Files.copy(folder.resolve(name), copy.resolve("checkpoints").resolve(name));
            }
            List<String> overrides = where.equals("local") ? List.of("runner.type=local") : List.of("runner.partitions=" + where);
            ComponentRegistry registry = ComponentRegistry.discover(SparkIT.class.getClassLoader(), Optional.empty());
            new Scorepipe(registry).withRunnerOptions(Map.of()).resume(copy, Optional.empty(), overrides, new RunControl());
            assertArrayEquals(reference, samples(copy), "resumed from " + mid.getFileName() + " on " + where
                    + (where.equals("local") ? "" : " partitions"));
            for (String orphan : orphans) {
                assertFalse(Files.exists(copy.resolve("checkpoints").resolve(orphan)), orphan + " was swept on " + where);
            }
        }

        // run --from the sharded checkpoint, on 7 partitions: the executors read its shards, as a resume's do.
        List<String> onSeven = new ArrayList<>(settings);
        onSeven.addAll(List.of("runner.type=spark", "runner.master=" + CLUSTER, "runner.partitions=7"));
        Path branched = branch(onSeven, mid, work.resolve("sharded-branch-7"));
        assertArrayEquals(reference, samples(branched), "branched on 7 partitions from " + mid.getFileName());
        assertTrue(Files.readString(branched.resolve("run.log")).contains("particles read from 3 shards into 7 ranges"),
                "the executors read the shards");

        // A flipped byte in a shard of the newest checkpoint: the driver checks only that the shards are there
        // with their lengths, the executors find the bad checksum as they read it, and the resume falls back.
        Path damaged = work.resolve("sharded-resume-damaged");
        Files.createDirectories(damaged.resolve("checkpoints"));
        Files.copy(spark.resolve("config.yaml"), damaged.resolve("config.yaml"));
        Path older = midStage(spark, 2, 20);
        List<String> both = new ArrayList<>(List.of(older.getFileName().toString(), mid.getFileName().toString()));
        CheckpointStore.readManifest(older).shards().forEach(s -> both.add(s.file()));
        manifest.shards().forEach(s -> both.add(s.file()));
        for (String name : both) {
            Files.copy(folder.resolve(name), damaged.resolve("checkpoints").resolve(name));
        }
        Path bad = damaged.resolve("checkpoints").resolve(manifest.shards().get(1).file());
        byte[] bytes = Files.readAllBytes(bad);
        bytes[bytes.length / 2] ^= 0x20;
        Files.write(bad, bytes);
        ComponentRegistry registry = ComponentRegistry.discover(SparkIT.class.getClassLoader(), Optional.empty());
        new Scorepipe(registry).withRunnerOptions(Map.of()).resume(damaged, Optional.empty(), List.of(), new RunControl());
        assertArrayEquals(reference, samples(damaged), "resumed from the checkpoint before the damaged one");
        String log = Files.readString(damaged.resolve("run.log"));
        assertTrue(log.contains("skipped a damaged or foreign checkpoint") && log.contains(bad.getFileName().toString())
                && log.contains("checksum") && log.contains("from " + damaged.resolve("checkpoints").resolve(older.getFileName())),
                log);
    }

    /**
     * The run a user moves to Spark for: an ensemble larger than the driver's heap (2.2 million
     * particles in d = 16, 282 MB of coordinates, a driver of -Xmx256m) with checkpoints every 10
     * steps, a curve every 10 steps, sliced Wasserstein and Parquet output, on two executor
     * processes. The driver, killed after its first checkpoint inside the corrector stage, resumes
     * and finishes with the same small heap: no checkpoint, curve point, evaluation or output ever
     * brought the ensemble to it (one that did would fail it: the heap cannot hold the particles).
     */
    @Test
    void aRunLargerThanTheDriversHeapRunsAndResumesOnTheCluster() throws Exception {
        int n = 2_200_000;
        String plus = constant(16, "2.0");
        String minus = constant(16, "-2.0");
        Path file = work.resolve("larger-than-the-driver.yaml");
        Files.writeString(file, """
                pipeline: {name: larger-than-the-driver, seed: 5, particles: %d, dimension: 16}
                checkpoint: {every: 10, keep: 2}
                components:
                  data:
                    type: gaussian-mixture
                    components:
                      - {weight: 0.5, mean: %s, covariance: 1.0}
                      - {weight: 0.5, mean: %s, covariance: 1.0}
                  path: {type: ornstein-uhlenbeck}
                  score: {type: analytic}
                stages:
                  - {name: init, type: init, from: gaussian}
                  - {name: corrector, type: corrector, time: 1.0, steps: 40, corrector: {type: langevin, step: 0.05},
                     every: 10, evaluators: [moments]}
                  - {name: sw, type: evaluate, evaluators: [{type: sliced-wasserstein, projections: 16, max-samples: 20000}]}
                  - {name: save, type: save, format: parquet}
                """.formatted(n, plus, minus));
        Path run = work.resolve("larger-than-the-driver");
        List<String> driver = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-cp",
                SPARK_JAR + java.io.File.pathSeparator + Files.readString(SPARK_CLASSPATH).strip(), "org.scorepipe.cli.ScorepipeCommand"));
        // Spark refuses a driver under 450 MB of heap unless told what memory to plan for: spark.testing.memory
        // sets only the figure its memory manager plans with (the driver stores next to nothing), not the heap.
        List<String> cluster = List.of("--master", CLUSTER, "--partitions", "4", "--conf", "spark.ui.enabled=false", "--conf",
                "spark.testing.memory=" + (512L << 20), "--quiet");
        List<String> first = new ArrayList<>(driver);
        first.addAll(List.of("run", file.toString(), "--out", run.toString(), "--runner", "spark"));
        first.addAll(cluster);
        Path log = work.resolve("larger-than-the-driver.log");
        Process process = new ProcessBuilder(first).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        Path inside = run.resolve("checkpoints").resolve("ckpt-s001-k0000000010.spck");
        try {
            awaitUntil(() -> Files.exists(inside), () -> !process.isAlive(),
                    () -> "no checkpoint inside the corrector stage before the driver ended:\n" + readQuietly(log));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.MINUTES);
        }
        assertFalse(Files.exists(run.resolve("samples.parquet")), "the driver finished before it was killed");

        List<String> resume = new ArrayList<>(driver);
        resume.addAll(List.of("resume", run.toString()));
        resume.addAll(cluster);
        Path resumeLog = work.resolve("larger-than-the-driver-resume.log");
        Process resumed = new ProcessBuilder(resume).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(resumeLog.toFile()).start();
        if (!resumed.waitFor(8, TimeUnit.MINUTES)) {
            resumed.descendants().forEach(ProcessHandle::destroyForcibly);
            resumed.destroyForcibly();
            throw new AssertionError("the resume did not finish in 8 minutes:\n" + readQuietly(resumeLog));
        }
        assertEquals(0, resumed.exitValue(), readQuietly(resumeLog) + readQuietly(run.resolve("run.log")));
        String runLog = Files.readString(run.resolve("run.log"));
        assertTrue(runLog.contains("particles read from 4 shards into 4 ranges on the executors"), runLog);
        String metrics = Files.readString(run.resolve("metrics.json"));
        assertTrue(metrics.contains("sliced-wasserstein"), metrics);
        assertEquals(n, spark.read().parquet(run.resolve("samples.parquet").toString()).count(), "every particle in the dataset");
        com.google.gson.JsonArray curve = com.google.gson.JsonParser.parseString(metrics).getAsJsonObject().getAsJsonArray("curves");
        assertEquals(40, curve.get(curve.size() - 1).getAsJsonObject().get("step").getAsLong(), "the curve reached the end: " + curve);
    }

    /**
     * {@code extend} on the cluster: a finished run of 1000 particles, from Spark (sharded
     * checkpoints) or from the local runner (single files), grown to 2500 on 7 partitions (one
     * range holds particles of both: 512..1023) gives the 2500-particle run's samples and metrics
     * to the last digit.
     */
    @Test
    void aFinishedRunGrowsOnTheClusterToTheLargerRunsBytes() throws IOException {
        List<String> shorter = List.of("stages.corrector.steps=60", "stages.sample.grid.steps=30");
        List<String> big = new ArrayList<>(shorter);
        big.add("pipeline.particles=2500");
        Path reference = runLocal(QUICKSTART, big);
        List<String> small = new ArrayList<>(shorter);
        small.add("pipeline.particles=1000");
        Map<String, Path> finished = Map.of("spark", runSpark(QUICKSTART, small, 3, Optional.empty()), "local",
                runLocal(QUICKSTART, small));
        for (Map.Entry<String, Path> run : finished.entrySet()) {
            ComponentRegistry registry = ComponentRegistry.discover(SparkIT.class.getClassLoader(), Optional.empty());
            Path grown = new Scorepipe(registry).withRunnerOptions(Map.of()).extend(run.getValue(), 2500,
                    Optional.of(work.resolve("grown-from-" + run.getKey())), work, List.of("runner.type=spark",
                            "runner.master=" + CLUSTER, "runner.partitions=7"), new RunControl()).directory();
            assertArrayEquals(samples(reference), samples(grown), "the " + run.getKey() + " run grown on the cluster");
            assertEquals(evaluations(reference), evaluations(grown), "its metrics, to the last digit");
            assertTrue(Files.readString(grown.resolve("run.log")).contains("extending particles 1000 and on, spark"),
                    "it ran on the cluster");
        }
    }

    /** The checkpoint at step {@code step} of stage {@code stage} in a run's folder. */
    private static Path midStage(Path run, int stage, long step) throws IOException {
        String name = String.format("ckpt-s%03d-k%010d.spck", stage, step);
        Path file = run.resolve("checkpoints").resolve(name);
        assertTrue(Files.exists(file), "no " + name + " in " + run);
        return file;
    }

    /** A new run of the quickstart with {@code overrides}, continued from {@code checkpoint}. */
    private static Path branch(List<String> overrides, Path checkpoint, Path out) {
        ComponentRegistry registry = ComponentRegistry.discover(SparkIT.class.getClassLoader(), Optional.empty());
        return new Scorepipe(registry).withRunnerOptions(Map.of()).run(new Scorepipe.RunRequest(QUICKSTART, overrides,
                Optional.of(out), work, Optional.of(checkpoint)), new RunControl()).directory();
    }

    // ---------------------------------------------------------------------------------------

    private static Path runLocal(Path file, List<String> overrides) {
        return run(file, overrides, Optional.empty(), work.resolve("local-" + RUNS.incrementAndGet()));
    }

    private static Path runSpark(Path file, List<String> overrides, int partitions, Optional<Path> plugins) {
        return runSpark(file, overrides, partitions, plugins, work.resolve("spark-" + RUNS.incrementAndGet()));
    }

    private static Path runSpark(Path file, List<String> overrides, int partitions, Optional<Path> plugins, Path out) {
        List<String> all = new ArrayList<>(overrides);
        all.addAll(List.of("runner.type=spark", "runner.master=" + CLUSTER, "runner.partitions=" + partitions));
        return run(file, all, plugins, out);
    }

    private static Path run(Path file, List<String> overrides, Optional<Path> plugins, Path out) {
        ComponentRegistry registry = ComponentRegistry.discover(SparkIT.class.getClassLoader(), plugins);
        Scorepipe scorepipe = new Scorepipe(registry).withPluginFolder(plugins).withRunnerOptions(Map.of());
        return scorepipe.run(new Scorepipe.RunRequest(file, overrides, Optional.of(out), work), new RunControl()).directory();
    }

    private static byte[] samples(Path run) throws IOException {
        return Files.readAllBytes(run.resolve("samples.npy"));
    }

    /** A YAML list of {@code d} copies of {@code value}: a mixture component's mean. */
    private static String constant(int d, String value) {
        return "[" + String.join(", ", java.util.Collections.nCopies(d, value)) + "]";
    }

    /** A small chained-Langevin pipeline: d = 10 in patches of 5, three noise levels. */
    private static String chainedPipeline() {
        String plus = constant(10, "1.5");
        String minus = constant(10, "-1.5");
        return """
                pipeline: {name: chained-small, seed: 11, particles: 300, dimension: 10}
                components:
                  data:
                    type: gaussian-mixture
                    components:
                      - {weight: 0.5, mean: %s, covariance: 1.0}
                      - {weight: 0.5, mean: %s, covariance: 1.0}
                  path: {type: variance-exploding, sigma-min: 0.01, sigma-max: 50.0}
                  score: {type: analytic}
                  levels: {type: geometric, first: 1.0, last: 0.01, levels: 3}
                stages:
                  - {name: start, type: init, from: gaussian, scale: 1.7320508075688772, time: 0.0}
                  - {name: chained, type: chained-langevin, patch: 5, grid: levels, steps-per-level: 20, step: 2.5e-5,
                     step-rule: noise-squared}
                  - {name: eval, type: evaluate, evaluators: [mode-frequencies]}
                  - {name: save, type: save}
                """.formatted(plus, minus);
    }

    /** A plugin folder with one jar of the test doubles in org.scorepipe.it.faults. */
    static Path pluginFolder(Path folder) throws IOException {
        Files.createDirectories(folder);
        Path classes = Path.of(SparkIT.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Path faults = classes.resolve("org/scorepipe/it/faults");
        try (OutputStream file = Files.newOutputStream(folder.resolve("faults.jar")); JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry("META-INF/services/org.scorepipe.api.Plugin"));
            jar.write("org.scorepipe.it.faults.FaultsPlugin\n".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
            try (Stream<Path> files = Files.list(faults)) {
                for (Path c : files.sorted().toList()) {
                    jar.putNextEntry(new JarEntry("org/scorepipe/it/faults/" + c.getFileName()));
                    jar.write(Files.readAllBytes(c));
                    jar.closeEntry();
                }
            }
        }
        return folder;
    }

    /** SPARK_HOME/jars: links to the run's class path, which local-cluster's executors start from. */
    private static void linkSparkHome() throws IOException {
        String home = System.getenv("SPARK_HOME");
        if (home == null) {
            throw new AssertionError("SPARK_HOME is not set; run SparkIT through Maven (failsafe sets it)");
        }
        Path jars = Path.of(home, "jars");
        Files.createDirectories(jars);
        for (String entry : Files.readString(SPARK_CLASSPATH).strip().split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            Path link = jars.resolve(jar.getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(link, jar);
            }
        }
    }

    private static void awaitExecutors(int count) throws InterruptedException {
        // getExecutorInfos lists the driver too
        awaitUntil(() -> spark.sparkContext().statusTracker().getExecutorInfos().length >= count + 1, () -> false,
                () -> "the executors never registered");
    }

    /** Waits for a checkpoint inside the corrector stage (stage 1, step > 0); fails if {@code run} ends first. */
    private static void awaitMidStageCheckpoint(Path dir, Future<?> run) throws Exception {
        awaitUntil(() -> hasMidStageCheckpoint(dir), run::isDone, () -> {
            if (run.isDone()) {
                try {
                    run.get();
                } catch (Exception e) {
                    return "the run failed before a checkpoint inside its corrector stage appeared: " + e;
                }
            }
            return "no checkpoint inside the corrector stage appeared";
        });
    }

    /** Something the test can check again, which may throw. */
    private interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} every few milliseconds until it holds; fails with {@code message} if
     * {@code over} holds first (what it waits on has ended) or after three minutes.
     */
    private static void awaitUntil(Check condition, Check over, java.util.function.Supplier<String> message)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try {
            while (!condition.holds()) {
                if (over.holds() || System.nanoTime() > deadline) {
                    throw new AssertionError(message.get());
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException | AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(message.get(), e);
        }
    }

    private static boolean hasMidStageCheckpoint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .anyMatch(n -> n.matches("ckpt-s001-k\\d{10}\\.spck") && !n.equals("ckpt-s001-k0000000000.spck"));
        }
    }

    /** Starts {@code command}, kills it (SIGKILL, with its children) once a checkpoint inside the corrector stage is in {@code checkpoints}. */
    /** A run's checkpoint folder under a shared checkpoint folder: named by the run id its config.yaml records. */
    private static Path runFolder(Path store, Path runDirectory) throws IOException {
        Path config = runDirectory.resolve("config.yaml");
        if (!Files.exists(config)) {
            return store.resolve("(no run yet)");
        }
        String id = Files.readAllLines(config).stream().map(String::strip).filter(l -> l.startsWith("id: ")).findFirst()
                .map(l -> l.substring(4)).orElse("(no id yet)");
        return store.resolve(id);
    }

    /** A path found anew at each poll. */
    private interface Where {
        Path get() throws IOException;
    }

    private static void killAfterCheckpoint(List<String> command, Where checkpoints) throws Exception {
        Path log = Files.createTempFile(work, "child", ".log");
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        try {
            awaitUntil(() -> hasMidStageCheckpoint(checkpoints.get()), () -> !process.isAlive(),
                    () -> "no checkpoint inside the corrector stage before the child ended:\n" + readQuietly(log));
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.MINUTES);
        }
        assertNotEquals(0, process.exitValue());
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> sparkCommand(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-cp",
                SPARK_JAR + java.io.File.pathSeparator + Files.readString(SPARK_CLASSPATH).strip(), "org.scorepipe.cli.ScorepipeCommand"));
        command.addAll(args);
        return command;
    }

    /** Runs {@code scorepipe-spark.jar} on Spark's class path (as ./scorepipe does for --runner spark); two minutes at most. */
    private static Cli.Result runSparkCli(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process process = new ProcessBuilder(sparkCommand(List.of(args))).directory(work.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("scorepipe " + String.join(" ", args) + " did not finish in two minutes");
        }
        return new Cli.Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static boolean hasEntries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
