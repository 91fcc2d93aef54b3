package org.scorepipe.runtime.plugins;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.config.PipelineFile;

/**
 * Which plugin folder a command uses, the most specific setting first:
 * <ol>
 *   <li>the command line's {@code --plugins DIR};
 *   <li>the pipeline file's {@code plugins: {dir: DIR}}, a relative path being resolved against
 *       the pipeline file's folder (so a pipeline and its plugins can travel together), or, given
 *       with {@code --set plugins.dir=DIR}, against the working directory;
 *   <li>the environment variable {@value #ENVIRONMENT_VARIABLE}.
 * </ol>
 * A folder that is named but does not exist is an error naming the setting it came from.
 */
public final class PluginFolderSetting {
    /** The environment variable that names a default plugin folder. */
    public static final String ENVIRONMENT_VARIABLE = "SCOREPIPE_PLUGINS";

    /** The pipeline file's top-level key. */
    public static final String KEY = "plugins";

    private PluginFolderSetting() {
    }

    /**
     * The plugin folder to use, or empty for the class path's plugins only.
     *
     * @param option the {@code --plugins} option
     * @param pipeline the pipeline file the command reads, if any
     * @param overrides the {@code --set} overrides ({@code plugins.dir=...} works too)
     * @param environment the process environment
     */
    public static Optional<Path> choose(Optional<Path> option, Optional<Path> pipeline, List<String> overrides,
            Map<String, String> environment) {
        if (option.isPresent()) {
            return Optional.of(existing(option.get(), "--plugins " + option.get()));
        }
        if (pipeline.isPresent()) {
            Optional<Path> fromFile = fromPipeline(pipeline.get(), overrides);
            if (fromFile.isPresent()) {
                return fromFile;
            }
        }
        String variable = environment.get(ENVIRONMENT_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            Path folder;
            try {
                folder = Path.of(variable.strip());
            } catch (InvalidPathException e) {
                throw new ScorepipeException(ENVIRONMENT_VARIABLE + "=" + variable + ": not a path: " + e.getMessage());
            }
            return Optional.of(existing(folder, ENVIRONMENT_VARIABLE + "=" + variable));
        }
        return Optional.empty();
    }

    /** {@code plugins:} of a pipeline file. */
    record PluginsSection(
            @Doc("the plugin folder (relative: to the pipeline file's folder; from --set: to the working directory)")
            @Default("") @FilePath String dir) {
    }

    /**
     * The {@code plugins.dir} of a pipeline file, resolved as every file path is: against the
     * file's folder, or the working directory when it came from {@code --set}.
     */
    static Optional<Path> fromPipeline(Path file, List<String> overrides) {
        PipelineFile pipeline = PipelineFile.load(file, overrides);
        Optional<ConfigSection> section = pipeline.root().section(KEY);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        ConfigSection plugins = section.get();
        if (!plugins.isMap()) {
            throw plugins.error("expected a map, e.g. `plugins: {dir: plugins}`");
        }
        String dir = ParameterBinder.bind(PluginsSection.class, plugins, List.of()).dir();
        if (dir == null || dir.isEmpty()) {
            return Optional.empty();
        }
        Path folder = Path.of(dir);
        if (!Files.isDirectory(folder)) {
            boolean fromFile = plugins.paths().fromFile(plugins.nodes("dir").get(0));
            throw plugins.error(plugins.pathOf("dir"), "no such folder " + folder + " (a relative path is resolved against "
                    + (fromFile ? "the pipeline file's folder" : "the working directory, as every path given with --set is")
                    + "); build or copy the plugins there, or pass --plugins DIR");
        }
        return Optional.of(folder);
    }

    private static Path existing(Path folder, String source) {
        if (!Files.isDirectory(folder)) {
            throw new ScorepipeException(source + ": no such folder" + (folder.isAbsolute() ? "" : " (" + folder.toAbsolutePath() + ")")
                    + "; a plugin folder holds plugin jars, or one sub-folder of jars per plugin");
        }
        return folder;
    }
}
