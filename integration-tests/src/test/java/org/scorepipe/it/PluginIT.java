package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.run.NpyFile;

/**
 * The third-party plugin of {@code examples/plugin-example}, built by the Maven reactor, dropped
 * into a plugin folder and used through the real CLI jar.
 */
class PluginIT {
    /** examples/plugin-example, beside pipelines/ in the source tree. */
    static final Path EXAMPLE = Cli.PIPELINES.getParent().resolve("examples").resolve("plugin-example");

    @TempDir
    Path dir;

    private static Path exampleJar() throws IOException {
        Path target = EXAMPLE.resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches("kinetic-langevin-plugin-[0-9.]+(-SNAPSHOT)?\\.jar"))
                    .toList();
            assertEquals(1, jars.size(), "the example plugin's jar in " + target + " (built by the reactor): " + jars);
            return jars.get(0);
        }
    }

    /** A plugin folder holding the example's jar and, beside it, a jar that is not a plugin. */
    private Path pluginFolder() throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Files.copy(exampleJar(), plugins.resolve(exampleJar().getFileName()));
        try (OutputStream out = Files.newOutputStream(plugins.resolve("notes.jar")); JarOutputStream jar = new JarOutputStream(out)) {
            jar.putNextEntry(new JarEntry("README.txt"));
            jar.write("just notes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return plugins;
    }

    @Test
    void theExamplePipelineRunsTheKineticLangevinCorrectorFromThePluginJar() throws Exception {
        Path plugins = pluginFolder();
        Path out = dir.resolve("run");
        Cli.Result r = Cli.run(dir, "run", EXAMPLE.resolve("pipeline.yaml").toString(), "--plugins", plugins.toString(),
                "--out", out.toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().matches("(?s).*\\n +kinetic +corrector .*"), r.stdout());
        assertTrue(r.stderr().contains("warning: notes.jar is not a scorepipe plugin"), "the broken jar is only a warning:\n" + r.stderr());

        // The particles started as N(0, I); the corrector moved them onto N((3, -2), diag(0.5, 2)).
        Particles samples = NpyFile.read(out.resolve("samples.npy"));
        int n = samples.size();
        assertEquals(20000, n);
        double[] mean = {3.0, -2.0};
        double[] variance = {0.5, 2.0};
        for (int i = 0; i < 2; i++) {
            double sum = 0;
            for (int r0 = 0; r0 < n; r0++) {
                sum += samples.data()[r0 * 2 + i];
            }
            double m = sum / n;
            double ss = 0;
            for (int r0 = 0; r0 < n; r0++) {
                double e = samples.data()[r0 * 2 + i] - m;
                ss += e * e;
            }
            double v = ss / (n - 1);
            // 5 standard errors (sd / sqrt(n); var * sqrt(2 / n)), plus 1% for BAOAB's own bias,
            // which is about 0.06% of the variance here (the plugin's test computes it exactly).
            assertEquals(mean[i], m, 5 * Math.sqrt(variance[i] / n), "mean of coordinate " + i);
            assertEquals(variance[i], v, variance[i] * (5 * Math.sqrt(2.0 / n) + 0.01), "variance of coordinate " + i);
        }
    }

    @Test
    void pluginsListAndDescribeShowThePluginWithItsJarAndVersion() throws Exception {
        Path plugins = pluginFolder();
        String jar = exampleJar().getFileName().toString();
        Cli.Result list = Cli.run(dir, "plugins", "list", "--plugins", plugins.toString());
        assertEquals(0, list.exitCode(), list.all());
        assertTrue(list.stdout().matches("(?s).*\\ncorrector +kinetic-langevin +kinetic +" + jar.replace(".", "\\.")
                + " +1\\.0\\.0 +Underdamped.*"), list.stdout());
        assertTrue(list.stdout().matches("(?s).*\\ncorrector +langevin +core +scorepipe\\.jar .*"), "the built-in ones too:\n" + list.stdout());
        assertTrue(list.stdout().contains("  - notes.jar is not a scorepipe plugin"), list.stdout());

        Cli.Result describe = Cli.run(dir, "plugins", "describe", "kinetic-langevin", "--plugins", plugins.toString());
        assertEquals(0, describe.exitCode(), describe.all());
        assertTrue(describe.stdout().startsWith("corrector kinetic-langevin (plugin kinetic, " + jar + " 1.0.0,"
                + " org.example.kinetic.KineticLangevinCorrector)"), describe.stdout());
        assertTrue(describe.stdout().matches("(?s).*\\n    friction +number +default 2\\.0\\n.*"), describe.stdout());

        Cli.Result without = Cli.run(dir, "plugins", "describe", "kinetic-langevin");
        assertEquals(2, without.exitCode(), "without the folder the component is unknown:\n" + without.all());
    }

    @Test
    void aPipelineNamesItsPluginFolderRelativeToItself() throws Exception {
        Path project = Files.createDirectories(dir.resolve("project"));
        Files.copy(EXAMPLE.resolve("pipeline.yaml"), project.resolve("pipeline.yaml"));
        Files.createDirectories(project.resolve("target"));
        Files.copy(exampleJar(), project.resolve("target").resolve(exampleJar().getFileName()));
        Cli.Result r = Cli.run(dir, "validate", project.resolve("pipeline.yaml").toString());
        assertEquals(0, r.exitCode(), r.all());
        assertTrue(r.stdout().matches("(?s).*\\n +kinetic +corrector .*"), r.stdout());
    }
}
