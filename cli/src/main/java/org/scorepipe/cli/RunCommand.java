package org.scorepipe.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scorepipe.report.Report;
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

    @Option(names = "--from", paramLabel = "CHECKPOINT",
            description = "Branch from this checkpoint: its finished stages must be unchanged in FILE; a new run directory is made.")
    Path from;

    @Override
    public Integer call() {
        options.requirePipelineFile();
        try (RunSupervisor supervisor = new RunSupervisor(parent.spec.commandLine().getErr(), options.execution.quiet)) {
            RunResult result = parent.scorepipe().withRunnerOptions(options.execution.runner.conf).run(new Scorepipe.RunRequest(options.file, options.allOverrides(),
                    Optional.ofNullable(out), runsRoot, Optional.ofNullable(from)), supervisor.control());
            supervisor.close();
            if (!result.stopped()) {
                writeReport(result, parent.scorepipe());
            }
            return print(result, parent.spec.commandLine().getOut());
        }
    }

    /**
     * Writes the report of a finished run; a resume that found the run finished writes it only
     * if it is missing (a run killed after its last checkpoint but before its report).
     */
    static void writeReport(RunResult result, Scorepipe scorepipe) {
        if (!result.alreadyFinished() || !java.nio.file.Files.exists(result.directory().resolve("report.html"))) {
            Report.write(result.directory(), scorepipe.registry());
        }
    }

    /** Prints the summary; returns the exit code (130 for a run stopped by a signal). */
    static int print(RunResult result, PrintWriter out) {
        var spec = result.spec();
        if (result.alreadyFinished()) {
            out.printf("%s is already finished (its newest checkpoint, %s, is at the end of the run); nothing to do%n",
                    result.directory(), result.checkpoint().orElse("?"));
            out.printf("run directory: %s%n", result.directory());
            out.flush();
            return 0;
        }
        out.printf("%s: %d particles in %d dimensions, seed %d, %s%n", spec.name(), spec.particles(),
                spec.dimension(), spec.seed(), result.runner());
        boolean curves = result.stages().stream().anyMatch(s -> !s.evaluations().isZero());
        out.printf("  %-16s %-16s %8s %10s %18s%s%n", "stage", "type", "steps", "seconds", "particle-steps/s",
                curves ? String.format(" %12s", "curve s") : "");
        for (Scorepipe.StageResult s : result.stages()) {
            out.printf("  %-16s %-16s %8d %10.3f %18s%s%n", s.name(), s.type(), s.steps(), s.elapsed().toNanos() / 1e9,
                    Double.isNaN(s.particleStepsPerSecond()) ? "-" : String.format("%.3g", s.particleStepsPerSecond()),
                    curves ? String.format(" %12.3f", s.evaluations().toNanos() / 1e9) : "");
        }
        if (curves) {
            out.printf("  (particle-steps/s leave out the time of the curve points, shown apart)%n");
        }
        for (Scorepipe.Evaluation e : result.evaluations()) {
            out.printf("metrics of %s at t = %.4g:%n", e.stage(), e.time());
            e.metrics().values().forEach((name, value) -> out.printf("  %-28s %s%n", name,
                    value instanceof double[] v ? format(v) : String.format("%.6g", (Double) value)));
        }
        out.printf("run directory: %s%n", result.directory());
        if (!result.stopped()) {
            out.printf("report: %s%n", result.directory().resolve("report.html"));
        }
        if (result.stopped()) {
            out.printf("stopped at %s%s%n", result.position(), result.checkpoint().map(c -> "; checkpoint " + c).orElse(""));
            out.printf("resume with: %s%n", result.checkpoint().isPresent()
                    ? "./scorepipe resume " + result.directory()
                    : "(checkpoints are off: nothing to resume; run again)");
        }
        out.flush();
        return result.stopped() ? RunSupervisor.STOPPED : 0;
    }

    private static String format(double[] values) {
        return Arrays.stream(values).mapToObj(v -> String.format("%.4f", v))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
}
