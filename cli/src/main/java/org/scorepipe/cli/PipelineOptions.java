package org.scorepipe.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that reads a pipeline file shares. */
final class PipelineOptions {
    @Parameters(index = "0", paramLabel = "FILE", description = "The pipeline file (YAML).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a key, e.g. --set stages.sample.steps=200 (stages are addressed by name). Repeatable.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: every core). Results do not depend on it.")
    Integer threads;

    @Option(names = "--block-size", paramLabel = "N", description = "Particles per block (default 1024). Results do not depend on it.")
    Integer blockSize;

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "A folder of plugin jars (or of one sub-folder of jars per plugin), each loaded in a class loader of its own."
                    + " Default: the pipeline's plugins.dir, else $SCOREPIPE_PLUGINS.")
    Path plugins;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Steps between checkpoints within a stage (0: only at stage ends). Same as --set checkpoint.every=N.")
    Long checkpointEvery;

    @Option(names = "--quiet", description = "No progress bar; plain progress lines every ten seconds.")
    boolean quiet;

    @Option(names = "--runner", paramLabel = "TYPE", description = "Where blocks run: local (default) or spark. Same as --set runner.type=TYPE.")
    String runner;

    @Option(names = "--master", paramLabel = "URL", description = "The Spark master, e.g. 'local[4]', spark://host:7077, yarn, k8s://...")
    String master;

    @Option(names = "--partitions", paramLabel = "N", description = "Particle ranges of a distributed runner. Results do not depend on it.")
    Integer partitions;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A setting passed through to the runner (Spark's --conf). Repeatable.")
    java.util.Map<String, String> conf = new java.util.LinkedHashMap<>();

    /** The overrides, with the runner options turned into the keys they stand for. */
    List<String> allOverrides() {
        List<String> all = new ArrayList<>(overrides);
        if (threads != null) {
            all.add("runner.threads=" + threads);
        }
        if (blockSize != null) {
            all.add("runner.block-size=" + blockSize);
        }
        if (checkpointEvery != null) {
            all.add("checkpoint.every=" + checkpointEvery);
        }
        if (runner != null) {
            all.add("runner.type=" + runner);
        }
        if (master != null) {
            all.add("runner.master=" + master);
        }
        if (partitions != null) {
            all.add("runner.partitions=" + partitions);
        }
        return all;
    }
}
