package org.scorepipe.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.Scorepipe.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe run FILE}: runs a pipeline and prints a summary. */
@Command(name = "run", description = "Run a pipeline; leaves config.yaml, run.log, samples.npy and metrics.json in a run directory.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Mixin
    PipelineOptions options;

    @Option(names = "--out", paramLabel = "DIR", description = "The run directory (new or empty). Default: runs/<name>-<UTC time>.")
    Path out;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Where new run directories go (default: ${DEFAULT-VALUE}).")
    Path runsRoot;

    @Override
    public Integer call() {
        RunResult result = parent.scorepipe().run(
                new Scorepipe.RunRequest(options.file, options.allOverrides(), Optional.ofNullable(out), runsRoot));
        print(result, parent.spec.commandLine().getOut());
        return 0;
    }

    static void print(RunResult result, PrintWriter out) {
        var spec = result.spec();
        out.printf("%s: %d particles in %d dimensions, seed %d, %d threads%n", spec.name(), spec.particles(),
                spec.dimension(), spec.seed(), result.threads());
        out.printf("  %-16s %-16s %8s %10s %18s%n", "stage", "type", "steps", "seconds", "particle-steps/s");
        for (Scorepipe.StageResult s : result.stages()) {
            out.printf("  %-16s %-16s %8d %10.3f %18s%n", s.name(), s.type(), s.steps(), s.elapsed().toNanos() / 1e9,
                    Double.isNaN(s.particleStepsPerSecond()) ? "-" : String.format("%.3g", s.particleStepsPerSecond()));
        }
        for (Scorepipe.Evaluation e : result.evaluations()) {
            out.printf("metrics of %s at t = %.4g:%n", e.stage(), e.time());
            e.metrics().values().forEach((name, value) -> out.printf("  %-28s %s%n", name,
                    value instanceof double[] v ? format(v) : String.format("%.6g", (Double) value)));
        }
        out.printf("run directory: %s%n", result.directory());
        out.flush();
    }

    private static String format(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format("%.4f", v))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
}
