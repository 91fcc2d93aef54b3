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

    /** The overrides, with the runner options turned into the keys they stand for. */
    List<String> allOverrides() {
        List<String> all = new ArrayList<>(overrides);
        if (threads != null) {
            all.add("runner.threads=" + threads);
        }
        if (blockSize != null) {
            all.add("runner.block-size=" + blockSize);
        }
        return all;
    }
}
