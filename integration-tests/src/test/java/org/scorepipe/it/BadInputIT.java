package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.scorepipe.it.faults.ThrowingScore;

/**
 * A user's mistake ends with one message that names the file, the key and what to do, exit
 * code 2, no stack trace, and no run directory left behind.
 */
class BadInputIT {
    private static final String GOOD = """
            pipeline: {name: bad, seed: 1, particles: 100, dimension: 2}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.5, mean: [-1.0, 0.0], covariance: 0.5}
                  - {weight: 0.5, mean: [1.0, 0.0], covariance: [1.0, 0.3, 0.3, 1.0]}
              path: {type: ornstein-uhlenbeck}
              score: {type: analytic}
            stages:
              - {name: init, type: init}
              - name: corrector
                type: corrector
                time: 1.0
                steps: 10
                corrector: {type: langevin, step: 0.05}
              - {name: save, type: save}
            """;

    private static final String QUICKSTART = Cli.PIPELINES.resolve("quickstart.yaml").toString();

    @TempDir
    static Path dir;

    @BeforeAll
    static void sanity() throws Exception {
        Files.writeString(dir.resolve("good.yaml"), GOOD);
        Cli.Result ok = Cli.run(dir, "validate", "good.yaml");
        assertEquals(0, ok.exitCode(), "the unmodified pipeline must be valid: " + ok.all());
    }

    /** Writes GOOD with one replacement, runs it, and checks the failure's shape. */
    private static String failure(String name, String from, String to) throws Exception {
        assertTrue(GOOD.contains(from), from);
        Files.writeString(dir.resolve(name + ".yaml"), GOOD.replace(from, to));
        return failureOf("run", name + ".yaml", "--runs", "runs-" + name);
    }

    private static String failureOf(String... args) throws Exception {
        return failureWith(List.of(), args);
    }

    private static String failureWith(List<String> jvmOptions, String... args) throws Exception {
        Cli.Result result = Cli.runWith(jvmOptions, dir, args);
        assertEquals(2, result.exitCode(), result.all());
        assertEquals("", result.stdout(), "nothing on stdout");
        String[] lines = result.stderr().strip().split("\n");
        assertEquals(1, lines.length, "one message: " + result.stderr());
        assertTrue(lines[0].startsWith("error: "), result.stderr());
        assertFalse(result.stderr().contains("Exception") || result.stderr().contains("\tat "), "no stack trace: " + result.stderr());
        if (args.length > 3 && args[2].equals("--runs")) {
            Path runs = dir.resolve(args[3]);
            assertFalse(Files.exists(runs) && nonEmpty(runs), "no run directory is left behind");
        }
        return lines[0].substring("error: ".length());
    }

