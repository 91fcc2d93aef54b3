package org.scorepipe.runtime.run;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;

/**
 * Makes runners of one type ({@code runner: {type: NAME}} or {@code --runner NAME}); found with
 * {@link java.util.ServiceLoader}, so a runner with heavy dependencies (Spark) is on the class
 * path only when it is wanted. The local runner is built in.
 */
public interface RunnerFactory {
    /** The type name, e.g. {@code spark}. */
    String name();

    /**
     * A runner for {@code pipeline}.
     *
     * @param pipeline the built pipeline (its runner settings included)
     * @param resolvedYaml the resolved config, from which a distributed runner rebuilds the
     *     pipeline on each executor
     * @param options runner options from the command line ({@code --conf key=value} pass-throughs)
     */
    Runner create(Pipeline pipeline, String resolvedYaml, Map<String, String> options);

    /**
     * A runner for {@code pipeline} whose components may come from {@code pluginFolder}: a
     * distributed runner ships that folder to its executors, which discover the same plugins.
     * The default ignores the folder.
     */
    default Runner create(Pipeline pipeline, String resolvedYaml, Map<String, String> options, Optional<Path> pluginFolder) {
        return create(pipeline, resolvedYaml, options);
    }

    /**
     * A checkpoint folder at {@code uri} (e.g. {@code hdfs://nn/ckpt/run-1}) if this runner's
     * file systems reach it, else empty. The default reaches none beyond the local disk, which
     * the runtime handles itself.
     */
    default Optional<CheckpointFolder> checkpointFolder(String uri, Map<String, String> options) {
        return Optional.empty();
    }
}
