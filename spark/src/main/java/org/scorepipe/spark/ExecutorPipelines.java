package org.scorepipe.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkFiles;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.PipelineAssembler;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.plugins.ComponentRegistry;

/**
 * The pipelines an executor JVM has built, by the hash of their resolved config: each task
 * of a run looks its pipeline up here instead of rebuilding it (plugin discovery, Guice, the
 * components' precomputations) for every segment. Components are shared by the executor's
 * concurrent tasks exactly as the local runner's threads share them.
 */
final class ExecutorPipelines {
    /** A few runs' pipelines at most: an executor normally serves one run. */
    private static final int CAPACITY = 4;

    private static final Map<String, Pipeline> CACHE = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pipeline> eldest) {
            return size() > CAPACITY;
        }
    };

    private ExecutorPipelines() {
    }

    /**
     * The pipeline of {@code resolvedYaml}, built once per executor JVM.
     *
     * @param key the config's hash (with the plugin folder's name)
     * @param pluginFolder the name of the archive in which the driver shipped its plugin folder
     *     ({@code SparkContext.addArchive}, unpacked here), or null
     */
    static Pipeline get(String key, String resolvedYaml, String pluginFolder) {
        synchronized (CACHE) {
            Pipeline cached = CACHE.get(key);
            if (cached != null) {
                return cached;
            }
        }
        Optional<Path> folder = Optional.empty();
        if (pluginFolder != null) {
            Path shipped = Path.of(SparkFiles.get(pluginFolder));
            if (!Files.isDirectory(shipped)) {
                throw new IllegalStateException("the plugin folder " + pluginFolder + " the driver shipped is not on this executor ("
                        + shipped + ")");
            }
            folder = Optional.of(shipped);
        }
        ComponentRegistry registry = ComponentRegistry.discover(ExecutorPipelines.class.getClassLoader(), folder);
        PipelineFile file = PipelineFile.parse("the pipeline (rebuilt on an executor)", resolvedYaml, List.of());
        Pipeline pipeline = new PipelineAssembler(registry).assemble(file);
        synchronized (CACHE) {
            CACHE.putIfAbsent(key, pipeline);
            return CACHE.get(key);
        }
    }
}
