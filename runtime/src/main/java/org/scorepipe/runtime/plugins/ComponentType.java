package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Constructor;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.ComponentKind;

/**
 * A discovered component class: its kind, its name, its {@code @Inject} constructor (with what
 * each of its parameters is, {@link ConstructorParameter}), its
 * parameter record (absent when it takes no parameters), the plugin that lists it and the jar
 * (with its version) it was loaded from.
 */
public record ComponentType(
        ComponentKind kind,
        String name,
        String doc,
        Class<?> type,
        Constructor<?> constructor,
        List<ConstructorParameter> parameters,
        Optional<Class<? extends Record>> params,
        String plugin,
        Artifact artifact) {

    public ComponentType {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(doc, "doc is null");
        requireNonNull(type, "type is null");
        requireNonNull(constructor, "constructor is null");
        parameters = List.copyOf(parameters);
        requireNonNull(params, "params is null");
        requireNonNull(plugin, "plugin is null");
        requireNonNull(artifact, "artifact is null");
    }

    /** The file name of the jar the class was loaded from. */
    public String jar() {
        return artifact.jar();
    }

    /** The version of that jar, or {@link Artifact#UNKNOWN_VERSION}. */
    public String version() {
        return artifact.version();
    }

    /** {@code class (plugin p, x.jar 1.0)}, for messages. */
    public String origin() {
        return type.getName() + " (plugin " + plugin + ", " + jar() + " " + version() + ")";
    }
}
