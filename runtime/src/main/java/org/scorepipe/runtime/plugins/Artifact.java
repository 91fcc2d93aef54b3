package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The jar (or class folder) a class was loaded from and its version: the manifest's
 * {@code Implementation-Version}, else the version in the jar's Maven {@code pom.properties}.
 *
 * @param jar the jar's file name (a class folder's name for classes not in a jar)
 * @param version the version, or {@link #UNKNOWN_VERSION}
 */
public record Artifact(String jar, String version) {
    public static final String UNKNOWN_VERSION = "unknown";

    private static final ConcurrentHashMap<Path, Artifact> CACHE = new ConcurrentHashMap<>();

    public Artifact {
        requireNonNull(jar, "jar is null");
        requireNonNull(version, "version is null");
    }

    /** Where {@code type} was loaded from. */
    public static Artifact of(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return new Artifact("(runtime)", UNKNOWN_VERSION);
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return new Artifact(source.getLocation().toString(), UNKNOWN_VERSION);
        }
        return CACHE.computeIfAbsent(location, Artifact::read);
    }

    private static Artifact read(Path location) {
        String name = location.getFileName() == null ? location.toString() : location.getFileName().toString();
        if (!Files.isRegularFile(location)) {
            return new Artifact(name, UNKNOWN_VERSION);
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            return new Artifact(name, version(jar, name));
        } catch (IOException e) {
            return new Artifact(name, UNKNOWN_VERSION);
        }
    }

    private static String version(JarFile jar, String fileName) throws IOException {
        Manifest manifest = jar.getManifest();
        if (manifest != null) {
            String v = manifest.getMainAttributes().getValue("Implementation-Version");
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        // META-INF/maven/<groupId>/<artifactId>/pom.properties; a jar that bundles libraries has
        // several, and the plugin's own is the one whose artifactId its file name starts with.
        List<Properties> poms = new ArrayList<>();
        for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
            JarEntry entry = entries.nextElement();
            if (entry.getName().startsWith("META-INF/maven/") && entry.getName().endsWith("/pom.properties")) {
                Properties p = new Properties();
                try (InputStream in = jar.getInputStream(entry)) {
                    p.load(in);
                }
                poms.add(p);
            }
        }
        if (poms.size() == 1) {
            return poms.get(0).getProperty("version", UNKNOWN_VERSION);
        }
        for (Properties p : poms) {
            String artifactId = p.getProperty("artifactId");
            if (artifactId != null && fileName.startsWith(artifactId)) {
                return p.getProperty("version", UNKNOWN_VERSION);
            }
        }
        return UNKNOWN_VERSION;
    }
}
