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

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "A folder of plugin jars. Default: the plugin folder the run used (its config.yaml's plugins.dir),"
                    + " else $SCOREPIPE_PLUGINS.")
    Path plugins;

    @Mixin
    ExecutionOptions execution;

    /** The pipeline file whose {@code plugins.dir} names the plugin folder: the new config, else the run's own. */
    Path pipelineFile() {
        return config != null ? config : runDirectory.resolve("config.yaml");
    }

    @Override
    public Integer call() {
        try (RunSupervisor supervisor = new RunSupervisor(parent.spec.commandLine().getErr(), execution.quiet)) {
            RunResult result = parent.scorepipe().withRunnerOptions(execution.runner.conf)
                    .resume(runDirectory, Optional.ofNullable(config), execution.allOverrides(), supervisor.control());
            supervisor.close();
            if (!result.stopped()) {
                RunCommand.writeReport(result, parent.scorepipe());
            }
            return RunCommand.print(result, parent.spec.commandLine().getOut());
        }
    }
}
