package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.scorepipe.runtime.ScorepipeException;

/**
 * The plugins of a plugin folder: every jar directly in it is one plugin, and so is every
 * sub-folder that holds jars (a plugin with the libraries it needs beside it). Other files and
 * sub-folders without jars are ignored, so a Maven {@code target/} folder works as a plugin
 * folder too.
 */
public final class PluginFolder {
    private PluginFolder() {
    }

    /**
     * One plugin's jars.
     *
     * @param label how messages name it: the jar's file name, or the sub-folder's name and a slash
     * @param jars its jars, sorted by name
     */
    public record Bundle(String label, List<Path> jars) {
        public Bundle {
            requireNonNull(label, "label is null");
            jars = List.copyOf(jars);
        }
    }

    /** The plugins in {@code folder}, sorted by name. */
    public static List<Bundle> scan(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ScorepipeException(folder + ": no such plugin folder; it should hold plugin jars, or one sub-folder of jars per plugin");
        }
        List<Bundle> bundles = new ArrayList<>();
        for (Path entry : sortedEntries(folder)) {
            if (isJar(entry)) {
                bundles.add(new Bundle(entry.getFileName().toString(), List.of(entry)));
            } else if (Files.isDirectory(entry)) {
                List<Path> jars = sortedEntries(entry).stream().filter(PluginFolder::isJar).toList();
                if (!jars.isEmpty()) {
                    bundles.add(new Bundle(entry.getFileName() + "/", jars));
                }
            }
        }
        return bundles;
    }

    private static boolean isJar(Path path) {
        return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".jar");
    }

    private static List<Path> sortedEntries(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new ScorepipeException(folder + ": cannot list the plugin folder: " + e.getMessage());
        }
    }
}
