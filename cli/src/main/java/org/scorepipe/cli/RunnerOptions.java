package org.scorepipe.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a command's blocks run ({@code run}, {@code resume}, {@code validate}, {@code extend}):
 * shorthands for the {@code runner.*} keys, and settings passed through to the runner. None of
 * them changes a byte of the results.
 */
final class RunnerOptions {
    @Option(names = "--runner", paramLabel = "TYPE",
            description = "Where blocks run: local or spark (default: the pipeline's runner.type, local unless it says otherwise);"
                    + " a checkpoint of either resumes on either with the same bytes. Same as --set runner.type=TYPE.")
    String runner;

    @Option(names = "--master", paramLabel = "URL", description = "The Spark master, e.g. 'local[4]', spark://host:7077, yarn, k8s://...")
    String master;

    @Option(names = "--partitions", paramLabel = "N", description = "Particle ranges of a distributed runner. Results do not depend on it.")
    Integer partitions;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A setting passed through to the runner (Spark's --conf). Repeatable.")
    Map<String, String> conf = new LinkedHashMap<>();

    /** The {@code runner.*} overrides the shorthands stand for. */
    List<String> overrides() {
        List<String> all = new ArrayList<>();
        ExecutionOptions.addIfSet(all, "runner.type", runner);
        ExecutionOptions.addIfSet(all, "runner.master", master);
        ExecutionOptions.addIfSet(all, "runner.partitions", partitions);
        return all;
    }
}
