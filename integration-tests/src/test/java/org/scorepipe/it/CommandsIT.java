package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands the README shows, as a user runs them. */
class CommandsIT {
    @TempDir
    Path dir;

    @Test
    void pluginsListShowsEveryKindAndName() throws Exception {
        Cli.Result r = Cli.run(dir, "plugins", "list");
        assertEquals(0, r.exitCode(), r.all());
        for (String row : new String[] {"data-source      gaussian-mixture", "noising-path     ornstein-uhlenbeck",
                "noising-path     vp", "noising-path     variance-exploding", "score-provider   analytic",
                "corrector        langevin", "predictor        euler-maruyama", "predictor        probability-flow",
                "time-grid        uniform", "stage            sample", "evaluator        sliced-wasserstein"}) {
            assertTrue(r.stdout().contains(row), row + " in\n" + r.stdout());
        }
        assertTrue(!r.stdout().contains("problem:"), r.stdout());
    }

    @Test
    void describeLangevinPrintsParametersTypesDefaultsAndDocs() throws Exception {
        Cli.Result r = Cli.run(dir, "plugins", "describe", "langevin");
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().startsWith("corrector langevin (plugin core, scorepipe.jar"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\\n    step +number +default 0\\n +fixed step size h.*"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\\n    steps +integer +default 1\\n +inner steps per call.*"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\\n    snr +number +default 0\\n.*"), r.stdout());
        assertTrue(r.stdout().contains("uses: score (score provider)"), r.stdout());
    }

    @Test
    void validateChecksWithoutRunning() throws Exception {
        Cli.Result r = Cli.run(dir, "validate", Cli.PIPELINES.resolve("quickstart.yaml").toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("is valid: pipeline quickstart, 20000 particles in 2 dimensions"), r.stdout());
        assertTrue(r.stdout().contains("corrector        corrector        400 steps"), r.stdout());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "validate writes nothing");
        }
    }

    @Test
    void runWithOverridesThreadsAndOut() throws Exception {
        Path out = dir.resolve("my-run");
        Cli.Result r = Cli.run(dir, "run", Cli.PIPELINES.resolve("quickstart.yaml").toString(),
                "--set", "stages.sample.grid.steps=50", "--set", "pipeline.particles=500", "--threads", "2", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        for (String file : new String[] {"config.yaml", "run.log", "samples.npy", "metrics.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }
        String config = Files.readString(out.resolve("config.yaml"));
        assertTrue(config.contains("particles: 500"), "config.yaml records the overrides:\n" + config);
        assertTrue(r.stdout().contains("sample           sample                 50"), r.stdout());
        assertTrue(r.stdout().contains("particle-steps/s"), r.stdout());
        assertTrue(r.stdout().contains("mode-frequencies"), r.stdout());
        assertTrue(r.stdout().contains("run directory: " + out), r.stdout());
        assertTrue(Files.readString(out.resolve("run.log")).contains("stage sample done"));
        Cli.Result again = Cli.run(dir, "run", Cli.PIPELINES.resolve("quickstart.yaml").toString(), "--out", out.toString());
        assertEquals(2, again.exitCode(), "an existing run is never overwritten");
        assertTrue(again.stderr().contains("already holds files"), again.stderr());
    }
}
