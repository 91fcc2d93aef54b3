package org.scorepipe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.scorepipe.runtime.ScorepipeException;
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
        if (Files.isDirectory(checkpoint)) {
            throw new ScorepipeException(checkpoint + " is a folder, not a checkpoint: inspect one of its checkpoints"
                    + newest(checkpoint.resolve("checkpoints")).map(c -> ", e.g. the newest, `scorepipe inspect " + c + "`")
                            .orElse(" (runs/<run>/checkpoints/*.spck)")
                    + "; `scorepipe resume` takes the run directory itself");
        }
        var out = parent.spec.commandLine().getOut();
        out.print(parent.scorepipe().inspect(checkpoint, Optional.ofNullable(against)));
        out.flush();
        return 0;
    }

    /** The checkpoint in {@code folder} named last: the names order by stage, then step. */
    private static Optional<Path> newest(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".spck")).max(Comparator.comparing(Path::getFileName));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
