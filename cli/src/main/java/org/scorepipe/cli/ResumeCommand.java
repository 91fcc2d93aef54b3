package org.scorepipe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scorepipe.runtime.Scorepipe.RunResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe resume RUN_DIR}: continues a run from its newest valid checkpoint. */
@Command(name = "resume", description = "Continue a run from its newest valid checkpoint, in the same directory.")
final class ResumeCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run directory.")
    Path runDirectory;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Resume with this pipeline instead: finished stages must be unchanged; the stage in progress and later ones may change.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key of the pipeline (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Results do not depend on it.")
    Integer threads;

    @Option(names = "--quiet", description = "No progress bar; plain progress lines every ten seconds.")
    boolean quiet;

    @Override
    public Integer call() {
        List<String> all = new ArrayList<>(overrides);
        if (threads != null) {
            all.add("runner.threads=" + threads);
        }
        try (RunSupervisor supervisor = new RunSupervisor(parent.spec.commandLine().getErr(), quiet)) {
            RunResult result = parent.scorepipe().resume(runDirectory, Optional.ofNullable(config), all, supervisor.control());
            supervisor.close();
            return RunCommand.print(result, parent.spec.commandLine().getOut());
        }
    }
}
