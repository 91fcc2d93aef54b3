package org.scorepipe.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.runtime.ScorepipeException;

class PluginFolderSettingTest {
    @TempDir
    Path temp;

    private Path pipeline(String plugins) throws IOException {
        return Files.writeString(temp.resolve("p.yaml"), "pipeline: {name: t, seed: 1, particles: 1, dimension: 1}\n" + plugins
                + "stages: [{type: init}]\n");
    }

    @Test
    void theOptionWinsOverThePipelineWhichWinsOverTheEnvironment() throws IOException {
        Path option = Files.createDirectories(temp.resolve("option"));
        Path fromFile = Files.createDirectories(temp.resolve("in-file"));
        Path fromEnv = Files.createDirectories(temp.resolve("env"));
        Path file = pipeline("plugins: {dir: in-file}\n");
        Map<String, String> env = Map.of(PluginFolderSetting.ENVIRONMENT_VARIABLE, fromEnv.toString());
        assertEquals(Optional.of(option), PluginFolderSetting.choose(Optional.of(option), Optional.of(file), List.of(), env));
        assertEquals(Optional.of(fromFile), PluginFolderSetting.choose(Optional.empty(), Optional.of(file), List.of(), env));
        assertEquals(Optional.of(fromEnv), PluginFolderSetting.choose(Optional.empty(), Optional.of(pipeline("")), List.of(), env));
        assertEquals(Optional.of(fromEnv), PluginFolderSetting.choose(Optional.empty(), Optional.empty(), List.of(), env));
        assertEquals(Optional.empty(), PluginFolderSetting.choose(Optional.empty(), Optional.empty(), List.of(), Map.of()));
        // --set plugins.dir=... works like any key
        assertEquals(Optional.of(option), PluginFolderSetting.choose(Optional.empty(), Optional.of(pipeline("")),
                List.of("plugins.dir=" + option), Map.of()));
    }

    /** A relative plugins.dir in the file resolves against the file's folder; one given with --set against the working directory. */
    @Test
    void aRelativeFolderResolvesAgainstTheFileOrTheWorkingDirectory() throws IOException {
        Path fromFile = Files.createDirectories(temp.resolve("in-file"));
        Path file = pipeline("plugins: {dir: in-file}\n");
        // The working directory is not the file's folder, so the same text names two different folders.
        assertEquals(Optional.of(fromFile), PluginFolderSetting.choose(Optional.empty(), Optional.of(file), List.of(), Map.of()));
        ScorepipeException e = assertThrows(ScorepipeException.class, () -> PluginFolderSetting.choose(Optional.empty(),
                Optional.of(file), List.of("plugins.dir=in-file"), Map.of()));
        assertEquals(file + ": plugins.dir: no such folder " + Path.of("in-file").toAbsolutePath() + " (a relative path is"
                + " resolved against the working directory, as every path given with --set is); build or copy the plugins"
                + " there, or pass --plugins DIR", e.getMessage());
    }

    @Test
    void aMissingOrMisspelledSettingIsAnErrorNamingWhereItCameFrom() throws IOException {
        Path file = pipeline("plugins: {dir: nowhere}\n");
        ScorepipeException e = assertThrows(ScorepipeException.class,
                () -> PluginFolderSetting.choose(Optional.empty(), Optional.of(file), List.of(), Map.of()));
        assertEquals(file + ": plugins.dir: no such folder " + temp.resolve("nowhere") + " (a relative path is resolved"
                + " against the pipeline file's folder); build or copy the plugins there, or pass --plugins DIR", e.getMessage());
        Path typo = pipeline("plugins: {dri: x}\n");
        e = assertThrows(ScorepipeException.class,
                () -> PluginFolderSetting.choose(Optional.empty(), Optional.of(typo), List.of(), Map.of()));
        assertEquals(typo + ": plugins.dri: unknown key; did you mean 'dir'?; known keys: dir", e.getMessage());
        Path missing = temp.resolve("absent");
        e = assertThrows(ScorepipeException.class,
                () -> PluginFolderSetting.choose(Optional.of(missing), Optional.empty(), List.of(), Map.of()));
        assertEquals("--plugins " + missing + ": no such folder; a plugin folder holds plugin jars, or one sub-folder of jars"
                + " per plugin", e.getMessage());
        e = assertThrows(ScorepipeException.class, () -> PluginFolderSetting.choose(Optional.empty(), Optional.empty(),
                List.of(), Map.of(PluginFolderSetting.ENVIRONMENT_VARIABLE, missing.toString())));
        assertEquals("SCOREPIPE_PLUGINS=" + missing + ": no such folder; a plugin folder holds plugin jars, or one sub-folder"
                + " of jars per plugin", e.getMessage());
    }
}
