package org.scorepipe.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scorepipe.runtime.Scorepipe.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe extend RUN_DIR --particles M}: a finished run grown to M particles, in a new run directory. */
@Command(name = "extend", description = "Grow a finished run to more particles in a new run directory: particles n..M-1 are"
        + " computed, the first n are the run's own (from its stage-boundary checkpoints), and the outputs equal a run with M"
        + " particles from the start, byte for byte.")
final class ExtendCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The finished run directory (only read).")
    Path runDirectory;

    @Option(names = "--particles", paramLabel = "M", required = true, description = "The particles of the grown run, more than the run's.")
    int particles;

    @Option(names = "--out", paramLabel = "DIR", description = "The new run directory (new or empty). Default: runs/<name>-<UTC time>.")
    Path out;

    @Option(names = "--runs", paramLabel = "DIR", defaultValue = "runs", description = "Where new run directories go (default: ${DEFAULT-VALUE}).")
    Path runsRoot;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Mixin
    RunnerOptions runner = new RunnerOptions();

    @Override
    public Integer call() {
        try (RunSupervisor supervisor = new RunSupervisor(parent.spec.commandLine().getErr(), quiet)) {
            RunResult result = parent.scorepipe().withRunnerOptions(runner.conf).extend(runDirectory, particles,
                    Optional.ofNullable(out), runsRoot, runner.overrides(), supervisor.control());
            supervisor.close();
            if (!result.stopped()) {
                RunCommand.writeReport(result, parent.scorepipe());
            }
            return RunCommand.print(result, parent.spec.commandLine().getOut());
        }
    }
}
