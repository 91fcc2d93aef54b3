package org.scorepipe.runtime.run;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.config.ParameterBinder;

/**
 * The runners this process can make, and where each reaches a run's checkpoints: the built-in
 * local runner and those found through {@link RunnerFactory}, with the command line's runner
 * options ({@code --conf key=value}) and the folder the plugins came from (which a distributed
 * runner ships to its executors). An immutable value.
 */
public final class Runners {
    private final Map<String, String> options;
    private final Optional<Path> pluginFolder;

    public Runners(Map<String, String> options, Optional<Path> pluginFolder) {
        this.options = Map.copyOf(options);
        this.pluginFolder = requireNonNull(pluginFolder, "pluginFolder is null");
    }

    /** The runner a pipeline asks for ({@code runner.type}). */
    public Runner create(Pipeline pipeline, String resolvedYaml) {
        Pipeline.RunnerSettings settings = pipeline.runner();
        if (settings.type().equals("local")) {
            return new LocalRunner(settings.threads(), settings.blockSize());
        }
        return factory(settings.type()).create(pipeline, resolvedYaml, options, pluginFolder);
    }

    /**
     * The checkpoint store of a run: {@code checkpoints/} in its directory, or, with
     * {@code checkpoint.dir} set, a sub-folder named after the run's id under that folder or URI
     * (so runs sharing a folder never share files). A URI with a scheme goes to the runner's file
     * systems when it has them (Spark: any Hadoop file system, {@code file://} included); a plain
     * path or a {@code file:} URI is otherwise read and written locally, so a Spark run's
     * {@code file://} checkpoints resume on the local runner and the reverse.
     *
     * @param checkpointDir {@code checkpoint.dir}, empty for the run directory's own folder
     * @param runId the run's id, empty for a run from before run ids (which keeps its directory's name)
     */
    public CheckpointStore checkpointStore(String runnerType, String checkpointDir, Path runDirectory, int keep, String runId) {
        if (checkpointDir.isEmpty()) {
            return new CheckpointStore(runDirectory.resolve("checkpoints"), keep, runId);
        }
        String base = checkpointDir.endsWith("/") ? checkpointDir.substring(0, checkpointDir.length() - 1) : checkpointDir;
        String location = base + "/" + (runId.isEmpty() ? runDirectory.toAbsolutePath().normalize().getFileName() : runId);
        URI uri = null;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            // a plain local path with characters a URI does not allow
        }
        // One letter before the colon is a Windows drive, not a scheme.
        boolean hasScheme = uri != null && uri.getScheme() != null && uri.getScheme().length() > 1;
        if (hasScheme && !runnerType.equals("local")) {
            Optional<CheckpointFolder> folder = factory(runnerType).checkpointFolder(location, options);
            if (folder.isPresent()) {
                return new CheckpointStore(folder.get(), keep, runId);
            }
        }
        if (!hasScheme) {
            return new CheckpointStore(Path.of(location).toAbsolutePath(), keep, runId);
        }
        if (uri.getScheme().equals("file")) {
            return new CheckpointStore(Path.of(uri), keep, runId);
        }
        throw new ScorepipeException("checkpoint.dir " + checkpointDir + ": the " + runnerType + " runner cannot reach "
                + uri.getScheme() + ":// file systems; use a local folder or a file:// URI, or run with --runner spark"
                + " (which reaches every Hadoop file system it has a connector for)");
    }

    /**
     * The installed factory of runner {@code type}; throws naming the runners there are, Spark's
     * among them when its jar is not on the class path (./scorepipe adds it for --runner spark).
     */
    private static RunnerFactory factory(String type) {
        List<String> known = new ArrayList<>(List.of("local"));
        for (RunnerFactory factory : ServiceLoader.load(RunnerFactory.class, Runners.class.getClassLoader())) {
            if (factory.name().equals(type)) {
                return factory;
            }
            known.add(factory.name());
        }
        String sparkJar = "run through ./scorepipe, which adds it for --runner spark, or submit scorepipe-spark.jar with spark-submit";
        if (type.equals("spark")) {
            throw new ScorepipeException("the Spark runner is not on the class path: " + sparkJar);
        }
        boolean sparkMissing = !known.contains("spark");
        if (sparkMissing) {
            known.add("spark");
        }
        throw new ScorepipeException("unknown runner '" + type + "'" + ParameterBinder.suggestion(type, known)
                + "; runners: " + String.join(", ", known) + (sparkMissing ? "; for spark, " + sparkJar : ""));
    }
}
