package org.scorepipe.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.djl.DenoisingScoreMatching;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.run.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code scorepipe train FILE}: denoising score matching of a noise-conditional MLP on the
 * pipeline's data source along its noising path, with the file's {@code train:} section
 * ({@link DenoisingScoreMatching.Settings}). The file is a whole pipeline (its stages are the
 * reference run with the exact score); training uses its shared data source and path.
 */
@Command(name = "train", description = "Train a score network by denoising score matching (DJL, PyTorch on the CPU) on the"
        + " pipeline's data source along its path, as its `train:` section says; writes model/ (for the djl score),"
        + " loss.csv and, with --export-onnx, model.onnx (for the onnx score) into a run directory.")
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Mixin
    PipelineOptions options;

    @Option(names = "--out", paramLabel = "DIR", description = "The run directory (new or empty). Default: runs/<name>-train-<UTC time>.")
    Path out;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Where new run directories go (default: ${DEFAULT-VALUE}).")
    Path runsRoot;

    @Option(names = "--export-onnx", description = "Also write the network as an ONNX graph, model.onnx.")
    boolean exportOnnx;

    @Override
    public Integer call() {
        options.requirePipelineFile();
        PrintWriter err = parent.spec.commandLine().getErr();
        PrintWriter stdout = parent.spec.commandLine().getOut();
        List<String> overrides = options.allOverrides();
        PipelineFile file = PipelineFile.load(options.file, overrides);
        ConfigSection root = file.root();
        ConfigSection section = root.section("train").orElseThrow(() -> root.error("train", "is missing: `scorepipe train`"
                + " reads its settings there, e.g. `train: {hidden: [128, 128], steps: 4000}`"));
        DenoisingScoreMatching.Settings settings = ParameterBinder.bind(DenoisingScoreMatching.Settings.class, section, List.of());
        Pipeline pipeline = parent.scorepipe().validate(options.file, overrides);
        String dataName = shared(pipeline, DataSource.class, settings.data(), section, "data");
        String pathName = shared(pipeline, NoisingPath.class, settings.path(), section, "path");
        DataSource data = (DataSource) component(pipeline, dataName);
        NoisingPath path = (NoisingPath) component(pipeline, pathName);
        String pathType = root.section("components").flatMap(c -> c.section(pathName)).map(s -> s.string("type")).orElse(pathName);
        DenoisingScoreMatching trainer;
        try {
            trainer = new DenoisingScoreMatching(settings, data, path, pathType);
        } catch (IllegalArgumentException e) {
            throw section.error(e.getMessage());
        }
        try {
            // PyTorch first: missing natives must leave no run directory behind.
            trainer.startEngine();
        } catch (IllegalArgumentException e) {
            throw new ScorepipeException(options.file + ": train: " + e.getMessage(), e);
        }
        var spec = pipeline.spec();
        RunDirectory dir = out != null ? RunDirectory.at(out) : RunDirectory.fresh(runsRoot, spec.name() + "-train");
        try (dir) {
            dir.open(spec, pipeline.config().toYaml(), "train");   // file paths absolute, as a run records them
            return train(trainer, dir, spec, settings, dataName, pathType, stdout, err);
        }
    }

    /** Trains into the run directory, which this process owns. */
    private int train(DenoisingScoreMatching trainer, RunDirectory dir, org.scorepipe.api.PipelineSpec spec,
            DenoisingScoreMatching.Settings settings, String dataName, String pathType, PrintWriter stdout, PrintWriter err) {
        PhiloxNoise noise = new PhiloxNoise(spec.seed());
        long start = System.nanoTime();
        Bar bar = new Bar(err, !options.execution.quiet && System.console() != null);
        DenoisingScoreMatching.Result result;
        try {
            result = trainer.train(k -> {
                noise.position(0, k);
                return noise;
            }, spec.seed(), dir.path(), exportOnnx, bar::step);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ScorepipeException(options.file + ": train: " + e.getMessage(), e);
        } finally {
            bar.close();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        stdout.printf("%s: trained a %s MLP %s predicting %s on %s along %s: %d steps of %d samples in %.1f s%n", spec.name(),
                settings.activation().configName(), java.util.Arrays.toString(settings.hidden()), settings.output().configName(),
                dataName, pathType, settings.steps(), settings.batch(), elapsed.toNanos() / 1e9);
        stdout.printf("  final loss (mean of the last tenth of the steps): %.5f%n", result.finalLoss());
        stdout.printf("  djl model:  %s%n", result.model());
        result.onnx().ifPresent(f -> stdout.printf("  onnx model: %s%n", f));
        stdout.printf("  loss curve: %s%n", dir.path().resolve("loss.csv"));
        stdout.printf("sample with it: --set components.score.type=djl --set components.score.model=%s --set components.score.output=%s%n",
                result.model(), settings.output().configName());
        stdout.flush();
        return 0;
    }

    /** The name of the shared component of {@code kind} to train with: the named one, or the only one. */
    private static String shared(Pipeline pipeline, Class<?> kind, String named, ConfigSection section, String key) {
        List<String> candidates = new ArrayList<>();
        for (Pipeline.PlannedStage stage : pipeline.stages()) {
            for (Pipeline.NamedComponent c : stage.components()) {
                String name = c.path().startsWith("components.") ? c.path().substring("components.".length()) : null;
                if (name != null && !name.contains(".") && kind.isInstance(c.component()) && !candidates.contains(name)) {
                    candidates.add(name);
                }
            }
        }
        String label = kind == DataSource.class ? "data source" : "noising path";
        if (named != null) {
            if (!candidates.contains(named)) {
                throw section.error(section.pathOf(key), "'" + named + "' is not a shared " + label + " the pipeline's stages use"
                        + (candidates.isEmpty() ? "" : "; those are " + String.join(", ", candidates)));
            }
            return named;
        }
        if (candidates.size() != 1) {
            throw section.error(section.pathOf(key), candidates.isEmpty()
                    ? "the pipeline has no shared " + label + " that its stages use (the file's stages are the reference run with"
                            + " the exact score: define it under `components:` and use it there)"
                    : "the pipeline shares several " + label + "s (" + String.join(", ", candidates) + "); say which with `" + key
                            + ": <name>`");
        }
        return candidates.get(0);
    }

    private static Object component(Pipeline pipeline, String name) {
        for (Pipeline.PlannedStage stage : pipeline.stages()) {
            for (Pipeline.NamedComponent c : stage.components()) {
                if (c.path().equals("components." + name)) {
                    return c.component();
                }
            }
        }
        throw new IllegalStateException("no shared component " + name);
    }

    /** The training progress: a bar redrawn in place on a terminal, a line every ten seconds otherwise. */
    private static final class Bar {
        private final PrintWriter err;
        private final boolean live;
        private final long start = System.nanoTime();
        private long lastDraw;
        private double smoothed = Double.NaN;

        Bar(PrintWriter err, boolean live) {
            this.err = err;
            this.live = live;
        }

        void step(int step, int steps, double loss) {
            // an exponential average over ~50 steps: one batch's loss is too noisy to read
            smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
            long now = System.nanoTime();
            boolean last = step == steps;
            if (!last && now - lastDraw < (live ? 200_000_000L : 10_000_000_000L)) {
                return;
            }
            lastDraw = now;
            double seconds = (now - start) / 1e9;
            long eta = Math.round(seconds / step * (steps - step));
            if (live) {
                int width = 30;
                int filled = (int) Math.round((double) step / steps * width);
                err.printf("\rtrain [%s%s] %d/%d loss %.4f  %.0f steps/s ETA %02d:%02d   ", "=".repeat(filled),
                        " ".repeat(width - filled), step, steps, smoothed, step / seconds, eta / 60, eta % 60);
            } else {
                err.printf("progress: train, step %d of %d (%.0f%%), loss %.4f, ETA %02d:%02d%n", step, steps, 100.0 * step / steps,
                        smoothed, eta / 60, eta % 60);
            }
            err.flush();
        }

        void close() {
            if (live) {
                err.print("\r" + " ".repeat(100) + "\r");
                err.flush();
            }
        }
    }
}
