package org.scorepipe.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the commands that execute a pipeline ({@code run}, {@code resume},
 * {@code validate}): overrides, and shorthands that stand for keys of the pipeline file.
 */
final class ExecutionOptions {
    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = {"Override a key of the pipeline file (repeatable; stages are addressed by name), e.g.",
                "--set stages.corrector.steps=200"})
    List<String> overrides = new ArrayList<>();

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: every core). Results do not depend on it.")
    Integer threads;

    @Option(names = "--block-size", paramLabel = "N", description = "Particles per block (default 1024). Results do not depend on it.")
    Integer blockSize;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Steps between checkpoints within a stage (0: only at stage ends). Same as --set checkpoint.every=N.")
    Long checkpointEvery;

    @Option(names = "--checkpoint-keep", paramLabel = "N",
            description = "How many checkpoints within stages to keep, newest first; the one at every stage boundary is always kept"
                    + " (0: no checkpoints at all). Same as --set checkpoint.keep=N.")
    Integer checkpointKeep;

    @Mixin
    RunnerOptions runner = new RunnerOptions();

    @Option(names = "--quiet", description = "No progress bar; plain progress lines every ten seconds.")
    boolean quiet;

    /** The overrides, with the shorthands turned into the keys they stand for. */
    List<String> allOverrides() {
        List<String> all = new ArrayList<>(overrides);
        addIfSet(all, "runner.threads", threads);
        addIfSet(all, "runner.block-size", blockSize);
        addIfSet(all, "checkpoint.every", checkpointEvery);
        addIfSet(all, "checkpoint.keep", checkpointKeep);
        all.addAll(runner.overrides());
        return all;
    }

    static void addIfSet(List<String> overrides, String key, Object value) {
        if (value != null) {
            overrides.add(key + "=" + value);
        }
    }
}
