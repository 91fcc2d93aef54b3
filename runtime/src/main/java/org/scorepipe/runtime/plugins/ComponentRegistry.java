package org.scorepipe.runtime.plugins;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Plugin;
import org.scorepipe.runtime.ScorepipeException;

/**
 * Every component the runtime can build, found through {@link ServiceLoader} lookups of
 * {@link Plugin}. The runtime knows no component by name: the built-in ones register exactly
 * as a third party's do.
 *
 * <p>A plugin that cannot be loaded, or a component class that breaks the rules (no
 * {@link Component}, no {@code @Inject} constructor, wrong interface), is recorded as a
 * {@linkplain #problems() problem} rather than failing discovery, so the rest stay usable.
 */
public final class ComponentRegistry {
    private final Map<ComponentKind, Map<String, ComponentType>> byKind = new EnumMap<>(ComponentKind.class);
    private final List<String> problems = new ArrayList<>();

    private ComponentRegistry() {
        for (ComponentKind kind : ComponentKind.values()) {
            byKind.put(kind, new TreeMap<>());
        }
    }

    /** Discovers the plugins visible to {@code loader}. */
    public static ComponentRegistry discover(ClassLoader loader) {
        ComponentRegistry registry = new ComponentRegistry();
        Iterator<Plugin> plugins = ServiceLoader.load(Plugin.class, loader).iterator();
        while (true) {
            Plugin plugin;
            try {
                if (!plugins.hasNext()) {
                    break;
                }
                plugin = plugins.next();
            } catch (ServiceConfigurationError e) {
                registry.problems.add("a plugin could not be loaded: " + e.getMessage());
                continue;
            }
            registry.add(plugin);
        }
        return registry;
    }

    /** A registry of exactly these plugins (for tests and embedding). */
    public static ComponentRegistry of(Plugin... plugins) {
        ComponentRegistry registry = new ComponentRegistry();
        for (Plugin plugin : plugins) {
            registry.add(plugin);
        }
        return registry;
    }

    private void add(Plugin plugin) {
        String pluginName = plugin.name();
        String version = plugin.apiVersion();
        if (!compatible(version)) {
            problems.add("plugin '" + pluginName + "' was built against API " + version + " but this runtime has API "
                    + Plugin.API_VERSION + "; rebuild the plugin against scorepipe-api " + Plugin.API_VERSION);
            return;
        }
        for (Class<?> type : plugin.components()) {
            try {
                ComponentType component = inspect(type, pluginName);
                ComponentType previous = byKind.get(component.kind()).putIfAbsent(component.name(), component);
                if (previous != null) {
                    problems.add("two " + component.kind().label() + "s are named '" + component.name() + "': "
                            + previous.type().getName() + " (plugin " + previous.plugin() + ") and "
                            + type.getName() + " (plugin " + pluginName + "); the second is ignored");
                }
            } catch (ScorepipeException | LinkageError e) {
                problems.add("plugin '" + pluginName + "': " + e.getMessage());
            }
        }
    }

    static boolean compatible(String pluginVersion) {
        String[] ours = Plugin.API_VERSION.split("\\.");
        String[] theirs = pluginVersion == null ? new String[0] : pluginVersion.split("\\.");
        if (theirs.length != 2) {
            return false;
        }
        try {
            return Integer.parseInt(theirs[0]) == Integer.parseInt(ours[0])
                    && Integer.parseInt(theirs[1]) <= Integer.parseInt(ours[1]);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Checks a component class against the rules and describes it. */
    static ComponentType inspect(Class<?> type, String plugin) {
        Component annotation = type.getAnnotation(Component.class);
        if (annotation == null) {
            throw new ScorepipeException(type.getName() + " is listed as a component but has no @Component annotation");
        }
        ComponentKind kind = annotation.kind();
        if (!kind.type().isAssignableFrom(type)) {
            throw new ScorepipeException(type.getName() + " is a " + kind.label() + " but does not implement "
                    + kind.type().getName());
        }
        if (Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
            throw new ScorepipeException(type.getName() + " must be a public, concrete class");
        }
        Constructor<?> constructor = null;
        for (Constructor<?> c : type.getConstructors()) {
            if (c.isAnnotationPresent(Inject.class)) {
                if (constructor != null) {
                    throw new ScorepipeException(type.getName() + " has more than one @Inject constructor");
                }
                constructor = c;
            }
        }
        if (constructor == null) {
            throw new ScorepipeException(type.getName() + " has no public constructor annotated with @jakarta.inject.Inject");
        }
        Optional<Class<? extends Record>> params = Optional.empty();
        for (Class<?> p : constructor.getParameterTypes()) {
            if (p.isRecord() && p.getDeclaringClass() == type) {
                params = Optional.of(p.asSubclass(Record.class));
            }
        }
        return new ComponentType(kind, annotation.name(), annotation.doc(), type, constructor, params, plugin);
    }

    /** The component of {@code kind} named {@code name}. */
    public Optional<ComponentType> find(ComponentKind kind, String name) {
        return Optional.ofNullable(byKind.get(kind).get(name));
    }

    /** The kinds that have a component named {@code name}. */
    public List<ComponentKind> kindsNamed(String name) {
        List<ComponentKind> kinds = new ArrayList<>();
        byKind.forEach((kind, types) -> {
            if (types.containsKey(name)) {
                kinds.add(kind);
            }
        });
        return kinds;
    }

    /** The components of {@code kind}, sorted by name. */
    public List<ComponentType> ofKind(ComponentKind kind) {
        return List.copyOf(byKind.get(kind).values());
    }

    /** Every component, by kind then name. */
    public List<ComponentType> all() {
        List<ComponentType> all = new ArrayList<>();
        byKind.values().forEach(m -> all.addAll(m.values()));
        return all;
    }

    /** What could not be loaded, one message each. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }
}
