package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named results of an evaluation, in insertion order: numbers and vectors of numbers.
 * Immutable once built.
 */
public final class Metrics {
    private final Map<String, Object> values;

    private Metrics(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Each value is a {@code Double} or a {@code double[]} (do not modify it). */
    public Map<String, Object> values() {
        return values;
    }

    public double number(String name) {
        Object v = values.get(name);
        if (!(v instanceof Double d)) {
            throw new IllegalArgumentException("no number named " + name + " in " + values.keySet());
        }
        return d;
    }

    public double[] vector(String name) {
        Object v = values.get(name);
        if (!(v instanceof double[] a)) {
            throw new IllegalArgumentException("no vector named " + name + " in " + values.keySet());
        }
        return a.clone();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        values.forEach((k, v) -> {
            if (s.length() > 1) {
                s.append(", ");
            }
            s.append(k).append('=').append(v instanceof double[] a ? java.util.Arrays.toString(a) : v);
        });
        return s.append('}').toString();
    }

    /** Collects values; names must be unique. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Builder put(String name, double value) {
            return add(name, value);
        }

        public Builder put(String name, double[] value) {
            return add(name, requireNonNull(value, "value is null").clone());
        }

        public Builder putAll(Metrics other) {
            other.values.forEach(this::add);
            return this;
        }

        private Builder add(String name, Object value) {
            requireNonNull(name, "name is null");
            if (values.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException("metric " + name + " recorded twice");
            }
            return this;
        }

        public Metrics build() {
            return new Metrics(values);
        }
    }
}
