package org.scorepipe.runtime.config;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.yaml.snakeyaml.Yaml;

/**
 * Binds a component's parameter record from its config section: each record component
 * {@code stepsPerLevel} is read from the key {@code steps-per-level}, converted to its type,
 * or taken from its {@link Default}. Unknown keys (with the nearest known key suggested),
 * missing keys and values of the wrong type are errors that name the key's full path.
 *
 * <p>A {@link FilePath} parameter is handed over absolute, resolved as {@link PathResolution}
 * says: against the folder of the pipeline file it was written in, or against the working
 * directory when it came from {@code --set}. (A {@link Default} of such a parameter is passed on
 * as it is: the empty string for none.)
 *
 * <p>Supported types: {@code double}, {@code int}, {@code long}, {@code boolean}, {@code String},
 * enums (written in kebab case), {@code double[]}, {@code int[]}, {@code List} of those
 * scalars or of records, and nested records.
 */
public final class ParameterBinder {
    private ParameterBinder() {
    }

    /** The config key of a record component: {@code stepsPerLevel} becomes {@code steps-per-level}. */
    public static String keyOf(RecordComponent component) {
        return kebab(component.getName());
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /**
     * Binds {@code type} from {@code section}; keys in {@code otherKeys} belong to the caller
     * (the component's {@code type}, its dependencies) and are not reported as unknown.
     */
    public static <R extends Record> R bind(Class<R> type, ConfigSection section, Collection<String> otherKeys) {
        if (!section.isMap()) {
            throw section.error("expected a map of keys, found the value '" + section.value() + "'");
        }
        RecordComponent[] components = type.getRecordComponents();
        Set<String> known = new LinkedHashSet<>();
        for (RecordComponent c : components) {
            known.add(keyOf(c));
        }
        rejectUnknownKeys(section, known, otherKeys);
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            String key = keyOf(c);
            List<ImmutableNode> nodes = section.nodes(key);
            if (nodes.isEmpty()) {
                Default def = c.getAnnotation(Default.class);
                if (def == null) {
                    Doc doc = c.getAnnotation(Doc.class);
                    throw section.error(section.pathOf(key), "missing required key" + (doc == null ? "" : " (" + doc.value() + ")")
                            + "; add `" + key + ": ...` to " + (section.path().isEmpty() ? "the file" : section.path()));
                }
                values[i] = fromDefault(c, def.value(), section);
            } else {
                values[i] = convert(c.getGenericType(), nodes, section, key);
                if (c.isAnnotationPresent(FilePath.class)) {
                    values[i] = resolvePaths(c, nodes, values[i], section, key);
                }
            }
        }
        return construct(type, types, values, section);
    }

