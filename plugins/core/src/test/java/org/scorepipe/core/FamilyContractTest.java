package org.scorepipe.core;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Default;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.plugins.ComponentType;
import org.scorepipe.testkit.Contracts;
import org.scorepipe.testkit.GaussianTarget;

/**
 * The test kit's contracts on every predictor and corrector the registry finds on the class path,
 * so a new component is tested without editing this class. Each is built as a pipeline would
 * build it: its parameter record from the {@code @Default} values, with the {@link #REQUIRED}
 * table filling (or, for a {@code 0} meaning "absent", overriding) parameters by name; its
 * collaborators from the kit's Gaussian target. A component this cannot build fails by name.
 */
class FamilyContractTest {
    /** Values for parameters without a usable default, by record component name. */
    private static final Map<String, String> REQUIRED = Map.of("step", "0.01");

    private static final ComponentRegistry REGISTRY = ComponentRegistry.discover(FamilyContractTest.class.getClassLoader());

    @TestFactory
    Stream<DynamicTest> everyPredictor() {
        List<ComponentType> types = REGISTRY.ofKind(ComponentKind.PREDICTOR);
        assertTrue(types.stream().anyMatch(c -> c.name().equals("euler-maruyama")), "the registry found no core predictors: " + types);
        return types.stream().flatMap(c -> Contracts.predictor(c.name(), g -> (Predictor) build(c, g)));
    }

    @TestFactory
    Stream<DynamicTest> everyCorrector() {
        List<ComponentType> types = REGISTRY.ofKind(ComponentKind.CORRECTOR);
        assertTrue(types.stream().anyMatch(c -> c.name().equals("langevin")), "the registry found no core correctors: " + types);
        return types.stream().flatMap(c -> Contracts.corrector(c.name(), g -> (Corrector) build(c, g)));
    }

    private static Object build(ComponentType type, GaussianTarget g) {
        Constructor<?> constructor = type.constructor();
        Class<?>[] kinds = constructor.getParameterTypes();
        Object[] args = new Object[kinds.length];
        for (int i = 0; i < kinds.length; i++) {
            Class<?> k = kinds[i];
            if (k == NoisingPath.class) {
                args[i] = g.path();
            } else if (k == ScoreProvider.class) {
                args[i] = g.score();
            } else if (k == TimeGrid.class) {
                args[i] = g.grid();
            } else if (type.params().isPresent() && k == type.params().get()) {
                args[i] = params(type, type.params().get());
            } else {
                fail(type.kind() + " " + type.name() + ": the family test cannot supply a " + k.getName()
                        + " to its constructor; teach FamilyContractTest.build this collaborator");
            }
        }
        try {
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new AssertionError(type.kind() + " " + type.name() + " refused its test parameters "
                    + Arrays.toString(args) + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(type.kind() + " " + type.name() + ": cannot call its constructor: " + e, e);
        }
    }

    private static Record params(ComponentType type, Class<? extends Record> record) {
        RecordComponent[] parts = record.getRecordComponents();
        Object[] values = new Object[parts.length];
        Class<?>[] kinds = new Class<?>[parts.length];
        for (int i = 0; i < parts.length; i++) {
            RecordComponent p = parts[i];
            kinds[i] = p.getType();
            Default d = p.getAnnotation(Default.class);
            String text = REQUIRED.containsKey(p.getName()) && (d == null || d.value().equals("0"))
                    ? REQUIRED.get(p.getName()) : d == null ? null : d.value();
            if (text == null) {
                fail(type.kind() + " " + type.name() + ": parameter " + p.getName() + " has no @Default; add a value"
                        + " for it to FamilyContractTest.REQUIRED");
            }
            values[i] = parse(type, p, text);
        }
        try {
            return record.getDeclaredConstructor(kinds).newInstance(values);
        } catch (InvocationTargetException e) {
            throw new AssertionError(type.kind() + " " + type.name() + " refused parameters " + Arrays.toString(values)
                    + ": " + e.getCause().getMessage() + "; fix FamilyContractTest.REQUIRED", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(type.kind() + " " + type.name() + ": cannot build " + record.getName() + ": " + e, e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object parse(ComponentType type, RecordComponent p, String text) {
        Class<?> k = p.getType();
        String s = text.trim();
        if (k == double.class || k == Double.class) {
            return Double.parseDouble(s);
        } else if (k == int.class || k == Integer.class) {
            return Integer.parseInt(s);
        } else if (k == long.class || k == Long.class) {
            return Long.parseLong(s);
        } else if (k == boolean.class || k == Boolean.class) {
            return Boolean.parseBoolean(s);
        } else if (k == String.class) {
            return s.isEmpty() ? null : s;
        } else if (k.isEnum()) {
            for (Object constant : k.getEnumConstants()) {
                if (((Enum) constant).name().equalsIgnoreCase(s.replace('-', '_'))) {
                    return constant;
                }
            }
        } else if (k == double[].class) {
            String inner = s.replaceAll("[\\[\\]]", "").trim();
            return inner.isEmpty() ? new double[0] : Arrays.stream(inner.split(",")).mapToDouble(Double::parseDouble).toArray();
        }
        throw new AssertionError(type.kind() + " " + type.name() + ": parameter " + p.getName() + " of type "
                + k.getSimpleName() + " with value '" + text + "' is not one FamilyContractTest.parse reads; teach it");
    }
}
