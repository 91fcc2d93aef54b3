package org.scorepipe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scorepipe.api.Noise;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Trainer;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.PipelineAssembler;
import org.scorepipe.runtime.checkpoint.TrainingCheckpoint;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.run.AtomicFiles;
import org.scorepipe.runtime.run.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code scorepipe train FILE}: runs the {@link Trainer} of the file's {@code train:} section (a
 * plugin's component, the djl plugin's {@code dsm} by default) on the pipeline's data source along
 * its noising path. The file is a whole pipeline (its stages are the reference run with the exact
 * score); training builds only the trainer and the components it uses.
 *
 * <p>A training checkpoints itself ({@link TrainingCheckpoint}, every {@code train.checkpoint-every}
 * steps for the djl trainer); given an {@code --out} that holds an unfinished training, the same
 * command continues it from its checkpoint, if the config is the same in every key training reads;
 * a finished training, or one of another config, is refused.
 */
@Command(name = "train", description = "Train a model (by default a score network by denoising score matching, DJL on the CPU) on"
        + " the pipeline's data source along its path, as its `train:` section says; writes the model files (for dsm: model/"
        + " for the djl score, loss.csv and, with --export-onnx, model.onnx for the onnx score) into a run directory.")
final class TrainCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Mixin
    PipelineOptions options;

    @Option(names = "--out", paramLabel = "DIR", description = "The run directory: new or empty, or one that holds an unfinished"
            + " training of the same config, which then continues from its checkpoint. Default: runs/<name>-train-<UTC time>.")
    Path out;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Where new run directories go (default: ${DEFAULT-VALUE}).")
    Path runsRoot;

    @Option(names = "--export-onnx", description = "Also write the model as an ONNX graph, model.onnx, where the trainer can.")
    boolean exportOnnx;

    @Override
    public Integer call() {
        options.requirePipelineFile();
        PrintWriter err = parent.spec.commandLine().getErr();
        PrintWriter stdout = parent.spec.commandLine().getOut();
        PipelineFile file = PipelineFile.load(options.file, options.allOverrides());
        PipelineAssembler.SharedComponents components = new PipelineAssembler(parent.scorepipe().registry()).shared(file);
        Trainer trainer = components.trainer();
        PipelineSpec spec = components.spec();
        try {
            // The engine and the export first: missing natives or an export the model cannot make leave no run directory.
            trainer.prepare();
            trainer.checkExport(exportOnnx);
        } catch (IllegalArgumentException e) {
            throw new ScorepipeException(options.file + ": train: " + e.getMessage(), e);
        }
        String resolved = file.withResolvedPaths(file.root().paths()).toYaml();
        if (out != null && Files.isRegularFile(TrainingCheckpoint.in(out))) {
            try (RunDirectory dir = RunDirectory.existing(out, "train")) {
                return train(trainer, dir, spec, resolved, resumable(dir.path(), resolved, err), stdout, err);
            }
        }
        if (out != null && Files.isRegularFile(out.resolve("config.yaml"))) {
            throw new ScorepipeException("--out " + out + " holds a run but no training checkpoint (" + TrainingCheckpoint.FILE
                    + "): another command's run, or a training killed before its first checkpoint (train.checkpoint-every);"
                    + " there is nothing to continue: choose an empty or new directory (nothing was overwritten)");
        }
        RunDirectory dir = out != null ? RunDirectory.at(out) : RunDirectory.fresh(runsRoot, spec.name() + "-train");
        try (dir) {
            dir.open(spec, resolved, "train");
            return train(trainer, dir, spec, resolved, Optional.empty(), stdout, err);
        }
    }

    /**
     * The checkpoint of the unfinished training in {@code dir} (locked by this process), if it was
     * written for the same config; a {@link ScorepipeException} for a finished one or another config.
     */
    private Optional<TrainingCheckpoint> resumable(Path dir, String resolved, PrintWriter err) {
        AtomicFiles.removeStale(dir.resolve("checkpoints"));
        Path file = TrainingCheckpoint.in(dir);
        TrainingCheckpoint c = TrainingCheckpoint.read(file);
        if (c.finished()) {
            throw new ScorepipeException("--out " + dir + " holds a finished training (" + c.steps() + " steps; see " + file
                    + "): there is nothing to continue. Train into a new or empty directory (nothing was overwritten)");
        }
        List<String> differences = c.differences(resolved);
        if (!differences.isEmpty()) {
            throw new ScorepipeException(file + " was written by a training of another config than " + options.file + " (with"
                    + " its --set options): " + String.join("; ", differences) + " (checkpoint's value -> this one's). Continue"
                    + " with the config it was written for, or train into a new --out");
        }
        err.printf("train: continuing the training in %s from step %d of %d (%s)%n", dir, c.step(), c.steps(), file);
        err.flush();
        return Optional.of(c);
    }

    /** Trains into the run directory, which this process owns, from {@code resume} if given. */
    private int train(Trainer trainer, RunDirectory dir, PipelineSpec spec, String resolved, Optional<TrainingCheckpoint> resume,
            PrintWriter stdout, PrintWriter err) {
        PhiloxNoise noise = new PhiloxNoise(spec.seed());
        // stage 1 of the generator's counter: no optimiser step (stage 0, step k) ever draws these numbers
        PhiloxNoise heldOut = new PhiloxNoise(spec.seed());
        heldOut.position(1, 0);
        Path checkpointFile = TrainingCheckpoint.in(dir.path());
        int[] last = {0, 1};
        long start = System.nanoTime();
        Bar bar = new Bar(err, !options.execution.quiet && System.console() != null);
        Trainer.Result result;
        try {
            result = trainer.train(new Trainer.Context() {
                @Override
                public Path directory() {
                    return dir.path();
                }

                @Override
                public Noise noise(long step) {
                    noise.position(0, step);
                    return noise;
                }

                @Override
                public Noise heldOutNoise() {
                    return heldOut;
                }

                @Override
                public Optional<Trainer.State> resumeFrom() {
                    return resume.map(c -> new Trainer.State(c.step(), c.steps(), c.state()));
                }

                @Override
                public void checkpoint(Trainer.State state) {
                    try {
                        new TrainingCheckpoint(state.step(), state.steps(), false, resolved, state.bytes()).write(checkpointFile);
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot write the checkpoint " + checkpointFile + ": " + e.getMessage()
                                + " (the previous one, if any, is intact)", e);
                    }
                }

                @Override
                public long seed() {
                    return spec.seed();
                }

                @Override
                public boolean exportOnnx() {
                    return exportOnnx;
                }

                @Override
                public void progress(int step, int steps, double loss) {
                    last[0] = step;
                    last[1] = steps;
                    bar.step(step, steps, loss);
                }
            });
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ScorepipeException(options.file + ": train: " + e.getMessage(), e);
        } finally {
            bar.close();
        }
        try {
            // the outputs are written: what is left says so, and a rerun is refused rather than repeated
            new TrainingCheckpoint(last[1], last[1], true, resolved, new byte[0]).write(checkpointFile);
        } catch (IOException e) {
            throw new ScorepipeException("the training finished, but " + checkpointFile + " could not be marked so: " + e.getMessage());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        stdout.printf("%s: trained %s in %.1f s%s%n", spec.name(), result.summary(), elapsed.toNanos() / 1e9,
                resume.map(c -> " (continued from step " + c.step() + ")").orElse(""));
        stdout.printf("  final loss: %.5f%n", result.finalLoss());
        result.files().forEach((what, where) -> stdout.printf("  %-11s %s%n", what + ":", where));
        if (!result.usage().isEmpty()) {
            stdout.printf("sample with it: %s%n", result.usage());
        }
        stdout.flush();
        return 0;
    }

    /** The training progress: a bar redrawn in place on a terminal, a line every ten seconds otherwise. */
    private static final class Bar {
        private final PrintWriter err;
        private final boolean live;
        private final long start = System.nanoTime();
        /** The steps done before this process started (a training that continues), for the rate and ETA. */
        private int before = -1;
        private long lastDraw;
        private double smoothed = Double.NaN;

        Bar(PrintWriter err, boolean live) {
            this.err = err;
            this.live = live;
        }

        void step(int step, int steps, double loss) {
            // an exponential average over ~50 steps: one batch's loss is too noisy to read
            smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
            if (before < 0) {
                before = step - 1;
            }
            long now = System.nanoTime();
            boolean last = step == steps;
            if (!last && now - lastDraw < (live ? 200_000_000L : 10_000_000_000L)) {
                return;
            }
            lastDraw = now;
            double seconds = (now - start) / 1e9;
            int done = step - before;
            long eta = Math.round(seconds / done * (steps - step));
            if (live) {
                int width = 30;
                int filled = (int) Math.round((double) step / steps * width);
                err.printf("\rtrain [%s%s] %d/%d loss %.4f  %.0f steps/s ETA %02d:%02d   ", "=".repeat(filled),
                        " ".repeat(width - filled), step, steps, smoothed, done / seconds, eta / 60, eta % 60);
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
