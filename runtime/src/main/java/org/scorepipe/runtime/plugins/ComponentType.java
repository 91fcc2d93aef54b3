package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.Constructor;
import java.util.Optional;
import org.scorepipe.api.ComponentKind;

/**
 * A discovered component class: its kind, its name, its {@code @Inject} constructor and its
 * parameter record (absent when it takes no parameters).
 */
public record ComponentType(
        ComponentKind kind,
        String name,
        String doc,
        Class<?> type,
        Constructor<?> constructor,
        Optional<Class<? extends Record>> params,
        String plugin) {

    public ComponentType {
        requireNonNull(kind, "kind is null");
        requireNonNull(name, "name is null");
        requireNonNull(doc, "doc is null");
        requireNonNull(type, "type is null");
        requireNonNull(constructor, "constructor is null");
        requireNonNull(params, "params is null");
        requireNonNull(plugin, "plugin is null");
    }
}
