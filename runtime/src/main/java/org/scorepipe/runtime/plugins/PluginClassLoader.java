package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin, modelled on Trino's {@code PluginClassLoader}: child first,
 * with a short, explicit list of shared packages.
 *
 * <ul>
 *   <li>Classes of the shared packages ({@code org.scorepipe.api.}, {@code jakarta.inject.}) and
 *       their resources come from the runtime's loader, so the plugin and the runtime agree on
 *       {@code Plugin}, the component interfaces and {@code @Inject} (Guice would not see an
 *       {@code @Inject} of another loader's copy). A copy a plugin bundles by mistake is ignored.
 *   <li>{@code java.*} comes from the JDK.
 *   <li>Everything else is looked up in the plugin's own jars first, and only then in the JDK
 *       (the platform loader). Nothing of the runtime's own class path (Guice, Commons, Log4j,
 *       another plugin) is visible, so two plugins may bundle different versions of one library.
 * </ul>
 */
public final class PluginClassLoader extends URLClassLoader {
    /** The packages every plugin shares with the runtime; a plugin's jars cannot replace them. */
    public static final List<String> SHARED_PACKAGES = List.of("org.scorepipe.api.", "jakarta.inject.");

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final ClassLoader sharedLoader;
    private final List<String> sharedResources;

    /**
     * @param name the plugin's label, shown in stack traces
     * @param jars the plugin's jars
     * @param sharedLoader the loader the shared packages come from (the runtime's)
     */
    public PluginClassLoader(String name, List<URL> jars, ClassLoader sharedLoader) {
        super(name, jars.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
        this.sharedLoader = requireNonNull(sharedLoader, "sharedLoader is null");
        List<String> resources = new ArrayList<>();
        for (String prefix : SHARED_PACKAGES) {
            resources.add(prefix.replace('.', '/'));
        }
        this.sharedResources = List.copyOf(resources);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = isShared(name) ? sharedLoader.loadClass(name) : loadChildFirst(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> loadChildFirst(String name) throws ClassNotFoundException {
        if (name.startsWith("java.")) {
            return getParent().loadClass(name);
        }
        try {
            return findClass(name);
        } catch (ClassNotFoundException notInPlugin) {
            return getParent().loadClass(name);
        }
    }

    private static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private boolean isSharedResource(String resource) {
        for (String prefix : sharedResources) {
            if (resource.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public URL getResource(String name) {
        if (isSharedResource(name)) {
            return sharedLoader.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (isSharedResource(name)) {
            return sharedLoader.getResources(name);
        }
        // The plugin's own first, then the JDK's; never the runtime's class path, so a
        // ServiceLoader lookup through this loader finds only the plugin's own services.
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }
}
