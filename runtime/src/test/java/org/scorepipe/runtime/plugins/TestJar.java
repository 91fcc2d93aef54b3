package org.scorepipe.runtime.plugins;

import jakarta.inject.Inject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.scorepipe.api.Plugin;

/**
 * Builds a small jar in a test: Java sources compiled with {@link JavaCompiler} against the api
 * and jakarta.inject alone (what a third party compiles against) plus any given jars, and
 * resources such as a {@code META-INF/services} entry.
 */
final class TestJar {
    private static final JavaCompiler COMPILER = ToolProvider.getSystemJavaCompiler();

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> resources = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private String version;

    /** A class: its fully qualified name and its source. */
    TestJar source(String className, String source) {
        sources.put(className, source);
        return this;
    }

    /** Registers {@code pluginClass} in {@code META-INF/services/org.scorepipe.api.Plugin}. */
    TestJar plugin(String pluginClass) {
        return resource("META-INF/services/" + Plugin.class.getName(), pluginClass + "\n");
    }

    TestJar resource(String name, String text) {
        resources.put(name, text);
        return this;
    }

    /** The manifest's {@code Implementation-Version}. */
    TestJar version(String implementationVersion) {
        this.version = implementationVersion;
        return this;
    }

    /** A jar the sources compile against (and that is not put into this jar). */
    TestJar compileAgainst(Path jar) {
        classPath.add(jar);
        return this;
    }

    /** Compiles and writes the jar to {@code jar}; returns it. */
    Path write(Path jar) throws IOException {
        Path work = Files.createTempDirectory(jar.getParent(), ".build-");
        Path src = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file);
        }
        if (!files.isEmpty()) {
            compile(files, classes);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (version != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        Files.createDirectories(jar.getParent());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream jarOut = new JarOutputStream(out, manifest);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                jarOut.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                jarOut.write(Files.readAllBytes(file));
                jarOut.closeEntry();
            }
            for (Map.Entry<String, String> e : resources.entrySet()) {
                jarOut.putNextEntry(new JarEntry(e.getKey()));
                jarOut.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    private void compile(List<Path> files, Path classes) throws IOException {
        List<Path> path = new ArrayList<>(classPath);
        path.add(location(Plugin.class));
        path.add(location(Inject.class));
        StringWriter diagnostics = new StringWriter();
        try (StandardJavaFileManager fm = COMPILER.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-parameters", "-d", classes.toString(),
                    "-classpath", String.join(java.io.File.pathSeparator, path.stream().map(Path::toString).toList()));
            boolean ok = COMPILER.getTask(diagnostics, fm, null, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            if (!ok) {
                throw new IllegalStateException("test sources do not compile:\n" + diagnostics);
            }
        }
    }

    private static Path location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
