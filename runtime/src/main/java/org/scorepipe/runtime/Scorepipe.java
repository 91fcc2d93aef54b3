package org.scorepipe.runtime;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.assembly.PipelineAssembler;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.LocalRunner;
import org.scorepipe.runtime.run.RunDirectory;
import org.scorepipe.runtime.run.RunListener;
import org.scorepipe.runtime.run.RunLog;

/** What the command line does, as a library: validate and run pipeline files. */
public final class Scorepipe {
    private static final Logger LOG = LogManager.getLogger(Scorepipe.class);

    private final ComponentRegistry registry;

    public Scorepipe(ComponentRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    public ComponentRegistry registry() {
        return registry;
    }

    /** Builds every component of the pipeline without running it; throws on any mistake. */
    public Pipeline validate(Path file, List<String> overrides) {
        return new PipelineAssembler(registry).assemble(PipelineFile.load(file, overrides), DISCARD);
    }

    /**
     * How to run a pipeline file.
     *
     * @param file the pipeline
     * @param overrides {@code key=value} overrides
     * @param out the run directory, or empty for a fresh one under {@code runsRoot}
     * @param runsRoot where fresh run directories go
     */
    public record RunRequest(Path file, List<String> overrides, Optional<Path> out, Path runsRoot) {
        public RunRequest {
            requireNonNull(file, "file is null");
            overrides = List.copyOf(overrides);
            requireNonNull(out, "out is null");
            requireNonNull(runsRoot, "runsRoot is null");
        }
    }

    /** A finished stage. */
    public record StageResult(String name, String type, long steps, int particles, Duration elapsed) {
        public double particleStepsPerSecond() {
            return RunDirectory.throughput(steps, particles, elapsed);
        }
    }

    /** An evaluation a stage recorded. */
    public record Evaluation(String stage, double time, Metrics metrics) {
    }

    /** What a run produced. */
    public record RunResult(Path directory, PipelineSpec spec, int threads, List<StageResult> stages, List<Evaluation> evaluations) {
    }

    /** Validates, creates the run directory, runs every stage, and writes the outputs. */
    public RunResult run(RunRequest request) {
        PipelineFile file = PipelineFile.load(request.file(), request.overrides());
        List<Evaluation> evaluations = new ArrayList<>();
        DeferredOutputs outputs = new DeferredOutputs(evaluations);
        Pipeline pipeline = new PipelineAssembler(registry).assemble(file, outputs);
        PipelineSpec spec = pipeline.spec();
        RunDirectory dir = request.out().map(RunDirectory::at).orElseGet(() -> RunDirectory.fresh(request.runsRoot(), spec.name()));
        dir.open(spec, file.toYaml());
        outputs.target = dir;
        LocalRunner runner = new LocalRunner(pipeline.runner().threads(), pipeline.runner().blockSize());
        List<StageResult> stages = new ArrayList<>();
        try (RunLog log = RunLog.attach(dir.path().resolve("run.log"))) {
            LOG.info("run {} of {} (seed {}, {} particles, d = {}) on {} threads, blocks of {}", dir.path(), request.file(),
                    spec.seed(), spec.particles(), spec.dimension(), runner.threads(), pipeline.runner().blockSize());
            Particles particles = new Particles(spec.particles(), spec.dimension());
            try {
                runner.run(pipeline, particles, new RunListener() {
                    @Override
                    public void stageStarted(PlannedStage stage, long steps) {
                        LOG.info("stage {} ({}): {} steps", stage.name(), stage.type(), steps);
                    }

                    @Override
                    public void stageFinished(PlannedStage stage, long steps, int n, Duration elapsed) {
                        StageResult result = new StageResult(stage.name(), stage.type(), steps, n, elapsed);
                        stages.add(result);
                        dir.recordStage(stage.name(), stage.type(), steps, n, elapsed);
                        LOG.info("stage {} done in {} s ({} particle-steps/s), t = {}", stage.name(),
                                String.format("%.3f", elapsed.toNanos() / 1e9), String.format("%.4g", result.particleStepsPerSecond()),
                                particles.time());
                    }
                });
            } catch (ScorepipeException e) {
                LOG.error(e.getMessage());
                throw e;
            }
            LOG.info("run finished: {}", dir.path());
        }
        return new RunResult(dir.path(), spec, runner.threads(), stages, evaluations);
    }

    /** Outputs for validation: the stages are built, never run. */
    private static final RunOutputs DISCARD = new RunOutputs() {
        @Override
        public void recordMetrics(String stage, double time, Metrics metrics) {
        }

        @Override
        public void saveSamples(String stage, String fileName, Particles particles) {
        }
    };

    /** Outputs whose directory is chosen after the pipeline has been built and validated. */
    private static final class DeferredOutputs implements RunOutputs {
        private final List<Evaluation> evaluations;
        private volatile RunDirectory target;

        DeferredOutputs(List<Evaluation> evaluations) {
            this.evaluations = evaluations;
        }

        @Override
        public synchronized void recordMetrics(String stage, double time, Metrics metrics) {
            evaluations.add(new Evaluation(stage, time, metrics));
            LOG.info("metrics of {} at t = {}: {}", stage, time, metrics);
            target.recordMetrics(stage, time, metrics);
        }

        @Override
        public void saveSamples(String stage, String fileName, Particles particles) {
            target.saveSamples(stage, fileName, particles);
            LOG.info("stage {} wrote {}", stage, fileName);
        }
    }
}
