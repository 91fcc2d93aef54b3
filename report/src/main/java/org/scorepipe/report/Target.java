package org.scorepipe.report;

import java.util.List;
import java.util.Optional;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.runtime.assembly.PipelineAssembler;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.plugins.ComponentRegistry;

/**
 * The run's target, rebuilt from its {@code config.yaml}: the shared data source under
 * {@code components:} (the one named {@code data} when there are several, else the first), built by the
 * pipeline assembler with the components it uses and nothing else
 * ({@link PipelineAssembler#shared}). A report uses it to draw reference samples and, for a
 * Gaussian mixture, its density.
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
        PipelineAssembler.SharedComponents shared;
        try {
            shared = new PipelineAssembler(registry).shared(file);
        } catch (RuntimeException e) {
            problems.add("the config could not be read (" + e.getMessage() + "), so the report draws no target");
            return Optional.empty();
        }
        List<String> names = shared.names(ComponentKind.DATA_SOURCE);
        if (names.isEmpty()) {
            problems.add("no shared data source under components:, so the report draws no target");
            return Optional.empty();
        }
        String chosen = names.size() == 1 ? names.get(0) : names.contains("data") ? "data" : names.get(0);
        if (names.size() > 1 && !chosen.equals("data")) {
            problems.add("several shared data sources " + names + " and none named data: the report's target is the first, "
                    + chosen);
        }
        try {
            DataSource data = (DataSource) shared.get(chosen);
            Optional<MixtureDensity> density = data.gaussianMixture().map(MixtureDensity::new);
            return Optional.of(new Target(data, shared.spec(), density));
        } catch (RuntimeException e) {
            problems.add("the data source '" + chosen + "' could not be rebuilt: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code n} samples of the target from the run's seed at {@link #REPORT_STAGE}. */
    Particles sample(int n) {
        Particles particles = new Particles(n, data.dimension());
        data.sample(particles.all(), PhiloxNoise.of(spec.seed(), REPORT_STAGE, 0));
        return particles;
    }
}
