package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        Cli.Result result = Cli.run(dir, args);
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
                + " known noising paths: interpolation, ornstein-uhlenbeck, sub-vp, variance-exploding, vp", m);
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
}
