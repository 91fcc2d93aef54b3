package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Plugin;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.config.ParameterBinder;

/**
 * Every component the runtime can build, found through {@link ServiceLoader} lookups of
 * {@link Plugin}: on the application class path (the built-in {@code core} plugin) and in a
 * plugin folder, where each jar, or each sub-folder of jars, is one plugin with a
 * {@link PluginClassLoader} of its own. The runtime knows no component by name: the built-in
 * ones register exactly as a third party's do.
 *
 * <p>Discovery never fails as a whole. Whatever breaks a rule is recorded as a
 * {@linkplain #problems() problem} and the rest stays usable:
 * <ul>
 *   <li>a plugin built against another major API version, or a newer minor one, is refused;
 *   <li>a jar without a {@code META-INF/services/org.scorepipe.api.Plugin} entry is not a plugin;
 *   <li>a broken services entry, a plugin class that cannot be instantiated, and a component
 *       class that fails to load are reported with the jar and the class;
 *   <li>a component class without {@link Component}, without a public {@code @Inject}
 *       constructor, asking for something the runtime cannot provide, or with a parameter
 *       record the config binder cannot fill is refused with the reason;
 *   <li>two components of one kind with one name are both refused, naming both jars.
 * </ul>
 * A component whose kind and name are known but that was refused is <em>unusable</em>:
 * {@link #find} throws the problem's message for it, so a pipeline fails only if it uses it.
 */
public final class ComponentRegistry {
    private final Map<ComponentKind, Map<String, ComponentType>> byKind;
    private final Map<ComponentKind, Map<String, String>> unusable;
    private final List<String> problems;

    private ComponentRegistry(Map<ComponentKind, Map<String, ComponentType>> byKind,
            Map<ComponentKind, Map<String, String>> unusable, List<String> problems) {
        this.byKind = byKind;
        this.unusable = unusable;
        this.problems = List.copyOf(problems);
    }

    /** Discovers the plugins visible to {@code loader}. */
    public static ComponentRegistry discover(ClassLoader loader) {
        return builder().addClassPath(loader).build();
    }

    /** Discovers the plugins visible to {@code loader} and those in {@code pluginFolder}, if given. */
    public static ComponentRegistry discover(ClassLoader loader, Optional<Path> pluginFolder) {
        Builder builder = builder().addClassPath(loader);
        pluginFolder.ifPresent(builder::addFolder);
        return builder.build();
    }

