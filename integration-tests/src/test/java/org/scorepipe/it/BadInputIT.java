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
}