    private static boolean nonEmpty(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isPresent();
        }
    }

    @Test
    void unknownComponentTypeListsTheKnownNames() throws Exception {
        String m = failure("type", "type: langevin", "type: langevn");
        assertEquals("type.yaml: stages.corrector.corrector.type: unknown corrector type 'langevn';"
                + " did you mean 'langevin'?; known correctors: annealed-langevin, langevin, mala", m);
    }

    @Test
    void misspelledKeySuggestsTheNearest() throws Exception {
        String m = failure("key", "step: 0.05", "stpe: 0.05");
        assertTrue(m.startsWith("key.yaml: stages.corrector.corrector.stpe: unknown key; did you mean 'step'?"), m);
    }

    @Test
    void missingRequiredKey() throws Exception {
        String m = failure("missing", "    steps: 10\n", "");
        assertTrue(m.startsWith("missing.yaml: stages.corrector.steps: missing required key"), m);
    }

    @Test
    void wrongType() throws Exception {
        String m = failure("wrongtype", "steps: 10", "steps: ten");
        assertEquals("wrongtype.yaml: stages.corrector.steps: expected a whole number, found 'ten'", m);
    }

    @Test
    void malformedYamlNamesFileAndLine() throws Exception {
        String m = failure("malformed", "covariance: 0.5}", "covariance: 0.5");
        assertTrue(m.startsWith("malformed.yaml: line 7, column"), m);
        assertTrue(m.contains("malformed YAML"), m);
    }

    @Test
    void missingFile() throws Exception {
        assertEquals("nowhere.yaml: no such file. Check the path; the shipped pipelines are in pipelines/.",
                failureOf("run", "nowhere.yaml", "--runs", "runs-missing"));
    }

    @Test
    void weightsThatDoNotSumToOne() throws Exception {
        String m = failure("weights", "weight: 0.5, mean: [1.0", "weight: 0.3, mean: [1.0");
        assertTrue(m.startsWith("weights.yaml: components.data: "), m);
        assertTrue(m.contains("sum to 0.8"), m);
    }

    @Test
    void covarianceThatIsNotPositiveDefinite() throws Exception {
        String m = failure("notpd", "[1.0, 0.3, 0.3, 1.0]", "[1.0, 2.0, 2.0, 1.0]");
        assertTrue(m.startsWith("notpd.yaml: components.data: "), m);
        assertTrue(m.contains("positive definite"), m);
    }

    @Test
    void dimensionMismatch() throws Exception {
        String m = failure("dims", "mean: [-1.0, 0.0]", "mean: [-1.0, 0.0, 0.0]");
        assertTrue(m.startsWith("dims.yaml: components.data: "), m);
        assertTrue(m.contains("dimension mismatch"), m);
    }

    @Test
    void unknownStageInAnOverride() throws Exception {
        assertEquals("--set stages.smaple.steps=3: good.yaml has no stage named 'smaple'; its stages are [init, corrector, save]",
                failureOf("run", "good.yaml", "--runs", "runs-set", "--set", "stages.smaple.steps=3"));
    }

    @Test
    void aDivergingStepSizeStopsTheRunWithoutSamples() throws Exception {
        Files.writeString(dir.resolve("diverge.yaml"), GOOD.replace("step: 0.05", "step: 50.0").replace("steps: 10", "steps: 200"));
        Cli.Result result = Cli.run(dir, "run", "diverge.yaml", "--out", "diverged");
        assertEquals(2, result.exitCode(), result.all());
        assertTrue(result.stderr().contains("error: stage 'corrector' diverged"), result.stderr());
        assertTrue(result.stderr().contains("reduce it"), result.stderr());
        assertFalse(result.stderr().contains("\tat "), result.stderr());
        assertFalse(Files.exists(dir.resolve("diverged").resolve("samples.npy")), "no samples from a diverged run");
        assertTrue(Files.readString(dir.resolve("diverged").resolve("run.log")).contains("diverged"), "run.log says why");
    }

    @Test
    void describeAnUnknownComponent() throws Exception {
        String m = failureOf("plugins", "describe", "langevn");
        assertEquals("no component named 'langevn'; did you mean 'langevin'?; `scorepipe plugins list` shows them all", m);
    }

    @Test
    void aKeyOfACollaboratorPointsToItsPath() throws Exception {
        String m = failureOf("validate", QUICKSTART, "--set", "stages.sample.steps=5");
        assertEquals(QUICKSTART + ": stages.sample.steps: unknown key; the stage 'sample' takes no parameters of its own;"
                + " did you mean stages.sample.grid.steps?", m);
    }

    @Test
    void anUnknownTypeSuggestsTheNearestOfItsKindOnly() throws Exception {
        String m = failureOf("validate", QUICKSTART, "--set", "components.path.type=vpsde");
        assertEquals(QUICKSTART + ": components.path.type: unknown noising path type 'vpsde'; did you mean 'vp'?;"
                + " known noising paths: ddpm, interpolation, ornstein-uhlenbeck, sub-vp, variance-exploding, vp", m);
    }

    @Test
    void evaluatorTakesAn() throws Exception {
        String m = failureOf("validate", QUICKSTART, "--set", "stages.eval.evaluators=momnts");
        assertTrue(m.contains("'momnts' is neither a shared evaluator (none defined) nor an evaluator type; did you mean 'moments'?"), m);
    }

    @Test
    void aMisspeltRunnerSuggestsSparkThoughItIsNotOnTheClassPath() throws Exception {
        String m = failureOf("run", "good.yaml", "--runs", "runs-runner", "--runner", "sprak");
        assertTrue(m.startsWith("unknown runner 'sprak'; did you mean 'spark'?; runners: local, spark; for spark, run through ./scorepipe"), m);
    }

    @Test
    void anOptionThatIsAPipelineKeyPointsToSet() throws Exception {
        assertEquals("unknown option --seed; pipeline keys are set with --set: --set pipeline.seed=3; see `scorepipe run --help`",
                failureOf("run", "good.yaml", "--runs", "runs-seed", "--seed", "3"));
        assertEquals("unknown option --particles; pipeline keys are set with --set: --set pipeline.particles=50;"
                + " see `scorepipe validate --help`", failureOf("validate", "good.yaml", "--particles=50"));
        assertEquals("unknown option --treads; did you mean '--threads'?; see `scorepipe run --help`",
                failureOf("run", "good.yaml", "--runs", "runs-treads", "--treads", "2"));
        assertEquals("unknown command 'rnu'; did you mean 'run'?; see `scorepipe --help`", failureOf("rnu", "good.yaml"));
        assertEquals("unknown command 'lst'; did you mean 'list'?; see `scorepipe plugins --help`", failureOf("plugins", "lst"));
    }

    @Test
    void anUnsetEnvironmentVariableIsNamed() throws Exception {
        String m = failure("env", "name: bad", "name: '${env:SCOREPIPE_SURELY_UNSET_VARIABLE}'");
        assertEquals("env.yaml: pipeline.name: cannot resolve ${env:SCOREPIPE_SURELY_UNSET_VARIABLE}:"
                + " the environment variable SCOREPIPE_SURELY_UNSET_VARIABLE is not set", m);
    }

    @Test
    void aRunDirectoryOrACheckpointWhereAFileBelongsPointsToTheCommandThatTakesIt() throws Exception {
        Cli.Result done = Cli.run(dir, "run", "good.yaml", "--out", "done");
        assertEquals(0, done.exitCode(), done.all());
        Path checkpoint = Path.of("done", "checkpoints", "ckpt-s003-k0000000000.spck");
        assertTrue(Files.isRegularFile(dir.resolve(checkpoint)), "the run ends with a checkpoint");

        assertEquals("done is a run directory, not a pipeline file: continue it with `scorepipe resume done`,"
                + " or run its pipeline again with `scorepipe run done/config.yaml`", failureOf("run", "done"));
        assertEquals(checkpoint + " is a checkpoint, not a pipeline file: branch a new run from it with"
                + " `scorepipe run done/config.yaml --from " + checkpoint + "`, or continue its run with `scorepipe resume done`",
                failureOf("run", checkpoint.toString()));
        assertEquals("done is a folder, not a checkpoint: inspect one of its checkpoints, e.g. the newest, `scorepipe inspect "
                + checkpoint + "`; `scorepipe resume` takes the run directory itself", failureOf("inspect", "done"));
    }

    // ---- Issue #20, "Stack traces instead of one message" and "Mistakes found late" (and #21's parquet bullet). ----

    /**
     * Both commands refuse {@code file} with {@code extra} in the same one line: {@code validate}
     * catches what {@code run} would refuse before sampling, and {@code run} leaves no run directory.
     */
    private static String refusedByValidateAndRun(String file, String... extra) throws Exception {
        List<String> validate = new ArrayList<>(List.of("validate", file));
        validate.addAll(List.of(extra));
        String m = failureOf(validate.toArray(String[]::new));
        List<String> run = new ArrayList<>(List.of("run", file, "--runs", "runs-" + Integer.toHexString((file + Arrays.toString(extra)).hashCode())));
        run.addAll(List.of(extra));
        assertEquals(m, failureOf(run.toArray(String[]::new)), "run refuses it as validate does");
        return m;
    }

    /** Pins "a plugin's ArithmeticException, NPE, AIOOBE, StackOverflowError ... one message; the wording must not depend on the thread count". */
    @ParameterizedTest
    @EnumSource(ThrowingScore.Fault.class)
    void aComponentsBugIsOneMessageNamingStageComponentJarAndException(ThrowingScore.Fault fault) throws Exception {
        Path plugins = SparkIT.pluginFolder(dir.resolve("faults-plugins"));
        String name = "bug-" + fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        Files.writeString(dir.resolve(name + ".yaml"), GOOD.replace("score: {type: analytic}",
                "score: {type: throwing, fault: " + fault.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "}"));
        String[] lines = new String[2];
        for (int threads = 1; threads <= 2; threads++) {
            Path out = dir.resolve(name + "-" + threads);
            // Ten blocks of ten particles: one thread runs them in turn, two run them on the pool.
            Cli.Result r = Cli.run(dir, "run", name + ".yaml", "--plugins", plugins.toString(), "--out", out.toString(),
                    "--threads", Integer.toString(threads), "--block-size", "10");
            assertEquals(2, r.exitCode(), r.all());
            lines[threads - 1] = errorLine(r).replace(out.toString(), "RUN_DIR");
            assertFalse(r.stderr().contains("\tat "), "no trace without --debug: " + r.stderr());
            assertFalse(Files.exists(out.resolve("samples.npy")), "no samples from a failed run");
            assertTrue(Files.readString(out.resolve("run.log")).contains("\tat "), "run.log keeps the trace");
        }
        assertEquals(lines[0], lines[1], "the same words for one thread and for two");
        String exception = switch (fault) {
            case ARITHMETIC -> "java.lang.ArithmeticException: / by zero";
            case NULL_POINTER -> "java.lang.NullPointerException";
            case INDEX -> "java.lang.ArrayIndexOutOfBoundsException";
            case STACK_OVERFLOW -> "java.lang.StackOverflowError";
        };
        assertTrue(lines[0].startsWith("error: stage 'corrector', step 0: components.score (score provider 'throwing', faults.jar)"
                + " failed with " + exception), lines[0]);
        assertTrue(lines[0].contains("bug in that component"), lines[0]);
        Cli.Result debug = Cli.run(dir, "run", name + ".yaml", "--plugins", plugins.toString(), "--out",
                dir.resolve(name + "-debug").toString(), "--debug");
        assertEquals(2, debug.exitCode(), debug.all());
        assertTrue(debug.stderr().contains("\tat "), "--debug prints the trace: " + debug.stderr());
    }

    /** The one line starting with {@code error: } (other lines are the run's log), asserting there is exactly one. */
    private static String errorLine(Cli.Result r) {
        List<String> errors = r.stderr().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), "exactly one error line: " + r.stderr());
        return errors.get(0);
    }

    /** Pins "pipeline.particles: 2147483647 (n*d does not fit one array; validate accepts it)". */
    @Test
    void anEnsembleBeyondOneArrayIsRefusedByValidate() throws Exception {
        String m = refusedByValidateAndRun("good.yaml", "--set", "pipeline.particles=2147483647");
        assertTrue(m.startsWith("good.yaml: pipeline: particles * dimension = 2147483647 * 2 = 4294967294 coordinates do not"
                + " fit one array"), m);
    }

    /** Pins "--threads 40000". */
    @Test
    void tooManyThreads() throws Exception {
        String m = refusedByValidateAndRun("good.yaml", "--threads", "40000");
        assertTrue(m.startsWith("good.yaml: runner: threads must be between 0 (one per core) and 32767, got 40000"), m);
    }

    /** Pins "an ensemble larger than the heap (OutOfMemoryError)": refused before the run directory is made. */
    @Test
    void anEnsembleLargerThanTheHeap() throws Exception {
        // 10^7 particles in 2 dimensions are 160 MB of coordinates, more than a 64 MB heap.
        String m = failureWith(List.of("-Xmx64m"), "run", "good.yaml", "--runs", "runs-heap", "--set", "pipeline.particles=10000000");
        assertTrue(m.startsWith("good.yaml: pipeline.particles: 10000000 particles in 2 dimensions need 152 MiB"), m);
        assertTrue(m.contains("give Java more memory"), m);
        assertEquals(m, failureWith(List.of("-Xmx64m"), "validate", "good.yaml", "--set", "pipeline.particles=10000000"));
    }

    /** Pins "resume on a read-only run directory (today a Log4j trace)". */
    @Test
    void resumeInAReadOnlyRunDirectory() throws Exception {
        Path run = dir.resolve("read-only-run");
        Cli.Result r = Cli.run(dir, "run", "good.yaml", "--out", run.toString(), "--checkpoint-every", "5");
        assertEquals(0, r.exitCode(), r.all());
        // Keep only the oldest checkpoint (mid-corrector), so that there is something left to run.
        List<Path> checkpoints;
        try (Stream<Path> files = Files.list(run.resolve("checkpoints"))) {
            checkpoints = files.sorted().toList();
        }
        for (Path c : checkpoints.subList(1, checkpoints.size())) {
            Files.delete(c);
        }
        Files.delete(run.resolve("samples.npy"));
        List<Path> before = tree(run);
        ReadOnly readOnly = ReadOnly.make(run);
        try {
            String m = failureOf("resume", run.toString());
            assertTrue(m.contains(run.toString()), m);
        } finally {
            readOnly.undo();
        }
        assertEquals(before, tree(run), "nothing was written or left behind");
    }

    private static List<Path> tree(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.sorted().toList();
        }
    }

    /** A folder made read-only: by its permissions, and for root (whom they do not stop) by the immutable attribute. */
    private record ReadOnly(List<Path> paths, boolean immutable) {
        static ReadOnly make(Path root) throws Exception {
            List<Path> paths = tree(root);
            for (Path p : paths) {
                p.toFile().setWritable(false, false);
            }
            ReadOnly readOnly = new ReadOnly(paths, Files.isWritable(root));
            if (readOnly.immutable() && chattr("+i", paths) != 0) {
                readOnly.undo();
                Assumptions.abort("running as root on a file system without the immutable attribute: " + root
                        + " cannot be made read-only here");
            }
            assertFalse(Files.isWritable(root) || Files.isWritable(root.resolve("run.log")), "could not make " + root + " read-only");
            return readOnly;
        }

        void undo() throws Exception {
            if (immutable) {
                chattr("-i", paths);
            }
            for (Path p : paths) {
                p.toFile().setWritable(true, true);
            }
        }

        private static int chattr(String flag, List<Path> paths) throws Exception {
            List<String> command = new ArrayList<>(List.of("chattr", flag));
            paths.forEach(p -> command.add(p.toString()));
            try {
                return new ProcessBuilder(command).inheritIO().start().waitFor();
            } catch (java.io.IOException e) {
                return -1; // no chattr on this machine
            }
        }
    }

    /** A finished run to report on, with {@code file} replaced by {@code bytes}. */
    private static Path finishedRunWith(String name, String file, byte[] bytes) throws Exception {
        Path run = dir.resolve(name);
        Cli.Result r = Cli.run(dir, "run", "good.yaml", "--out", run.toString());
        assertEquals(0, r.exitCode(), r.all());
        Files.delete(run.resolve("report.html"));
        Files.write(run.resolve(file), bytes);
        return run;
    }

    /** Pins "scorepipe report on a damaged samples.npy": a header cut short. */
    @Test
    void reportOnADamagedSamplesFile() throws Exception {
        Path run = finishedRunWith("damaged-npy", "samples.npy",
                "\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f8', 'fortran_order': False, 'shape': (1".getBytes(StandardCharsets.ISO_8859_1));
        String m = failureOf("report", run.toString());
        assertTrue(m.startsWith(run.resolve("samples.npy") + ": damaged"), m);
        assertFalse(Files.exists(run.resolve("report.html")), "no report from damaged samples");
    }

    /** Pins "scorepipe report on a damaged metrics.json": binary bytes, then JSON of the wrong shape. */
    @Test
    void reportOnADamagedMetricsFile() throws Exception {
        Path run = finishedRunWith("damaged-metrics", "metrics.json", new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b, 0x00, 0x01});
        String m = failureOf("report", run.toString());
        assertTrue(m.startsWith(run.resolve("metrics.json") + ": a binary file"), m);
        Files.writeString(run.resolve("metrics.json"), "{\"stages\": [1, 2]}");
        m = failureOf("report", run.toString());
        assertTrue(m.startsWith(run.resolve("metrics.json") + ": damaged, not the metrics.json a run writes"), m);
        assertFalse(Files.exists(run.resolve("report.html")), "no report from damaged metrics");
    }

    /** Pins "a pipeline file that is /dev/zero (bound the size before reading whole)". */
    @Test
    void aPipelineFileWithoutEnd() throws Exception {
        assertEquals("/dev/zero: larger than 16 MiB, which is more than a pipeline file (YAML text) ever holds; check the path",
                refusedByValidateAndRun("/dev/zero"));
    }

    /** Pins "a binary pipeline file": NUL bytes, and bytes that are not UTF-8. */
    @Test
    void aBinaryPipelineFile() throws Exception {
        Files.write(dir.resolve("nul.yaml"), new byte[] {'p', 'i', 0, 1, 2});
        assertEquals("nul.yaml: a binary file (a NUL byte at offset 2), not a pipeline file (YAML text); check the path",
                refusedByValidateAndRun("nul.yaml"));
        Files.write(dir.resolve("latin.yaml"), new byte[] {'p', ':', ' ', (byte) 0xe9, (byte) 0xff});
        assertEquals("latin.yaml: not UTF-8 text, so not a pipeline file (YAML text); check the path",
                refusedByValidateAndRun("latin.yaml"));
    }

    /** Pins "corrector time: -1 (today a NaN sigma deep inside, no key named)". */
    @Test
    void aNegativeCorrectorTime() throws Exception {
        Files.writeString(dir.resolve("time.yaml"), GOOD.replace("time: 1.0", "time: -1"));
        assertEquals("time.yaml: stages.corrector: time must be a finite path time >= 0, got -1.0", refusedByValidateAndRun("time.yaml"));
    }

    /** Pins "a mixture mean of .nan or .inf". */
    @Test
    void aMixtureMeanThatIsNotANumber() throws Exception {
        for (String value : new String[] {".nan", ".inf", "-.inf"}) {
            Files.writeString(dir.resolve("mean.yaml"), GOOD.replace("mean: [1.0, 0.0]", "mean: [1.0, " + value + "]"));
            String m = refusedByValidateAndRun("mean.yaml");
            assertTrue(m.startsWith("mean.yaml: components.data.components[1].mean[1]: expected a finite number"), m);
        }
    }

    /** Pins "data values of 1e300 (today misreported as 'the step size is probably too large')". */
    @Test
    void dataValuesThatOverflow() throws Exception {
        Files.writeString(dir.resolve("huge.csv"), "0.5,1.0\n1e300,2.0\n");
        Files.writeString(dir.resolve("huge.yaml"), GOOD.replaceFirst("(?s)  data:.*?(?=  path:)", "  data: {type: csv, path: huge.csv}\n")
                .replace("score: {type: analytic}", "score: {type: empirical}"));
        String m = refusedByValidateAndRun("huge.yaml");
        assertTrue(m.startsWith("huge.yaml: components.data: "), m);
        assertTrue(m.contains("row 1 (counting from 0) has the value 1.0E300 in column 0"), m);
        assertTrue(m.contains("rescale the data"), m);
        assertFalse(m.contains("step size"), m);
    }

    /** Pins "save format: parquet on the local runner (today found after all the sampling)", issue #21 too. */
    @Test
    void parquetOnTheLocalRunner() throws Exception {
        String m = refusedByValidateAndRun("good.yaml", "--set", "stages.save.format=parquet");
        assertTrue(m.startsWith("good.yaml: stages.save: writes the samples as a dataset (format: parquet), which needs the Spark runner"), m);
    }

    /** Pins "--set values that are not valid YAML". */
    @Test
    void anOverrideValueThatIsNotYaml() throws Exception {
        String m = refusedByValidateAndRun("good.yaml", "--set", "stages.corrector.steps=[1");
        assertTrue(m.startsWith("--set stages.corrector.steps=[1: line 1, column 3: malformed YAML: expected ',' or ']'"), m);
    }

    /** Pins "--threads abc". */
    @Test
    void aThreadCountThatIsNotANumber() throws Exception {
        assertEquals("Invalid value for option '--threads': 'abc' is not an int; see `scorepipe validate --help`",
                failureOf("validate", "good.yaml", "--threads", "abc"));
        assertEquals("Invalid value for option '--threads': 'abc' is not an int; see `scorepipe run --help`",
                failureOf("run", "good.yaml", "--runs", "runs-threads", "--threads", "abc"));
    }

    /** Pins "--set pipeline.name[@x]=y (silently ignored)". */
    @Test
    void anOverrideKeyWithExpressionSyntax() throws Exception {
        String m = refusedByValidateAndRun("good.yaml", "--set", "pipeline.name[@x]=y");
        assertTrue(m.startsWith("--set pipeline.name[@x]=y: 'pipeline.name[@x]' is not a key; a key is names joined by dots"), m);
    }

    /** Pins "--set stages.99.steps=3". */
    @Test
    void anOverrideOfAStageIndexBeyondTheLast() throws Exception {
        assertEquals("--set stages.99.steps=3: good.yaml has 3 stages, indexed 0 to 2; address a stage by its index or its name",
                refusedByValidateAndRun("good.yaml", "--set", "stages.99.steps=3"));
    }
}
