package org.scorepipe.runtime.plugins;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.StageSpec;

/**
 * One parameter of a component's {@code @Inject} constructor, classified by what the runtime
 * provides for it. This is the one statement of what a constructor may ask for: the registry
 * classifies every parameter when it registers a component (and refuses the component with
 * {@link #RULE} when one fits no case), and the pipeline assembler provides each by its case.
 */
public sealed interface ConstructorParameter {
    /** What a component's constructor may ask for, for messages. */
    String RULE = "a component may ask for its parameter record, PipelineSpec, BuildNoise, StageSpec (stages only),"
            + " another component by its kind's interface (e.g. ScoreProvider), Optional<kind> and List<kind>";

    /** The component's parameter record, bound from its config section. */
    record Params(Class<? extends Record> type) implements ConstructorParameter {
        public Params {
            requireNonNull(type, "type is null");
        }
    }

    /** A value of the run the component is built for: {@link PipelineSpec}, {@link BuildNoise} or {@link StageSpec}. */
    record RunValue(Class<?> type) implements ConstructorParameter {
        public RunValue {
            requireNonNull(type, "type is null");
        }
    }

    /**
     * A collaborator of {@code kind}, named in the component's section under the kind's key
     * ({@code score: ...}) or, for a list, under its plural ({@code evaluators: [...]}).
     */
    record Collaborator(ComponentKind kind, Arity arity) implements ConstructorParameter {
        public Collaborator {
            requireNonNull(kind, "kind is null");
            requireNonNull(arity, "arity is null");
        }

        /** The key of the component's section that names the collaborator: the kind's key, or its plural for a list. */
        public String key() {
            return arity == Arity.LIST ? kind.key() + "s" : kind.key();
        }
    }

    /** How many collaborators a parameter takes: {@code T}, {@code Optional<T>} or {@code List<T>}. */
    enum Arity { ONE, OPTIONAL, LIST }

    /**
     * Classifies {@code parameter} of the constructor of {@code component}, a component of
     * {@code owner}'s kind.
     *
     * @throws IllegalArgumentException if the runtime provides nothing for it, saying why
     */
    static ConstructorParameter of(Type parameter, Class<?> component, ComponentKind owner) {
        Class<?> raw = parameter instanceof ParameterizedType p ? (Class<?>) p.getRawType()
                : parameter instanceof Class<?> c ? c : Object.class;
        if (raw == PipelineSpec.class || raw == BuildNoise.class) {
            return new RunValue(raw);
        }
        if (raw == StageSpec.class) {
            if (owner != ComponentKind.STAGE) {
                throw new IllegalArgumentException("its constructor asks for a StageSpec, which only a stage is given");
            }
            return new RunValue(raw);
        }
        if (raw.isRecord()) {
            if (raw.getDeclaringClass() != component) {
                throw new IllegalArgumentException("its constructor asks for the record " + raw.getName()
                        + ", which is not nested in it; declare the parameter record inside the component class");
            }
            return new Params(raw.asSubclass(Record.class));
        }
        if (raw == Optional.class || raw == List.class) {
            Optional<ComponentKind> kind = parameter instanceof ParameterizedType p ? kindOf(p.getActualTypeArguments()[0])
                    : Optional.empty();
            if (kind.isPresent()) {
                return new Collaborator(kind.get(), raw == Optional.class ? Arity.OPTIONAL : Arity.LIST);
            }
        } else if (parameter instanceof Class<?>) {
            Optional<ComponentKind> kind = kindOf(raw);
            if (kind.isPresent()) {
                return new Collaborator(kind.get(), Arity.ONE);
            }
        }
        throw new IllegalArgumentException("its constructor asks for " + parameter.getTypeName()
                + ", which the runtime cannot provide; " + RULE);
    }

    private static Optional<ComponentKind> kindOf(Type type) {
        for (ComponentKind kind : ComponentKind.values()) {
            if (kind.type().equals(type)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }
}
