package org.scorepipe.runtime;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.assembly.PipelineAssembler;
import org.scorepipe.runtime.assembly.PipelineSections;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.checkpoint.Compatibility;
import org.scorepipe.runtime.config.ConfigTrees;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.run.Counts;
import org.scorepipe.runtime.run.Execution;
import org.scorepipe.runtime.run.ExtendingRunner;
import org.scorepipe.runtime.run.LocalRunner;
import org.scorepipe.runtime.run.RunControl;
import org.scorepipe.runtime.run.RunDirectory;
import org.scorepipe.runtime.run.RunListener;
import org.scorepipe.runtime.run.RunLog;
import org.scorepipe.runtime.run.Runner;
import org.scorepipe.runtime.run.Runners;

/** What the command line does, as a library: validate, run, resume and extend pipelines. */
public final class Scorepipe {
    private static final Logger LOG = LogManager.getLogger(Scorepipe.class);

    private final ComponentRegistry registry;
    private final java.util.Map<String, String> runnerOptions;
    private final Optional<Path> pluginFolder;
    private final Runners runners;

    public Scorepipe(ComponentRegistry registry) {
        this(registry, java.util.Map.of(), Optional.empty());
    }

    private Scorepipe(ComponentRegistry registry, java.util.Map<String, String> runnerOptions, Optional<Path> pluginFolder) {
        this.registry = requireNonNull(registry, "registry is null");
        this.runnerOptions = java.util.Map.copyOf(runnerOptions);
        this.pluginFolder = requireNonNull(pluginFolder, "pluginFolder is null");
        this.runners = new Runners(runnerOptions, pluginFolder);
    }

    /** The same runtime, passing {@code options} ({@code --conf key=value}) to the runner it makes. */
    public Scorepipe withRunnerOptions(java.util.Map<String, String> options) {
        return new Scorepipe(registry, options, pluginFolder);
    }

    /**
     * The same runtime, telling the runners it makes that the registry's plugins came from
     * {@code folder} too: a distributed runner ships it to its executors.
     */
    public Scorepipe withPluginFolder(Optional<Path> folder) {
        return new Scorepipe(registry, runnerOptions, folder);
    }

    public ComponentRegistry registry() {
        return registry;
    }

    /** Builds every component of the pipeline without running it; throws on any mistake. */
    public Pipeline validate(Path file, List<String> overrides) {
        return validate(PipelineFile.load(file, overrides));
    }

    /** Builds every component of the pipeline without running it; throws on any mistake. */
    public Pipeline validate(PipelineFile file) {
        return requireHeap(file, new PipelineAssembler(registry).assemble(file));
    }

