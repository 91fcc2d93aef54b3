package org.scorepipe.runtime.plugins;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.scorepipe.runtime.config.ParameterBinder;

/**
 * Which record component types a config can bind, checked when a plugin is discovered, so a
 * parameter record the binder cannot fill is refused then, not when a pipeline first uses it.
 * The list mirrors {@link ParameterBinder}.
 */
final class ParameterTypes {
    static final String SUPPORTED = "double, int, long, boolean (or their boxes), String, an enum, double[], int[],"
            + " a List of those scalars or of records, or a nested record";

    private ParameterTypes() {
    }

    /** Why {@code params} cannot be bound, or empty if every component's type is supported. */
    static Optional<String> unsupported(Class<? extends Record> params) {
        return check(params, "", new HashSet<>());
    }

    private static Optional<String> check(Class<?> record, String prefix, Set<Class<?>> visiting) {
        if (!visiting.add(record)) {
            return Optional.of("the record " + record.getName() + " contains itself; a config cannot be nested endlessly");
        }
        for (RecordComponent c : record.getRecordComponents()) {
            String key = prefix + ParameterBinder.keyOf(c);
            Optional<String> problem = checkType(c.getGenericType(), key, visiting);
            if (problem.isPresent()) {
                return problem;
            }
        }
        visiting.remove(record);
        return Optional.empty();
    }

    private static Optional<String> checkType(Type type, String key, Set<Class<?>> visiting) {
        if (type instanceof Class<?> c) {
            if (isScalar(c) || c == double[].class || c == int[].class) {
                return Optional.empty();
            }
            if (c.isRecord()) {
                return check(c, key + ".", visiting);
            }
            if (c == java.util.List.class) {
                return Optional.of(refusal(key, type, "a List needs its element type, e.g. List<String>"));
            }
            return Optional.of(refusal(key, type, null));
        }
        if (type instanceof ParameterizedType p && p.getRawType() == java.util.List.class) {
            Type element = p.getActualTypeArguments()[0];
            if (element instanceof Class<?> e && isScalar(e)) {
                return Optional.empty();
            }
            if (element instanceof Class<?> e && e.isRecord()) {
                return check(e, key + "[].", visiting);
            }
            return Optional.of(refusal(key, type, "list elements must be scalars or records (nested lists are flattened by the config reader)"));
        }
        return Optional.of(refusal(key, type, null));
    }

    private static boolean isScalar(Class<?> c) {
        return c == double.class || c == Double.class || c == int.class || c == Integer.class || c == long.class
                || c == Long.class || c == boolean.class || c == Boolean.class || c == String.class || c.isEnum();
    }

    private static String refusal(String key, Type type, String detail) {
        return "its parameter `" + key + "` has the type " + type.getTypeName() + ", which a config cannot bind"
                + (detail == null ? "" : " (" + detail + ")") + "; use " + SUPPORTED;
    }
}
