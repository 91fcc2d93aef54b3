package org.scorepipe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.scorepipe.runtime.ScorepipeException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that reads a pipeline file shares. */
final class PipelineOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "The pipeline file (YAML).")
    Path file;

    @Mixin
    ExecutionOptions execution;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "A folder of plugin jars (or of one sub-folder of jars per plugin), each loaded in a class loader of its own."
                    + " Default: the pipeline's plugins.dir, else $SCOREPIPE_PLUGINS.")
    Path plugins;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|URI",
            description = "Where checkpoints go (default: checkpoints/ in the run directory): a folder or, with the Spark runner, a Hadoop"
                    + " file system URI such as hdfs://nn/ckpt; each run gets a sub-folder. Same as --set checkpoint.dir=...")
    String checkpointDir;

    /** Refuses a run directory or a checkpoint where the pipeline file belongs, saying which command takes it. */
    void requirePipelineFile() {
        if (Files.isRegularFile(file.resolve("config.yaml"))) {
            throw new ScorepipeException(file + " is a run directory, not a pipeline file: continue it with `scorepipe resume " + file
                    + "`, or run its pipeline again with `scorepipe run " + file.resolve("config.yaml") + "`");
        }
        if (file.getFileName() != null && file.getFileName().toString().endsWith(".spck")) {
            Path checkpoints = file.getParent();
            boolean inRun = checkpoints != null && checkpoints.getParent() != null && checkpoints.getFileName().toString().equals("checkpoints");
            String run = inRun ? checkpoints.getParent().toString() : "RUN_DIR";
            String pipeline = inRun ? checkpoints.getParent().resolve("config.yaml").toString() : "PIPELINE.yaml";
            throw new ScorepipeException(file + " is a checkpoint, not a pipeline file: branch a new run from it with `scorepipe run "
                    + pipeline + " --from " + file + "`, or continue its run with `scorepipe resume " + run + "`");
        }
    }

    /** The overrides, with the shorthands turned into the keys they stand for. */
    List<String> allOverrides() {
        List<String> all = execution.allOverrides();
        ExecutionOptions.addIfSet(all, "checkpoint.dir", checkpointDir);
        return all;
    }
}
