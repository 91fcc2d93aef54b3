package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
                "time-grid        uniform", "stage            sample", "evaluator        sliced-wasserstein",
                "conditional-score patch-lstm", "trainer          dsm", "trainer          patch-dsm"}) {
            // kind and name, in columns as wide as the longest kind
            String[] parts = row.trim().split("\\s+");
            assertTrue(java.util.regex.Pattern.compile("(?m)^" + parts[0] + "\\s+" + parts[1] + "\\s").matcher(r.stdout()).find(),
                    row + " in\n" + r.stdout());
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
    void trainFindsItsTrainerThroughThePluginsAndWritesAModelItsUsageSamplesWith() throws Exception {
        Path out = dir.resolve("trained");
        Cli.Result r = Cli.run(dir, "train", Cli.PIPELINES.resolve("train-gmm-2d.yaml").toString(), "--set", "train.steps=30",
                "--set", "train.batch=64", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("trained a silu MLP [128, 128] predicting epsilon along ornstein-uhlenbeck: 30 steps"),
                r.stdout());
        assertEquals(31, Files.readAllLines(out.resolve("loss.csv")).size(), "a header and one row per step");
        assertTrue(Files.isDirectory(out.resolve("model")));
        // The usage line is what a user pastes: sample with the model it names.
        String usage = r.stdout().lines().filter(l -> l.startsWith("sample with it: ")).findFirst().orElseThrow()
                .substring("sample with it: ".length());
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("run", Cli.PIPELINES.resolve("train-gmm-2d.yaml")
                .toString(), "--set", "pipeline.particles=200", "--set", "stages.corrector.steps=2", "--set",
                "stages.sample.grid.steps=3", "--out", dir.resolve("sampled").toString()));
        args.addAll(java.util.List.of(usage.split(" ")));
        Cli.Result sampled = Cli.run(dir, args.toArray(String[]::new));
        assertEquals(0, sampled.exitCode(), sampled.all());
        assertTrue(Files.isRegularFile(dir.resolve("sampled/samples.npy")), sampled.all());

        Cli.Result unknown = Cli.run(dir, "train", Cli.PIPELINES.resolve("train-gmm-2d.yaml").toString(), "--set", "train.type=dms",
                "--out", dir.resolve("never").toString());
        assertEquals(2, unknown.exitCode(), unknown.all());
        assertTrue(unknown.stderr().contains("train.type: unknown trainer type 'dms'; did you mean 'dsm'?"), unknown.all());
        assertTrue(!Files.exists(dir.resolve("never")), "a mistake leaves no run directory");

        // An export the model cannot make is refused before anything is written, not after training.
        Cli.Result export = Cli.run(dir, "train", Cli.PIPELINES.resolve("train-gmm-100d.yaml").toString(), "--export-onnx",
                "--out", dir.resolve("never-exported").toString());
        assertEquals(2, export.exitCode(), export.all());
        assertTrue(export.stderr().contains("--export-onnx: the ONNX graph does not carry train.skip: gaussian"), export.all());
        assertTrue(!Files.exists(dir.resolve("never-exported")), "a refused export leaves no run directory");
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

    /** {@code --help} on every command and sub-command the top-level help lists, found as a user would. */
    @Test
    void everyCommandTakesHelp() throws Exception {
        List<String> shown = new ArrayList<>();
        help(List.of(), shown);
        assertTrue(shown.containsAll(List.of("run", "resume", "validate", "inspect", "plugins", "plugins list", "plugins describe")), shown.toString());
    }

    private void help(List<String> command, List<String> shown) throws Exception {
        List<String> args = new ArrayList<>(command);
        args.add("--help");
        Cli.Result r = Cli.run(dir, args.toArray(String[]::new));
        String name = String.join(" ", command);
        assertEquals(0, r.exitCode(), name + " --help: " + r.all());
        assertTrue(r.stdout().startsWith("Usage: scorepipe" + (name.isEmpty() ? "" : " " + name)), r.stdout());
        shown.add(name);
        int listed = r.stdout().indexOf("\nCommands:");
        Matcher commands = Pattern.compile("(?m)^  ([a-z]+) ").matcher(listed < 0 ? "" : r.stdout().substring(listed));
        while (commands.find()) {
            if (!commands.group(1).equals("help")) {
                List<String> sub = new ArrayList<>(command);
                sub.add(commands.group(1));
                help(sub, shown);
            }
        }
    }

    @Test
    void theSetExampleInTheHelpWorksOnTheQuickstart() throws Exception {
        Cli.Result help = Cli.run(dir, "run", "--help");
        Matcher example = Pattern.compile("e\\.g\\. --set ([\\w.\\-]+=[\\w.\\-]+)").matcher(help.stdout().replaceAll("\\s+", " "));
        assertTrue(example.find(), help.stdout());
        Cli.Result r = Cli.run(dir, "validate", Cli.PIPELINES.resolve("quickstart.yaml").toString(), "--set", example.group(1));
        assertEquals(0, r.exitCode(), "--set " + example.group(1) + ": " + r.all());
    }

    @Test
    void inspectShowsConfigValuesAsYamlAndMetricsAsATable() throws Exception {
        Path quickstart = Cli.PIPELINES.resolve("quickstart.yaml");
        Cli.Result run = Cli.run(dir, "run", quickstart.toString(), "--set", "pipeline.particles=200", "--set", "stages.corrector.steps=10",
                "--out", "small");
        assertEquals(0, run.exitCode(), run.all());
        Path changed = dir.resolve("changed.yaml");
        Files.writeString(changed, Files.readString(quickstart).replace("particles: 20000", "particles: 200")
                .replace("steps: 400", "steps: 10") + "checkpoint: {every: 100, keep: 10}\n");
        Cli.Result r = Cli.run(dir, "inspect", "small/checkpoints/ckpt-s005-k0000000000.spck", "--against", changed.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().contains("\n  checkpoint: (absent) -> {every: 100, keep: 10}\n"), r.stdout());
        assertTrue(r.stdout().contains("1 difference(s)"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\\n  corrector +corrector +10 +[0-9.]+ +[0-9.e+]+\\n.*"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\\n  eval +0\\.001000 +mode-frequencies +\\[0\\.\\d+, 0\\.\\d+, 0\\.\\d+]\\n.*"), r.stdout());
        assertTrue(r.stdout().matches("(?s).*\\n  eval +0\\.001000 +sliced-wasserstein +0\\.\\d+\\n.*"), r.stdout());
        assertFalse(r.stdout().contains("\"evaluations\"") || r.stdout().contains("Integer:"), "no JSON, no canonical text: " + r.stdout());
    }
}