    /**
     * A {@link FilePath} parameter's value made absolute: against the folder of the file it was
     * written in, or the working directory for a {@code --set} (see {@link PathResolution}).
     */
    private static Object resolvePaths(RecordComponent c, List<ImmutableNode> nodes, Object value, ConfigSection section, String key) {
        if (value instanceof String s) {
            return section.paths().resolve(nodes.get(0), s, section, section.pathOf(key));
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            List<String> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(section.paths().resolve(nodes.get(i), (String) list.get(i), section, section.pathOf(key + "[" + i + "]")));
            }
            return List.copyOf(out);
        }
        throw new IllegalStateException("@FilePath on " + c.getDeclaringRecord().getName() + "." + c.getName()
                + ", which is not a String or a List<String>");
    }

    private static <R> R construct(Class<R> type, Class<?>[] types, Object[] values, ConfigSection section) {
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(values);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
                throw section.error(cause.getMessage());
            }
            throw new IllegalStateException("the parameter record " + type.getName() + " failed", cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct the parameter record " + type.getName(), e);
        }
    }

    private static void rejectUnknownKeys(ConfigSection section, Set<String> known, Collection<String> otherKeys) {
        Set<String> allowed = new LinkedHashSet<>(known);
        allowed.addAll(otherKeys);
        for (String key : section.children().keySet()) {
            if (!allowed.contains(key)) {
                throw section.error(section.pathOf(key), "unknown key" + suggestion(key, allowed)
                        + (allowed.isEmpty() ? "; this component takes no keys" : "; known keys: " + String.join(", ", allowed)));
            }
        }
    }

    /** {@code "; did you mean 'x'?"} for the nearest candidate, or nothing if none is near. */
    public static String suggestion(String key, Collection<String> candidates) {
        return nearest(key, candidates).map(best -> "; did you mean '" + best + "'?").orElse("");
    }

    /**
     * The candidate within a few edits of {@code key}, else the longest one {@code key} starts
     * with ({@code vpsde}: {@code vp}), if any.
     */
    public static Optional<String> nearest(String key, Collection<String> candidates) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        Optional<String> near = candidates.stream()
                .min(Comparator.comparingInt((String c) -> distance.apply(key, c)))
                .filter(best -> distance.apply(key, best) <= Math.max(2, key.length() / 3));
        if (near.isPresent()) {
            return near;
        }
        return candidates.stream().filter(c -> c.length() >= 2 && key.startsWith(c)).max(Comparator.comparingInt(String::length));
    }

    /**
     * Why one of the record's {@code @Default} values does not bind, if one does not: checked when
     * a plugin's component is registered, so a default that every run would refuse (a text that
     * is no number, an infinity) fails the plugin at once, not the first user who leaves the key out.
     * (A default that binds may still be refused by the record's own checks with the other values.)
     */
    public static Optional<String> badDefault(Class<? extends Record> type) {
        for (RecordComponent c : type.getRecordComponents()) {
            Default def = c.getAnnotation(Default.class);
            if (def == null) {
                continue;
            }
            try {
                fromDefault(c, def.value(), null);
            } catch (RuntimeException e) {
                return Optional.of("the @Default(\"" + def.value() + "\") of its parameter " + keyOf(c) + " does not bind: "
                        + e.getMessage());
            }
        }
        return Optional.empty();
    }

    private static Object fromDefault(RecordComponent c, String text, ConfigSection section) {
        Class<?> raw = c.getType();
        if (text.isEmpty()) {
            if (raw == String.class) {
                return null;
            }
            if (raw == double[].class) {
                return new double[0];
            }
            if (raw == int[].class) {
                return new int[0];
            }
            if (raw == List.class) {
                return List.of();
            }
        }
        Object parsed = new Yaml().load(text);
        List<ImmutableNode> nodes = toNodes(keyOf(c), parsed);
        ConfigSection defaults = new ConfigSection("@Default of " + c.getDeclaringRecord().getName(), "", new ImmutableNode.Builder().addChildren(nodes).create());
        return convert(c.getGenericType(), nodes, defaults, keyOf(c));
    }

    private static List<ImmutableNode> toNodes(String name, Object value) {
        if (value instanceof List<?> list) {
            List<ImmutableNode> nodes = new ArrayList<>();
            for (Object item : list) {
                nodes.addAll(toNodes(name, item));
            }
            return nodes;
        }
        ImmutableNode.Builder b = new ImmutableNode.Builder().name(name);
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> b.addChildren(toNodes(k.toString(), v)));
        } else {
            b.value(value);
        }
        return List.of(b.create());
    }

    private static Object convert(Type type, List<ImmutableNode> nodes, ConfigSection parent, String key) {
        String path = parent.pathOf(key);
        Class<?> raw = rawClass(type);
        if (raw == double[].class) {
            double[] out = new double[nodes.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toDouble(scalar(nodes.get(i), parent, key + "[" + i + "]"), parent.error(path + "[" + i + "]", ""));
            }
            return out;
        }
        if (raw == int[].class) {
            int[] out = new int[nodes.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) toLong(scalar(nodes.get(i), parent, key + "[" + i + "]"), parent.pathOf(key + "[" + i + "]"),
                        parent, Integer.MIN_VALUE, Integer.MAX_VALUE);
            }
            return out;
        }
        if (raw == List.class) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>(nodes.size());
            for (int i = 0; i < nodes.size(); i++) {
                out.add(convert(element, List.of(nodes.get(i)), parent, key + "[" + i + "]"));
            }
            return List.copyOf(out);
        }
        if (nodes.size() > 1) {
            throw parent.error(path, "expected a single " + describeType(type) + ", found a list of " + nodes.size());
        }
        ImmutableNode node = nodes.get(0);
        if (raw.isRecord()) {
            ConfigSection sub = parent.child(path, node);
            @SuppressWarnings("unchecked")
            Class<? extends Record> recordType = (Class<? extends Record>) raw;
            return bind(recordType, sub, List.of());
        }
        Object value = scalar(node, parent, key);
        if (raw == double.class || raw == Double.class) {
            return toDouble(value, parent.error(path, ""));
        }
        if (raw == int.class || raw == Integer.class) {
            return (int) toLong(value, path, parent, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (raw == long.class || raw == Long.class) {
            return toLong(value, path, parent, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            if (value instanceof Boolean b) {
                return b;
            }
            if ("true".equals(value) || "false".equals(value)) {
                return Boolean.parseBoolean((String) value);
            }
            throw parent.error(path, "expected true or false, found '" + value + "'");
        }
        if (raw == String.class) {
            return value.toString();
        }
        if (raw.isEnum()) {
            for (Object constant : raw.getEnumConstants()) {
                if (kebab(((Enum<?>) constant).name().toLowerCase(Locale.ROOT)).replace('_', '-').equals(value.toString())) {
                    return constant;
                }
            }
            List<String> names = enumNames(raw);
            throw parent.error(path, "unknown value '" + value + "'" + suggestion(value.toString(), names) + "; expected one of " + names);
        }
        throw new IllegalStateException("unsupported parameter type " + type + " at " + path);
    }

    private static Object scalar(ImmutableNode node, ConfigSection parent, String key) {
        if (!node.getChildren().isEmpty()) {
            throw parent.error(parent.pathOf(key), "expected a value, found a map");
        }
        if (node.getValue() == null) {
            throw parent.error(parent.pathOf(key), "has no value");
        }
        return node.getValue();
    }

    /**
     * A number parameter, which must be finite: YAML's {@code .nan} and {@code .inf} (or a literal
     * that overflows, {@code 1e999}) would only surface deep inside a run as NaN particles.
     */
    private static double toDouble(Object value, ConfigException where) {
        double d;
        if (value instanceof Number n) {
            d = n.doubleValue();
        } else {
            try {
                // YAML 1.1 reads 1e-3 (no dot) as text; accept it as the number it obviously is.
                d = Double.parseDouble(value.toString().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(where.file(), where.keyPath(), "expected a number, found '" + value + "'");
            }
        }
        if (!Double.isFinite(d)) {
            throw new ConfigException(where.file(), where.keyPath(), "expected a finite number, found '" + value + "'");
        }
        return d;
    }

    private static long toLong(Object value, String path, ConfigSection parent, long min, long max) {
        long v;
        if (value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
            if (value instanceof java.math.BigInteger big && big.bitLength() > 63) {
                throw parent.error(path, "the number " + value + " is too large");
            }
            v = ((Number) value).longValue();
        } else {
            String text = value.toString().trim();
            try {
                v = Long.parseLong(text.replace("_", ""));
            } catch (NumberFormatException e) {
                double d;
                try {
                    d = Double.parseDouble(text);
                } catch (NumberFormatException e2) {
                    throw parent.error(path, "expected a whole number, found '" + value + "'");
                }
                if (d != Math.rint(d) || Math.abs(d) > 9.0e15) {
                    throw parent.error(path, "expected a whole number, found '" + value + "'");
                }
                v = (long) d;
            }
        }
        if (v < min || v > max) {
            throw parent.error(path, "the number " + v + " is out of range [" + min + ", " + max + "]");
        }
        return v;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported parameter type " + type);
    }

    private static List<String> enumNames(Class<?> enumType) {
        return Arrays.stream(enumType.getEnumConstants())
                .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.toList());
    }

    /** A human description of a parameter type, for messages and {@code plugins describe}. */
    public static String describeType(Type type) {
        Class<?> raw = rawClass(type);
        if (raw == double.class || raw == Double.class) {
            return "number";
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "integer";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "boolean";
        }
        if (raw == String.class) {
            return "text";
        }
        if (raw.isEnum()) {
            return "one of " + String.join(" | ", enumNames(raw));
        }
        if (raw == double[].class) {
            return "list of numbers";
        }
        if (raw == int[].class) {
            return "list of integers";
        }
        if (raw == List.class) {
            return "list of " + describeType(((ParameterizedType) type).getActualTypeArguments()[0]);
        }
        if (raw.isRecord()) {
            return Arrays.stream(raw.getRecordComponents()).map(ParameterBinder::keyOf)
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return raw.getSimpleName();
    }

    /** One parameter as {@code plugins describe} shows it. */
    public record Parameter(String key, String type, String defaultValue, String doc) {
        public boolean required() {
            return defaultValue == null;
        }
    }

    /** The parameters of a record, in declaration order (nested records flattened as {@code key.sub}). */
    public static List<Parameter> describe(Class<? extends Record> type) {
        List<Parameter> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Default def = c.getAnnotation(Default.class);
            Doc doc = c.getAnnotation(Doc.class);
            // A file path is text too, but says so: `plugins describe npy` shows `path  path`.
            String typeText = c.isAnnotationPresent(FilePath.class) && c.getType() == String.class ? "path"
                    : describeType(c.getGenericType());
            out.add(new Parameter(keyOf(c), typeText, def == null ? null : def.value(),
                    doc == null ? "" : doc.value()));
        }
        return out;
    }
}
