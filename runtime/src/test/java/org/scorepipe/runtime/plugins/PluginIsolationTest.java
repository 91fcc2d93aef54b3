package org.scorepipe.runtime.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.runtime.plugins.PluginSources.constantSource;
import static org.scorepipe.runtime.plugins.PluginSources.library;
import static org.scorepipe.runtime.plugins.PluginSources.plugin;
import static org.scorepipe.runtime.plugins.PluginSources.shiftCorrector;

import com.google.inject.Guice;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Plugin;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Class-loader isolation: two plugins, each a sub-folder holding the plugin's jar and its own
 * version of one library class ({@code org.lib.Greeting}, same name, different behaviour), work
 * side by side in one registry; and the API version rule.
 */
class PluginIsolationTest {
    @TempDir
    static Path temp;

    static Path folder;

    @BeforeAll
    static void buildTwoPluginsWithClashingLibraries() throws IOException {
        folder = Files.createDirectories(temp.resolve("plugins"));
        for (int version = 1; version <= 2; version++) {
            Path dir = Files.createDirectories(folder.resolve("greeter-" + version));
            Path lib = new TestJar().source("org.lib.Greeting", library("org.lib", "Greeting", version))
                    .write(dir.resolve("greeting-" + version + ".0.jar"));
            String pkg = "pg" + version;
            new TestJar().compileAgainst(lib)
                    .source(pkg + ".GreeterPlugin", plugin(pkg, "GreeterPlugin", "greeter-" + version, null, "Greeter"))
                    .source(pkg + ".Greeter", constantSource(pkg, "Greeter", "greeting-" + version, "org.lib.Greeting.value()"))
                    .plugin(pkg + ".GreeterPlugin").write(dir.resolve("greeter.jar"));
        }
    }

    private static double[] sample(ComponentType type) {
        PipelineSpec spec = new PipelineSpec("t", 1, 3, 2);
        // Guice builds the plugin's class, as the assembler does: it must see its @Inject.
        DataSource source = (DataSource) Guice.createInjector(b -> b.bind(PipelineSpec.class).toInstance(spec))
                .getInstance(type.type());
        Particles particles = new Particles(3, 2);
        source.sample(particles.all(), PhiloxNoise.of(1, 0, 0));
        return particles.data();
    }

    @Test
    void twoPluginsWithDifferentVersionsOfOneLibraryClassBothWork() throws Exception {
        ComponentRegistry registry = ComponentRegistry.discover(getClass().getClassLoader(), java.util.Optional.of(folder));
        assertEquals(List.of(), registry.problems());
        ComponentType one = registry.find(ComponentKind.DATA_SOURCE, "greeting-1").orElseThrow();
        ComponentType two = registry.find(ComponentKind.DATA_SOURCE, "greeting-2").orElseThrow();
        for (double x : sample(one)) {
            assertEquals(1.0, x);
        }
        for (double x : sample(two)) {
            assertEquals(2.0, x);
        }
        ClassLoader a = one.type().getClassLoader();
        ClassLoader b = two.type().getClassLoader();
        assertNotSame(a, b);
        Class<?> greetingA = a.loadClass("org.lib.Greeting");
        Class<?> greetingB = b.loadClass("org.lib.Greeting");
        assertNotSame(greetingA, greetingB);
        assertEquals(1.0, greetingA.getMethod("value").invoke(null));
        assertEquals(2.0, greetingB.getMethod("value").invoke(null));
        assertEquals("greeter.jar", one.jar());
        assertEquals("greeter-1", one.plugin());
    }

    @Test
    void aPluginSeesTheApiAndJakartaInjectOfTheRuntimeAndNothingElseOfItsClassPath() throws Exception {
        Path jar = folder.resolve("greeter-1").resolve("greeter.jar");
        try (PluginClassLoader loader = new PluginClassLoader("greeter", List.of(jar.toUri().toURL()), Plugin.class.getClassLoader())) {
            assertSame(Plugin.class, loader.loadClass(Plugin.class.getName()));
            assertSame(Inject.class, loader.loadClass(Inject.class.getName()));
            assertSame(String.class, loader.loadClass("java.lang.String"));
            assertSame(java.sql.Connection.class, loader.loadClass("java.sql.Connection"), "the platform's modules are visible");
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("com.google.inject.Guice"));
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass(ComponentRegistry.class.getName()));
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.lib.Greeting"), "the library is not in this jar");
            List<URL> services = Collections.list(loader.getResources("META-INF/services/" + Plugin.class.getName()));
            assertEquals(1, services.size(), "only the plugin's own services entry: " + services);
            assertTrue(services.get(0).toString().contains("greeter.jar"));
            assertTrue(loader.getResource("org/scorepipe/api/Plugin.class") != null);
        }
    }

    @Test
    void aPluginOfAnOlderMinorVersionLoadsAndANewerOneIsRefused() throws IOException {
        Path versions = Files.createDirectories(temp.resolve("versions"));
        for (String v : List.of("1.1", "1.4")) {
            String pkg = "pv" + v.replace(".", "");
            new TestJar().source(pkg + ".VersionedPlugin", plugin(pkg, "VersionedPlugin", "api-" + v, v, "Shift"))
                    .source(pkg + ".Shift", shiftCorrector(pkg, "Shift", "shift-" + v))
                    .plugin(pkg + ".VersionedPlugin").write(versions.resolve("api-" + v + ".jar"));
        }
        ComponentRegistry registry = ComponentRegistry.builder().apiVersion("1.3").addFolder(versions).build();
        assertTrue(registry.find(ComponentKind.CORRECTOR, "shift-1.1").isPresent(), registry.problems().toString());
        assertEquals(List.of("plugin 'api-1.4' (pv14.VersionedPlugin in api-1.4.jar) was built against scorepipe API 1.4,"
                + " newer than this runtime's API 1.3; use a scorepipe with API 1.4 or later, or rebuild the plugin against"
                + " scorepipe-api 1.3"), registry.problems());
    }

    @Test
    void theVersionRule() {
        assertTrue(ComponentRegistry.compatible("1.0", "1.0"));
        assertTrue(ComponentRegistry.compatible("1.2", "1.3"));
        assertFalse(ComponentRegistry.compatible("1.4", "1.3"));
        assertFalse(ComponentRegistry.compatible("2.0", "1.3"));
        assertFalse(ComponentRegistry.compatible("0.9", "1.3"));
        assertFalse(ComponentRegistry.compatible("1", "1.3"));
        assertFalse(ComponentRegistry.compatible(null, "1.3"));
        assertTrue(ComponentRegistry.compatible(Plugin.API_VERSION));
        assertEquals("reports the API version 'one', which is not major.minor; implement apiVersion() as `return API_VERSION;`"
                + " and rebuild it against scorepipe-api 1.3", ComponentRegistry.incompatibility("one", "1.3").orElseThrow());
    }
}
