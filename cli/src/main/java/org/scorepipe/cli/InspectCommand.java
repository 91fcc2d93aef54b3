package org.scorepipe.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe inspect CHECKPOINT}. */
@Command(name = "inspect", description = "Show what a checkpoint holds, and how its pipeline differs from a file.")
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint file (runs/<run>/checkpoints/*.spck).")
    Path checkpoint;

    @Option(names = "--against", paramLabel = "FILE", description = "Also list the config keys that differ from this pipeline file.")
    Path against;

    @Override
    public Integer call() {
        var out = parent.spec.commandLine().getOut();
        out.print(parent.scorepipe().inspect(checkpoint, Optional.ofNullable(against)));
        out.flush();
        return 0;
    }
}