    /** A registry of exactly these plugins (for tests and embedding). */
    public static ComponentRegistry of(Plugin... plugins) {
        Builder builder = builder();
        for (Plugin plugin : plugins) {
            builder.add(plugin);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The component of {@code kind} named {@code name}, or empty if no plugin declares one.
     *
     * @throws ScorepipeException if a plugin declares it but it was refused or failed to load;
     *     the message says why
     */
    public Optional<ComponentType> find(ComponentKind kind, String name) {
        ComponentType type = byKind.get(kind).get(name);
        if (type != null) {
            return Optional.of(type);
        }
        Optional<String> why = unusable(kind, name);
        if (why.isPresent()) {
            throw new ScorepipeException("the " + kind.label() + " '" + name + "' cannot be used: " + why.get());
        }
        return Optional.empty();
    }

    /** Why the component of {@code kind} named {@code name} cannot be used, if a plugin declares it but it was refused. */
    public Optional<String> unusable(ComponentKind kind, String name) {
        return Optional.ofNullable(unusable.get(kind).get(name));
    }

    /** The kinds that have a component named {@code name}, usable or not. */
    public List<ComponentKind> kindsNamed(String name) {
        List<ComponentKind> kinds = new ArrayList<>();
        for (ComponentKind kind : ComponentKind.values()) {
            if (byKind.get(kind).containsKey(name) || unusable.get(kind).containsKey(name)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** The usable components of {@code kind}, sorted by name. */
    public List<ComponentType> ofKind(ComponentKind kind) {
        return List.copyOf(byKind.get(kind).values());
    }

    /** Every usable component, by kind then name. */
    public List<ComponentType> all() {
        List<ComponentType> all = new ArrayList<>();
        byKind.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    /** What could not be loaded or was refused, one message each, naming the jar and class. */
    public List<String> problems() {
        return problems;
    }

    /** Whether a plugin built against API {@code pluginVersion} loads in this runtime. */
    static boolean compatible(String pluginVersion) {
        return compatible(pluginVersion, Plugin.API_VERSION);
    }

    /** Same major version, and a minor version not newer than the runtime's. */
    static boolean compatible(String pluginVersion, String runtimeVersion) {
        return incompatibility(pluginVersion, runtimeVersion).isEmpty();
    }

    /** Why a plugin of API {@code theirs} cannot load in a runtime of API {@code ours}, or empty. */
    static Optional<String> incompatibility(String theirs, String ours) {
        int[] runtime = parseVersion(ours);
        int[] plugin = parseVersion(theirs);
        if (plugin == null) {
            return Optional.of("reports the API version '" + theirs + "', which is not major.minor; implement apiVersion()"
                    + " as `return API_VERSION;` and rebuild it against scorepipe-api " + ours);
        }
        if (plugin[0] != runtime[0]) {
            return Optional.of("was built against scorepipe API " + theirs + ", but this runtime has API " + ours
                    + " (another major version); rebuild the plugin against scorepipe-api " + runtime[0] + ".x, or use a"
                    + " scorepipe with API " + plugin[0] + ".x");
        }
        if (plugin[1] > runtime[1]) {
            return Optional.of("was built against scorepipe API " + theirs + ", newer than this runtime's API " + ours
                    + "; use a scorepipe with API " + theirs + " or later, or rebuild the plugin against scorepipe-api " + ours);
        }
        return Optional.empty();
    }

    private static int[] parseVersion(String version) {
        String[] parts = version == null ? new String[0] : version.trim().split("\\.");
        if (parts.length != 2) {
            return null;
        }
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            return major < 0 || minor < 0 ? null : new int[] {major, minor};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Checks a component class against the rules and describes it.
     *
     * @throws ScorepipeException naming the class and the rule it breaks
     */
    static ComponentType inspect(Class<?> type, String plugin) {
        Component annotation = type.getAnnotation(Component.class);
        if (annotation == null) {
            throw new ScorepipeException(type.getName() + " is listed as a component but has no @Component annotation;"
                    + " annotate it with @Component(kind = ..., name = ...)");
        }
        ComponentKind kind = annotation.kind();
        String name = annotation.name();
        String refused = "the " + kind.label() + " '" + name + "' (" + type.getName() + ") is refused: ";
        if (name.isBlank() || !name.equals(name.strip()) || name.chars().anyMatch(Character::isWhitespace)) {
            throw new ScorepipeException(refused + "its @Component name must be a non-empty word without spaces, e.g. 'my-corrector'");
        }
        if (!kind.type().isAssignableFrom(type)) {
            throw new ScorepipeException(refused + kind.labelWithArticle() + " must implement " + kind.type().getName());
        }
        if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())
                || type.isInterface() || (type.isMemberClass() && !Modifier.isStatic(type.getModifiers()))) {
            throw new ScorepipeException(refused + "it must be a public, concrete (and, if nested, static) class");
        }
        Constructor<?> constructor = null;
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.isAnnotationPresent(Inject.class)) {
                if (!Modifier.isPublic(c.getModifiers())) {
                    throw new ScorepipeException(refused + "its @Inject constructor must be public");
                }
                if (constructor != null) {
                    throw new ScorepipeException(refused + "it has more than one @Inject constructor; keep one");
                }
                constructor = c;
            }
        }
        if (constructor == null) {
            throw new ScorepipeException(refused + "it has no injectable constructor: annotate one public constructor with"
                    + " @jakarta.inject.Inject");
        }
        Class<? extends Record> params = null;
        List<ConstructorParameter> parameters = new ArrayList<>();
        for (Type parameter : constructor.getGenericParameterTypes()) {
            ConstructorParameter classified;
            try {
                classified = ConstructorParameter.of(parameter, type, kind);
            } catch (IllegalArgumentException e) {
                throw new ScorepipeException(refused + e.getMessage());
            }
            if (classified instanceof ConstructorParameter.Params p) {
                if (params != null) {
                    throw new ScorepipeException(refused + "its constructor asks for two parameter records; use one");
                }
                params = p.type();
                Optional<String> unsupported = ParameterTypes.unsupported(params);
                if (unsupported.isPresent()) {
                    throw new ScorepipeException(refused + unsupported.get());
                }
                Optional<String> badDefault = ParameterBinder.badDefault(params);
                if (badDefault.isPresent()) {
                    throw new ScorepipeException(refused + badDefault.get());
                }
            }
            parameters.add(classified);
        }
        return new ComponentType(kind, name, annotation.doc(), type, constructor, List.copyOf(parameters), Optional.ofNullable(params), plugin,
                Artifact.of(type));
    }

    /** Collects plugins from the class path, plugin folders and instances, then checks them together. */
    public static final class Builder {
        /** How many broken services entries one plugin may report before its lookup is abandoned. */
        private static final int MAX_ERRORS_PER_PLUGIN = 50;

        private String apiVersion = Plugin.API_VERSION;
        private final Map<String, List<ComponentType>> candidates = new LinkedHashMap<>();
        private final Map<ComponentKind, Map<String, String>> unusable = new EnumMap<>(ComponentKind.class);
        private final List<String> problems = new ArrayList<>();
        private final Map<String, String> pluginLocations = new HashMap<>();

        private Builder() {
            for (ComponentKind kind : ComponentKind.values()) {
                unusable.put(kind, new TreeMap<>());
            }
        }

        /** The API version the runtime claims (tests of the compatibility rule set another). */
        Builder apiVersion(String version) {
            this.apiVersion = requireNonNull(version, "version is null");
            return this;
        }

        /** A plugin instance, e.g. one on the class path. */
        public Builder add(Plugin plugin) {
            addPlugin(plugin, Artifact.of(plugin.getClass()).jar());
            return this;
        }

        /** The plugins registered on the class path of {@code loader} (the built-in ones). */
        public Builder addClassPath(ClassLoader loader) {
            Iterator<Plugin> plugins = ServiceLoader.load(Plugin.class, loader).iterator();
            int errors = 0;
            while (errors < MAX_ERRORS_PER_PLUGIN) {
                Plugin plugin;
                try {
                    if (!plugins.hasNext()) {
                        break;
                    }
                    plugin = plugins.next();
                } catch (ServiceConfigurationError e) {
                    errors++;
                    problems.add("a plugin on the class path failed to load: " + describe(e));
                    continue;
                }
                add(plugin);
            }
            return this;
        }

        /**
         * The plugins of a folder: each jar, or each sub-folder of jars, gets a
         * {@link PluginClassLoader} of its own.
         *
         * @throws ScorepipeException if the folder does not exist
         */
        public Builder addFolder(Path folder) {
            for (PluginFolder.Bundle bundle : PluginFolder.scan(folder)) {
                addBundle(bundle);
            }
            return this;
        }

        private void addBundle(PluginFolder.Bundle bundle) {
            List<URL> urls = new ArrayList<>();
            for (Path jar : bundle.jars()) {
                try {
                    urls.add(jar.toUri().toURL());
                } catch (MalformedURLException e) {
                    problems.add(bundle.label() + ": cannot read " + jar + ": " + e.getMessage());
                    return;
                }
            }
            PluginClassLoader loader = new PluginClassLoader(bundle.label(), urls, Plugin.class.getClassLoader());
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            // A plugin's own code may look things up through the context loader (ServiceLoader, JAXB, ...).
            thread.setContextClassLoader(loader);
            try {
                Iterator<Plugin> plugins = ServiceLoader.load(Plugin.class, loader).iterator();
                int found = 0;
                int errors = 0;
                while (errors < MAX_ERRORS_PER_PLUGIN) {
                    Plugin plugin;
                    try {
                        if (!plugins.hasNext()) {
                            break;
                        }
                        plugin = plugins.next();
                    } catch (ServiceConfigurationError e) {
                        errors++;
                        String message = "the plugin in " + bundle.label() + " failed to load: " + describe(e);
                        problems.add(message);
                        markDeclaredComponents(loader, bundle, message);
                        continue;
                    }
                    found++;
                    addPlugin(plugin, bundle.label());
                }
                if (found == 0 && errors == 0) {
                    problems.add(bundle.label() + " is not a scorepipe plugin: it has no META-INF/services/"
                            + Plugin.class.getName() + " entry naming its Plugin class (a library a plugin needs goes into"
                            + " a sub-folder together with the plugin's jar)");
                }
            } finally {
                thread.setContextClassLoader(previous);
            }
        }

        private void addPlugin(Plugin plugin, String location) {
            String className = plugin.getClass().getName();
            String pluginName;
            String version;
            try {
                pluginName = plugin.name();
                version = plugin.apiVersion();
            } catch (RuntimeException | LinkageError e) {
                problems.add("the plugin " + className + " in " + location + " failed: " + describe(e));
                return;
            }
            String where = "plugin '" + pluginName + "' (" + className + " in " + location + ")";
            String earlier = pluginLocations.putIfAbsent(pluginName, location);
            if (earlier != null) {
                String message = "two plugins are named '" + pluginName + "': in " + earlier + " and in " + location
                        + "; the one in " + location + " is not loaded (remove one of them, or give each a unique name())";
                problems.add(message);
                markListedComponents(plugin, message);
                return;
            }
            Optional<String> incompatible = incompatibility(version, apiVersion);
            if (incompatible.isPresent()) {
                String message = where + " " + incompatible.get();
                problems.add(message);
                markListedComponents(plugin, message);
                return;
            }
            List<Class<?>> classes;
            try {
                classes = List.copyOf(plugin.components());
            } catch (RuntimeException | LinkageError e) {
                String message = where + ": components() failed: " + describe(e) + hintFor(e);
                problems.add(message);
                if (plugin.getClass().getClassLoader() instanceof PluginClassLoader loader) {
                    markDeclaredComponents(loader, null, message);
                }
                return;
            }
            List<Class<?>> seen = new ArrayList<>();
            for (Class<?> type : classes) {
                if (type == null || seen.contains(type)) {
                    continue;
                }
                seen.add(type);
                try {
                    ComponentType component = inspect(type, pluginName);
                    candidates.computeIfAbsent(component.kind().name() + ":" + component.name(), k -> new ArrayList<>())
                            .add(component);
                } catch (ScorepipeException e) {
                    String message = where + ": " + e.getMessage();
                    problems.add(message);
                    markUnusable(type, message);
                } catch (LinkageError e) {
                    String message = where + ": the component class " + type.getName() + " in " + Artifact.of(type).jar()
                            + " failed to load: " + describe(e) + hintFor(e);
                    problems.add(message);
                    markUnusable(type, message);
                }
            }
        }

        /** Records the components a refused plugin lists as unusable, as far as they can be read. */
        private void markListedComponents(Plugin plugin, String message) {
            List<Class<?>> classes;
            try {
                classes = plugin.components();
            } catch (RuntimeException | LinkageError e) {
                return;
            }
            for (Class<?> type : classes) {
                markUnusable(type, message);
            }
        }

        /**
         * Records as unusable every {@code @Component} class in the jars of a plugin whose entry
         * point failed, so a pipeline naming one of them gets the failure, not "unknown type".
         * Only the jars that declare the services entry are read (not the libraries beside them).
         */
        private void markDeclaredComponents(PluginClassLoader loader, PluginFolder.Bundle bundle, String message) {
            for (URL url : loader.getURLs()) {
                Path jar;
                try {
                    jar = Path.of(url.toURI());
                } catch (Exception e) {
                    continue;
                }
                try (JarFile file = new JarFile(jar.toFile())) {
                    if (file.getEntry("META-INF/services/" + Plugin.class.getName()) == null) {
                        continue;
                    }
                    for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                        String entry = entries.nextElement().getName();
                        if (!entry.endsWith(".class") || entry.startsWith("META-INF/") || entry.endsWith("module-info.class")) {
                            continue;
                        }
                        String className = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
                        try {
                            markUnusable(Class.forName(className, false, loader), message);
                        } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
                            // a class that cannot even be loaded declares nothing we could name
                        }
                    }
                } catch (IOException e) {
                    problems.add((bundle == null ? jar.getFileName().toString() : bundle.label()) + ": cannot read "
                            + jar.getFileName() + ": " + e.getMessage());
                }
            }
        }

        private void markUnusable(Class<?> type, String message) {
            Component annotation;
            try {
                annotation = type.getAnnotation(Component.class);
            } catch (RuntimeException | LinkageError e) {
                return;
            }
            if (annotation != null) {
                unusable.get(annotation.kind()).putIfAbsent(annotation.name(), message);
            }
        }

        /** Checks the names across all plugins and makes the registry. */
        public ComponentRegistry build() {
            Map<ComponentKind, Map<String, ComponentType>> byKind = new EnumMap<>(ComponentKind.class);
            Map<ComponentKind, Map<String, String>> refused = new EnumMap<>(ComponentKind.class);
            for (ComponentKind kind : ComponentKind.values()) {
                byKind.put(kind, new TreeMap<>());
                refused.put(kind, new TreeMap<>(unusable.get(kind)));
            }
            List<String> all = new ArrayList<>(problems);
            for (List<ComponentType> same : candidates.values()) {
                ComponentType first = same.get(0);
                if (same.size() == 1) {
                    byKind.get(first.kind()).put(first.name(), first);
                    refused.get(first.kind()).remove(first.name());
                    continue;
                }
                List<String> origins = same.stream().map(ComponentType::origin).toList();
                String message = "two " + first.kind().label() + "s are named '" + first.name() + "': "
                        + String.join(" and ", origins) + "; neither is used: remove one of the jars, or rename one of the"
                        + " components";
                all.add(message);
                refused.get(first.kind()).put(first.name(), message);
            }
            return new ComponentRegistry(byKind, refused, all);
        }

        private static String describe(Throwable e) {
            if (e instanceof ServiceConfigurationError) {
                // "org.scorepipe.api.Plugin: Provider x.Y could not be instantiated", or
                // "org.scorepipe.api.Plugin: jar:file:/.../x.jar!/META-INF/services/...:1: Illegal ...";
                // the caller names the jar, so keep the entry and the line.
                String services = "META-INF/services/" + Plugin.class.getName();
                String message = String.valueOf(e.getMessage());
                if (message.startsWith(Plugin.class.getName() + ": ")) {
                    message = message.substring(Plugin.class.getName().length() + 2);
                }
                int inJar = message.indexOf("!/" + services);
                message = inJar >= 0 ? message.substring(inJar + 2) : services + ": " + message;
                Throwable cause = e.getCause();
                if (cause instanceof java.lang.reflect.InvocationTargetException ite && ite.getCause() != null) {
                    cause = ite.getCause();
                }
                return cause == null ? message : message + ": " + describe(cause);
            }
            String message = e.getMessage();
            return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        }

        private static String hintFor(Throwable e) {
            if (e instanceof NoClassDefFoundError) {
                return " (a class it needs is in none of the plugin's jars: put the plugin and the libraries it uses"
                        + " together in a sub-folder of the plugin folder)";
            }
            return "";
        }
    }
}