    /**
     * {@code pipeline}, if this JVM's heap can hold its ensemble when it runs here (the local
     * runner); else a message saying how much it needs, before anything is written. A distributed
     * runner keeps the ensemble on its executors, and refuses what would gather it into a heap too
     * small when it comes to it.
     */
    private static Pipeline requireHeap(PipelineFile file, Pipeline pipeline) {
        if (!pipeline.runner().type().equals("local")) {
            return pipeline;
        }
        PipelineSpec spec = pipeline.spec();
        long bytes = (long) spec.particles() * spec.dimension() * Double.BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new ScorepipeException(file.name() + ": pipeline.particles: " + spec.particles() + " particles in "
                    + spec.dimension() + " dimensions need " + (bytes >> 20) + " MiB for their coordinates alone, more than"
                    + " this JVM's heap of " + (heap >> 20) + " MiB: use fewer particles, or give Java more memory"
                    + " (e.g. SCOREPIPE_JAVA_OPTS=-Xmx" + Math.max(1, (2 * bytes >> 30) + 1) + "g)");
        }
        return pipeline;
    }

    /**
     * How to run a pipeline file.
     *
     * @param file the pipeline
     * @param overrides {@code key=value} overrides
     * @param out the run directory, or empty for a fresh one under {@code runsRoot}
     * @param runsRoot where fresh run directories go
     * @param from a checkpoint to branch from, or empty to start afresh
     */
    public record RunRequest(Path file, List<String> overrides, Optional<Path> out, Path runsRoot, Optional<Path> from) {
        public RunRequest {
            requireNonNull(file, "file is null");
            overrides = List.copyOf(overrides);
            requireNonNull(out, "out is null");
            requireNonNull(runsRoot, "runsRoot is null");
            requireNonNull(from, "from is null");
        }

        public RunRequest(Path file, List<String> overrides, Optional<Path> out, Path runsRoot) {
            this(file, overrides, out, runsRoot, Optional.empty());
        }
    }

    /** A finished (or partly run) stage: its time in all, and the part its curve points took. */
    public record StageResult(String name, String type, long steps, int particles, Duration elapsed, Duration evaluations) {
        /** The stage's own pace: without the time of its curve points. */
        public double particleStepsPerSecond() {
            return RunDirectory.throughput(steps, particles, elapsed.minus(evaluations));
        }
    }

    /** An evaluation a stage recorded. */
    public record Evaluation(String stage, double time, Metrics metrics) {
    }

    /**
     * What a run produced.
     *
     * @param stopped whether it stopped early (a stop request) rather than finishing
     * @param position where it stands: "the end of the run" or the stage and step it stopped at
     * @param checkpoint the newest checkpoint written, if any
     * @param alreadyFinished whether a resume found the run finished, and ran nothing
     */
    public record RunResult(Path directory, PipelineSpec spec, String runner, List<StageResult> stages,
            List<Evaluation> evaluations, boolean stopped, String position, Optional<String> checkpoint, boolean alreadyFinished) {
    }

    /** Validates, creates the run directory, runs every stage (or those after {@code from}), and writes the outputs. */
    public RunResult run(RunRequest request, RunControl control) {
        PipelineFile file = PipelineFile.load(request.file(), identify(request.overrides(), RunDirectory.newRunId()));
        // A sharded checkpoint stays a manifest: the runner reads its shards where it keeps its ranges.
        Optional<Checkpoint> from = request.from().map(CheckpointStore::readManifest);
        Pipeline pipeline = validate(file);
        from.ifPresent(c -> Compatibility.check(c, request.from().get().toString(), pipeline, pipeline.config()));
        PipelineSpec spec = pipeline.spec();
        RunDirectory dir = request.out().map(RunDirectory::at).orElseGet(() -> RunDirectory.fresh(request.runsRoot(), spec.name()));
        // The runner first: an unknown runner or an unreachable cluster must leave no run directory behind.
        try (Runner runner = runners.create(pipeline, pipeline.config().toYaml()); dir) {
            dir.open(spec, pipeline.config().toYaml(), "run");
            Optional<CheckpointFolder> shards = request.from().map(f -> CheckpointFolder.local(f.toAbsolutePath().getParent()));
            return execute(new Session(pipeline, dir, runner, checkpoints(pipeline, dir)), from.map(c -> new From(c, shards)),
                    control, log -> {
                log.info("run {} of {} (seed {}, {} particles, d = {})", dir.path(), request.file(), spec.seed(), spec.particles(),
                        spec.dimension());
                request.from().ifPresent(f -> log.info("branched from {} at {}", f, from.get().position()));
            });
        }
    }

    /**
     * Grows a finished run to {@code particles} particles in a new run directory: particles
     * {@code n .. particles-1} are computed, the first {@code n} are the finished run's (read from
     * its stage-boundary checkpoints), and every output equals that of a run with {@code particles}
     * particles from the start, byte for byte, since a particle's noise depends only on its index
     * ({@link ExtendingRunner}). The finished run is only read. Refused, with the reason, for a
     * pipeline whose result for a particle depends on the others (a whole-ensemble stage that moves
     * particles, such as adaptive-flow), with curves inside stages, or with counting components (their
     * totals exist only per stage end of the finished run). It runs on the local runner or on Spark
     * (the finished run's runner unless {@code runnerOverrides}, {@code runner.*} keys, say otherwise);
     * the runner's settings never change a byte.
     */
    public RunResult extend(Path runDirectory, int particles, Optional<Path> out, Path runsRoot, List<String> runnerOverrides,
            RunControl control) {
        PipelineFile own = PipelineFile.load(runDirectory.resolve("config.yaml"), List.of());
        String finishedId = PipelineSections.runId(own);
        for (String override : runnerOverrides) {
            if (!override.startsWith("runner.")) {
                throw new IllegalArgumentException("extend changes the runner's settings only, not " + override);
            }
        }
        CheckpointStore finished = runners.checkpointStore(PipelineSections.runnerType(own), PipelineSections.checkpointDir(own),
                runDirectory, Integer.MAX_VALUE, finishedId);
        Checkpoint end = finished.newestValid().map(CheckpointStore.Found::checkpoint)
                .filter(c -> c.step() == 0 && c.stage() == c.stageNames().size())
                .orElseThrow(() -> new ScorepipeException(runDirectory + " has no checkpoint at the end of the run in "
                        + finished.location() + ": extend needs a finished run with its stage-boundary checkpoints (checkpoints on)"));
        int n = end.n();
        if (particles <= n) {
            throw new ScorepipeException("--particles " + particles + " does not grow " + runDirectory + ", which has " + n
                    + " particles; give more than " + n);
        }
        String runId = RunDirectory.newRunId();
        List<String> grown = new ArrayList<>(List.of("pipeline.particles=" + particles, "checkpoint.every=0"));
        grown.addAll(runnerOverrides);
        List<String> overrides = identify(grown, runId);
        Pipeline pipeline = validate(PipelineFile.load(runDirectory.resolve("config.yaml"), overrides));
        for (Pipeline.Entry entry : pipeline.entries()) {
            if (!(entry instanceof PlannedStage stage)) {
                continue; // an observer sees the grown ensemble at its point, as a run with all the particles does
            }
            String why = stage.stage().wholeEnsemble()
                    ? "moves particles with the whole ensemble at once (a particle's result depends on the others)"
                    : stage.curve().isPresent() ? "records a curve inside the stage (every:), where the finished particles are not known"
                    : !Counts.counting(stage).isEmpty() ? "uses a counting component (" + Counts.counting(stage).values()
                            + "), whose totals the finished run keeps only at its end"
                    : null;
            if (why != null) {
                throw new ScorepipeException("stage '" + stage.name() + "' " + why + ", so the run cannot be extended exactly;"
                        + " run the pipeline again with --set pipeline.particles=" + particles);
            }
        }
        Compatibility.checkGrown(end, finished.location(), pipeline, pipeline.config());
        IntFunction<Checkpoint> boundary = stage -> {
            Checkpoint c = finished.atStageStart(stage).orElseThrow(() -> new ScorepipeException(finished.location()
                    + " has no checkpoint at the start of stage " + stage + ", which extend needs: stage-boundary checkpoints"
                    + " are kept unless removed by hand"));
            if (c.n() != n || !c.stageHashes().equals(end.stageHashes())) {
                throw new ScorepipeException(finished.location() + ": the checkpoint at the start of stage " + stage
                        + " is not of this run's pipeline (" + c.n() + " particles)");
            }
            return c;
        };
        PipelineSpec spec = pipeline.spec();
        RunDirectory dir = out.map(RunDirectory::at).orElseGet(() -> RunDirectory.fresh(runsRoot, spec.name()));
        Pipeline.RunnerSettings settings = pipeline.runner();
        Runner extending;
        if (settings.type().equals("local")) {
            Map<Integer, double[]> boundaries = new HashMap<>();
            extending = new ExtendingRunner(new LocalRunner(settings.threads(), settings.blockSize()), n,
                    s -> boundaries.computeIfAbsent(s, stage -> finished.whole(boundary.apply(stage)).particles()));
        } else {
            // The runner first, as for a run: an unreachable cluster must leave no run directory behind.
            extending = runners.create(pipeline, pipeline.config().toYaml());
            try {
                extending.extendFinished(n, finished.folder(), boundary);
            } catch (UnsupportedOperationException e) {
                extending.close();
                throw new ScorepipeException("extend: " + e.getMessage() + "; extend with --runner local or --runner spark");
            }
        }
        try (Runner runner = extending; dir) {
            dir.open(spec, pipeline.config().toYaml(), "extend");
            return execute(new Session(pipeline, dir, runner, checkpoints(pipeline, dir)), Optional.empty(), control, log -> log.info(
                    "extend {} ({} particles) to {} particles in {}", runDirectory, n, particles, dir.path()));
        }
    }

    /**
     * Continues a run in its directory from its newest valid checkpoint, with its own config or
     * with {@code newConfig}, which may change the stage in progress and later ones.
     */
    public RunResult resume(Path runDirectory, Optional<Path> newConfig, List<String> overrides, RunControl control) {
        // The lock first: nothing of the run is read or written while another process may be writing it.
        try (RunDirectory dir = RunDirectory.existing(runDirectory, "resume")) {
            // The run's config.yaml (or the new config) says where the checkpoints are; the newest valid
            // checkpoint holds the pipeline as it ran, which is the one resumed unless a new config replaces it.
            PipelineFile own = PipelineFile.load(runDirectory.resolve("config.yaml"), overrides);
            String runId = PipelineSections.runId(own);
            List<String> identified = identify(overrides, runId);
            Optional<PipelineFile> changed = newConfig.map(p -> PipelineFile.load(p, identified));
            PipelineFile current = changed.orElse(own);
            CheckpointStore found = runners.checkpointStore(PipelineSections.runnerType(current), PipelineSections.checkpointDir(current),
                    runDirectory, Integer.MAX_VALUE, runId);
            removeStaleTemporaries(found);
            // A sharded checkpoint's shards are checked here for presence and length only: whoever reads
            // its particles checks their checksums (on Spark, the executors), and one found damaged then is
            // refused and the next older tried, so no resume streams the whole ensemble through this JVM.
            List<CheckpointStore.Refused> refused = new ArrayList<>();
            while (true) {
                CheckpointStore.Found newest = found.newestValid(false, refused).orElseThrow(() -> new ScorepipeException(
                        "no checkpoint of this run in " + found.location() + ": nothing to resume from. Checkpoints are written"
                                + " at the end of every stage and every `checkpoint.every` steps; run the pipeline again with"
                                + " `scorepipe run`."));
                try {
                    return resumeFrom(dir, newest, found, changed, newConfig, overrides, control);
                } catch (Execution.UnreadableStart e) {
                    refused.add(new CheckpointStore.Refused(newest.name(), newest.location() + ": " + e.getMessage()));
                }
            }
        }
    }

    /** The resume from one checkpoint the store found. */
    private RunResult resumeFrom(RunDirectory dir, CheckpointStore.Found newest, CheckpointStore found, Optional<PipelineFile> changed, Optional<Path> newConfig, List<String> overrides, RunControl control) {
        Path runDirectory = dir.path();
        Checkpoint c = newest.checkpoint();
        PipelineFile original = PipelineFile.parse(runDirectory.resolve("config.yaml") + " (as checkpointed)", c.config(), overrides);
        Pipeline pipeline = validate(changed.orElse(original));
        Compatibility.check(c, newest.location(), pipeline, pipeline.config());
        dir.describe(pipeline.spec());
        if (c.finished() && newConfig.isEmpty()) {
            return finished(dir, pipeline, newest);
        }
        List<String> changes = newConfig.isPresent()
                ? ConfigTrees.diff("", original.withoutRunIdentity(), pipeline.config().withoutRunIdentity())
                : List.of();
        Optional<CheckpointStore> store = pipeline.checkpoint().enabled()
                ? Optional.of(found.keeping(pipeline.checkpoint().keep())) : Optional.empty();
        try (Runner runner = runners.create(pipeline, pipeline.config().toYaml())) {
            if (newConfig.isPresent()) {
                dir.writeConfig(pipeline.spec(), pipeline.config().toYaml());
            }
            return execute(new Session(pipeline, dir, runner, store), Optional.of(new From(c, Optional.of(found.folder()))), control,
                    log -> {
                        for (String skipped : newest.skipped()) {
                            log.warn("skipped a damaged or foreign checkpoint: {}", skipped);
                        }
                        log.info("resuming {} from {} at {}", dir.path(), newest.location(), c.position());
                        if (newConfig.isPresent()) {
                            log.info("with the changed pipeline {}: {}", newConfig.get(), changes.isEmpty() ? "no differences" : "");
                            changes.forEach(change -> log.info("  changed {}", change));
                        }
                    });
        }
    }

    /** A resume of a run whose newest checkpoint is at its end: nothing runs, the run's outputs stay as they are. */
    private RunResult finished(RunDirectory dir, Pipeline pipeline, CheckpointStore.Found found) {
        try (RunLog log = RunLog.attach(dir.path().resolve("run.log"))) {
            LOG.info("resume: {} is already finished ({}); nothing to do", dir.path(), found.location());
        }
        return new RunResult(dir.path(), pipeline.spec(), "nothing ran", List.of(), List.of(), false,
                "the end of the run", Optional.of(found.location()), true);
    }

    /**
     * {@code overrides} with the run's identity set ({@code run.id}, and {@code run.noise}, the
     * generator this scorepipe samples with): they are the run's, whatever the file said.
     */
    private List<String> identify(List<String> overrides, String runId) {
        List<String> all = new ArrayList<>(overrides);
        all.add("run.id=" + runId);
        all.add("run.noise=" + PhiloxNoise.GENERATOR);
        // The plugin folder the registry came from, recorded absolute, so that resume finds the same plugins.
        pluginFolder.ifPresent(folder -> all.add("plugins.dir=" + folder.toAbsolutePath().normalize()));
        return all;
    }

    private static void removeStaleTemporaries(CheckpointStore store) {
        try {
            org.scorepipe.runtime.run.AtomicFiles.removeStale(store.dir());
        } catch (IllegalStateException e) {
            // not a local folder: a Hadoop file system's temporaries are its own
        }
    }

    /**
     * A run being carried out, built once before anything runs: the validated pipeline, the run
     * directory its outputs go to, the runner that holds its particles, and where its checkpoints
     * go (empty with checkpoints off).
     */
    private record Session(Pipeline pipeline, RunDirectory dir, Runner runner, Optional<CheckpointStore> store) {
        Session {
            requireNonNull(pipeline, "pipeline is null");
            requireNonNull(dir, "dir is null");
            requireNonNull(runner, "runner is null");
            requireNonNull(store, "store is null");
        }
    }

    /**
     * The checkpoint a run continues from, and the folder it is in (a resume's store, or the
     * folder of the file {@code --from} names): a sharded one's particles are read from there by
     * the runner, where it keeps its ranges.
     */
    private record From(Checkpoint checkpoint, Optional<CheckpointFolder> shards) {
        From {
            requireNonNull(checkpoint, "checkpoint is null");
            if (checkpoint.sharded() && shards.isEmpty()) {
                throw new IllegalArgumentException("a sharded checkpoint needs the folder of its shards");
            }
        }
    }

    /** Where {@code pipeline}'s checkpoints go in {@code dir}'s run, or empty with checkpoints off. */
    private Optional<CheckpointStore> checkpoints(Pipeline pipeline, RunDirectory dir) {
        Pipeline.CheckpointSettings settings = pipeline.checkpoint();
        return settings.enabled()
                ? Optional.of(runners.checkpointStore(pipeline.runner().type(), settings.dir(), dir.path(), settings.keep(), pipeline.runId()))
                : Optional.empty();
    }

    private RunResult execute(Session session, Optional<From> from, RunControl control, Consumer<Logger> preamble) {
        Pipeline pipeline = session.pipeline();
        RunDirectory dir = session.dir();
        Runner runner = session.runner();
        Optional<CheckpointStore> store = session.store();
        PipelineSpec spec = pipeline.spec();
        Pipeline.CheckpointSettings settings = pipeline.checkpoint();
        store.ifPresent(Scorepipe::removeStaleTemporaries);
        RecordingOutputs outputs = new RecordingOutputs(dir);
        List<StageResult> stages = new ArrayList<>();
        String resolvedYaml = pipeline.config().toYaml();
        try (RunLog log = RunLog.attach(dir.path().resolve("run.log"))) {
            preamble.accept(LOG);
            boolean sharded = settings.sharded(runner.shardsCheckpoints());
            LOG.info("runner: {}; checkpoints: {}", runner.description(), store.isPresent()
                    ? (sharded ? "sharded, " : "") + "every " + settings.every() + " steps and at stage ends (the newest "
                            + settings.keep() + " within stages kept, and every one at a stage boundary) in "
                            + store.get().location() : "off");
            Particles particles = null;
            int startStage = 0;
            long startStep = 0;
            double stageStart = 0;
            double stageStartMaxAbs = 0;
            if (from.isPresent()) {
                Checkpoint c = from.get().checkpoint();
                if (!c.sharded()) {
                    particles = new Particles(c.n(), c.dimension(), c.firstIndex(), c.particles().clone(), c.time());
                }
                dir.restoreMetrics(c.metrics());
                startStage = c.stage();
                startStep = c.step();
                stageStart = c.stageStartTime();
                stageStartMaxAbs = c.stageStartMaxAbs();
            }
            Execution execution = new Execution(pipeline, resolvedYaml, runner, dir, outputs, store, settings.every(), sharded, control,
                    new RunListener() {
                        @Override
                        public void stageStarted(Pipeline.Entry stage, long steps) {
                            LOG.info("stage {} ({}): {} steps", stage.name(), stage.type(), steps);
                        }

                        @Override
                        public void stageFinished(Pipeline.Entry stage, long steps, int n, Duration elapsed, Duration evaluations) {
                            StageResult result = new StageResult(stage.name(), stage.type(), steps, n, elapsed, evaluations);
                            stages.add(result);
                            LOG.info("stage {} done in {} s{} ({} particle-steps/s)", stage.name(),
                                    String.format("%.3f", elapsed.toNanos() / 1e9), evaluations.isZero() ? ""
                                            : String.format(", %.3f s of them on its curve", evaluations.toNanos() / 1e9),
                                    String.format("%.4g", result.particleStepsPerSecond()));
                        }
                    });
            if (from.isPresent()) {
                Checkpoint c = from.get().checkpoint();
                List<String> restored = execution.restore(c.states(), c.rows(), c.n());
                if (!restored.isEmpty()) {
                    LOG.info("restored the state of {}", restored);
                }
            }
            Execution.Outcome outcome;
            try {
                outcome = from.isEmpty() ? execution.runFresh(spec.particles(), spec.dimension())
                        : particles != null ? execution.run(particles, startStage, startStep, stageStart, stageStartMaxAbs)
                        : execution.run(from.get().shards().orElseThrow(), from.get().checkpoint());
            } catch (Execution.UnreadableStart e) {
                LOG.info("the checkpoint's particles could not be read: {}", e.getMessage());
                throw e;
            } catch (ScorepipeException e) {
                // The trace of what caused it goes to run.log only (the console shows messages alone).
                LOG.error(e.getMessage(), e.getCause());
                throw e;
            } catch (RuntimeException | Error e) {
                LOG.error("internal error: " + e, e);
                throw e;
            }
            LOG.info(outcome.stopped() ? "run stopped at {}" : "run finished: {}", outcome.stopped() ? outcome.position() : dir.path());
            return new RunResult(dir.path(), spec, runner.description(), stages, outputs.evaluations(), outcome.stopped(),
                    outcome.position(), outcome.checkpoint(), false);
        }
    }

    /** The run directory's outputs, keeping the evaluations for the run's summary. */
    private static final class RecordingOutputs implements RunOutputs {
        private final RunDirectory target;
        private final List<Evaluation> evaluations = new ArrayList<>();

        RecordingOutputs(RunDirectory target) {
            this.target = requireNonNull(target, "target is null");
        }

        synchronized List<Evaluation> evaluations() {
            return List.copyOf(evaluations);
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
