package org.scorepipe.report;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.plugins.ComponentType;

/**
 * The run's target, rebuilt from its {@code config.yaml}: the shared data source under
 * {@code components:} (the one named {@code data} when there are several), bound and constructed
 * from the plugins on the class path exactly as the runtime does, without building the rest of
 * the pipeline. A report uses it to draw reference samples and, for a Gaussian mixture, its
 * density; a data source whose constructor needs more than its parameters and the pipeline
 * settings is not rebuilt, and the report says so.
 *
 * @param data the data source
 * @param spec the pipeline settings it was built with
 * @param density the closed-form density, when the data source is a Gaussian mixture
 */
record Target(DataSource data, PipelineSpec spec, Optional<MixtureDensity> density) {
    /** Stage index of the noise that report samples are drawn with: none a pipeline reaches. */
    static final int REPORT_STAGE = Integer.MAX_VALUE;

    /** The target of {@code file}, or empty with the reason in {@code problems}. */
    static Optional<Target> rebuild(PipelineFile file, ComponentRegistry registry, List<String> problems) {
        ConfigSection root = file.root();
        Optional<ConfigSection> pipeline = root.section("pipeline");
        Optional<ConfigSection> components = root.section("components");
        if (pipeline.isEmpty() || components.isEmpty() || !components.get().isMap()) {
            problems.add("the config has no shared components, so the report draws no target");
            return Optional.empty();
        }
        PipelineSpec spec;
        try {
            ConfigSection p = pipeline.get();
            spec = new PipelineSpec(p.string("name"), Long.parseLong(p.string("seed").trim()),
                    Integer.parseInt(p.string("particles").trim()), Integer.parseInt(p.string("dimension").trim()));
        } catch (RuntimeException e) {
            problems.add("the config's pipeline section is unreadable (" + e.getMessage() + ")");
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        List<ComponentType> types = new ArrayList<>();
        for (String name : components.get().children().keySet()) {
            ConfigSection section = components.get().section(name).orElseThrow();
            if (!section.isMap() || !section.has("type")) {
                continue;
            }
            Optional<String> kind = section.optionalString("kind");
            if (kind.isPresent() && !kind.get().equals(ComponentKind.DATA_SOURCE.cliName())) {
                continue;
            }
            registry.find(ComponentKind.DATA_SOURCE, section.string("type")).ifPresent(t -> {
                names.add(name);
                types.add(t);
            });
        }
        if (names.isEmpty()) {
            problems.add("no shared data source under components:, so the report draws no target");
            return Optional.empty();
        }
        int chosen = names.size() == 1 ? 0 : names.indexOf("data");
        if (chosen < 0) {
            problems.add("several shared data sources " + names + " and none named data; the report draws no target");
            return Optional.empty();
        }
        ComponentType type = types.get(chosen);
        ConfigSection section = components.get().section(names.get(chosen)).orElseThrow();
        try {
            DataSource data = construct(type, section, spec);
            Optional<MixtureDensity> density = data.gaussianMixture().map(MixtureDensity::new);
            return Optional.of(new Target(data, spec, density));
        } catch (RuntimeException e) {
            problems.add("the data source '" + names.get(chosen) + "' could not be rebuilt: " + e.getMessage());
            return Optional.empty();
        }
    }

    private static DataSource construct(ComponentType type, ConfigSection section, PipelineSpec spec) {
        Constructor<?> constructor = type.constructor();
        Class<?>[] parameters = constructor.getParameterTypes();
        Object[] arguments = new Object[parameters.length];
        for (int i = 0; i < parameters.length; i++) {
            if (type.params().isPresent() && parameters[i] == type.params().get()) {
                arguments[i] = ParameterBinder.bind(type.params().get(), section, Set.of("type", "kind"));
            } else if (parameters[i] == PipelineSpec.class) {
                arguments[i] = spec;
            } else {
                throw new IllegalArgumentException("its constructor also needs a " + parameters[i].getSimpleName()
                        + ", which only a full pipeline provides");
            }
        }
        try {
            return (DataSource) constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException(cause == null ? e.toString() : cause.getMessage(), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(e.toString(), e);
        }
    }

    /** {@code n} samples of the target from the run's seed at {@link #REPORT_STAGE}. */
    Particles sample(int n) {
        Particles particles = new Particles(n, data.dimension());
        data.sample(particles.all(), PhiloxNoise.of(spec.seed(), REPORT_STAGE, 0));
        return particles;
    }
}
