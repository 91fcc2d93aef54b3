package org.scorepipe.runtime.run;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Observer;
import org.scorepipe.api.Counting;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RowMemory;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.Entry;
import org.scorepipe.runtime.assembly.Pipeline.PlannedObserver;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;
import org.scorepipe.runtime.checkpoint.CheckpointFormat;
import org.scorepipe.runtime.checkpoint.CheckpointShard;
import org.scorepipe.runtime.checkpoint.CheckpointShards;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.checkpoint.Health;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Drives a pipeline from a position to its end: splits each stage into segments at its
 * checkpoint and curve steps, hands each segment to the {@link Runner}, and between segments
 * has the runner feed the observers due (an observer entry, a curve point), writes checkpoints
 * and honours stop requests. The same for every runner.
 */
public final class Execution {
    private static final Logger LOG = LogManager.getLogger(Execution.class);

    private final Pipeline pipeline;
    private final String resolvedYaml;
    private final Runner runner;
    private final RunDirectory dir;
    private final RunOutputs outputs;
    private final Optional<CheckpointStore> store;
    private final long checkpointEvery;
    private final boolean sharded;
    private final RunControl control;
    private final RunListener listener;
    /** The largest |x| at the start of the stage in progress: what {@link Health} measures its growth against. */
    private double stageStartMaxAbs;
    /** Time spent on the stage in progress's curve points: not the stage's own pace. */
    private long evaluationNanos;
    /** The run's totals of its {@link Counting} components: summed from every segment, kept in checkpoints. */
    private Counts counts = Counts.NONE;
    /** The rows a restored checkpoint's particles carry, by key path, until {@link #run} hands them to the runner. */
    private Map<String, double[]> restoredRows = Map.of();
    /** The ensemble the runner holds: how many particles, from which global index. */
    private int loadedN;
    private long loadedFirstIndex;

    /**
     * @param pipeline the pipeline
     * @param resolvedYaml its resolved config, kept in checkpoints
     * @param runner where segments run
     * @param dir the run directory
     * @param outputs where the reports of the {@link Counting} components and what the observers see are recorded
     * @param store where checkpoints go, or empty to take none
     * @param checkpointEvery steps between checkpoints within a stage (0: only at stage ends)
     * @param sharded whether checkpoints are sharded: the runner writes the particles as shards
     *     where they live, and the store a small manifest ({@link CheckpointShards})
     * @param control stop requests and progress
     * @param listener stage events
     */
    public Execution(Pipeline pipeline, String resolvedYaml, Runner runner, RunDirectory dir, RunOutputs outputs,
            Optional<CheckpointStore> store,
            long checkpointEvery, boolean sharded, RunControl control, RunListener listener) {
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.resolvedYaml = requireNonNull(resolvedYaml, "resolvedYaml is null");
        this.runner = requireNonNull(runner, "runner is null");
        this.dir = requireNonNull(dir, "dir is null");
        this.outputs = requireNonNull(outputs, "outputs is null");
        this.store = requireNonNull(store, "store is null");
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpointEvery must be >= 0, got " + checkpointEvery);
        }
        this.checkpointEvery = checkpointEvery;
        this.sharded = sharded;
        this.control = requireNonNull(control, "control is null");
        this.listener = requireNonNull(listener, "listener is null");
    }

    /**
     * The sharded checkpoint a run was to continue from turned out damaged as its particles were
     * read (a shard that failed its checksum): nothing ran; another checkpoint may be used.
     */
    public static final class UnreadableStart extends ScorepipeException {
        private static final long serialVersionUID = 1L;

        UnreadableStart(org.scorepipe.runtime.checkpoint.CheckpointException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** How a run ended. {@code checkpoint} is where a stopped run can resume (empty if none was written). */
    public record Outcome(boolean stopped, String position, Optional<String> checkpoint) {
    }

    /**
     * Runs from step {@code startStep} of stage {@code startStage} to the end.
     *
     * @param stageStartTime the particles' time when that stage began (their current time if
     *     {@code startStep} is 0)
     * @param stageStartMaxAbs the largest |x| when that stage began
     */
    public Outcome run(Particles initial, int startStage, long startStep, double stageStartTime, double stageStartMaxAbs) {
        restoredRows.forEach(initial::putRowState);
        restoredRows = Map.of();
        runner.load(initial);
        return runLoaded(initial.size(), initial.firstIndex(), initial.time(), startStage, startStep, stageStartTime, stageStartMaxAbs);
    }

    /** Runs a pipeline from its start, on a fresh ensemble of {@code n} particles the runner makes where it keeps them. */
    public Outcome runFresh(int n, int dimension) {
        runner.loadFresh(n, dimension);
        return runLoaded(n, 0, 0.0, 0, 0, 0.0, 0.0);
    }

    /**
     * Runs on from a sharded checkpoint (after {@link #restore} of its states), whose particles
     * and rows the runner reads from its shards where it keeps them: a Spark runner on its
     * executors, re-split into its own ranges, so they never pass through this JVM.
     */
    public Outcome run(CheckpointFolder folder, Checkpoint manifest) {
        try {
            runner.load(folder, manifest, RowStates.widths(pipeline.entries(), pipeline.spec().dimension()));
        } catch (org.scorepipe.runtime.checkpoint.CheckpointException e) {
            throw new UnreadableStart(e);
        }
        return runLoaded(manifest.n(), manifest.firstIndex(), manifest.time(), manifest.stage(), manifest.step(),
                manifest.stageStartTime(), manifest.stageStartMaxAbs());
    }

    private Outcome runLoaded(int n, long firstIndex, double time, int startStage, long startStep, double stageStartTime,
            double stageStartMaxAbs) {
        this.stageStartMaxAbs = stageStartMaxAbs;
        this.loadedN = n;
        this.loadedFirstIndex = firstIndex;
        List<Entry> entries = pipeline.entries();
        long seed = pipeline.spec().seed();
        for (int s = startStage; s < entries.size(); s++) {
            Entry entry = entries.get(s);
            long began = System.nanoTime();
            evaluationNanos = 0;
            long firstStep = 0;
            long steps = entry.steps(); // an observer entry is one step of the schedule
            listener.stageStarted(entry, steps);
            if (entry instanceof PlannedObserver observer) {
                control.stageStarted(entry.name(), steps, 0, n);
                if (control.stopRequested()) {
                    return stop(entry, 0, time, time);
                }
                observe(new ObserverPoint(s, false, 0), entry, observer.observer(), time, outputs);
                control.stepDone(n);
            } else {
                PlannedStage planned = (PlannedStage) entry;
                Optional<Pipeline.Curve> curve = planned.curve();
                long every = curve.map(Pipeline.Curve::every).orElse(0L);
                long k = s == startStage ? Math.min(startStep, steps) : 0;
                double start = s == startStage && startStep > 0 ? stageStartTime : time;
                control.stageStarted(planned.name(), steps, k, n);
                firstStep = k;
                long segment = FIRST_SEGMENT;
                if (k == 0 && curve.isPresent()) {
                    time = planned.stage().time(0, start);
                    recordCurve(planned, time, 0);
                }
                while (k < steps) {
                    if (control.stopRequested()) {
                        return stop(planned, k, start, time);
                    }
                    long next = nextBoundary(k, steps, every);
                    if (segment < next - k) {
                        next = k + segment; // written so, since k + segment may overflow: segment is unbounded on Spark
                    }
                    if (sharded && store.isPresent()) {
                        boolean atCheckpoint = next == steps || (checkpointEvery > 0 && next % checkpointEvery == 0);
                        if (atCheckpoint) {
                            CheckpointShards.Position at = next == steps
                                    ? new CheckpointShards.Position(pipeline.runId(), s + 1, 0)
                                    : new CheckpointShards.Position(pipeline.runId(), s, next);
                            runner.checkpointAfterSegment(store.get().folder(), at, rowKeys());
                        }
                    }
                    long segmentBegan = System.nanoTime();
                    long from = k;
                    SegmentResult result = runSegment(seed, planned, time, k, next);
                    k = result.reached();
                    segment = nextSegment(segment, k - from, System.nanoTime() - segmentBegan);
                    time = planned.stage().time(k, start);
                    double reachedTime = time;
                    result.report().ifPresent(report -> outputs.recordMetrics(planned.name(), reachedTime, report));
                    if (k < next) {
                        return stop(planned, k, start, time);
                    }
                    if (every > 0 && (k % every == 0 || k == steps)) {
                        recordCurve(planned, time, k);
                    }
                    if (k < steps && checkpointEvery > 0 && k % checkpointEvery == 0) {
                        checkpoint(s, k, start, time);
                    }
                }
                time = planned.stage().time(steps, start);
                recordReports(planned, time);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - began);
            Duration evaluations = Duration.ofNanos(evaluationNanos);
            dir.recordStage(entry.name(), entry.type(), steps, steps - firstStep, n, elapsed, evaluations);
            listener.stageFinished(entry, steps - firstStep, n, elapsed, evaluations);
            checkpoint(s + 1, 0, time, time);
            if (control.stopRequested() && s + 1 < entries.size()) {
                return new Outcome(true, "the start of stage '" + entries.get(s + 1).name() + "'", latest());
            }
        }
        return new Outcome(false, "the end of the run", latest());
    }

    /** One segment; a failure names the last good checkpoint, where the run can continue once the cause is fixed. */
    private SegmentResult runSegment(long seed, PlannedStage planned, double time, long from, long to) {
        try {
            SegmentResult result = runner.runSegment(seed, planned, time, from, to, control);
            counts = counts.plus(result.counts());
            return result;
        } catch (ScorepipeException e) {
            Optional<String> good = latest();
            if (good.isEmpty()) {
                throw e;
            }
            throw new ScorepipeException(e.getMessage() + " The last good checkpoint is " + good.get() + " (kept): continue"
                    + " from it with `scorepipe resume " + dir.path() + "` and the fix as --set KEY=VALUE (or --config FIXED.yaml).", e);
        }
    }

    /** Steps of a stage's first segment, before its pace is known. */
    private static final long FIRST_SEGMENT = 16;

    /** The next segment's length: as many steps as fit in the runner's {@link Runner#segmentNanos}, at the pace just measured. */
    private long nextSegment(long previous, long ran, long nanos) {
        long target = runner.segmentNanos();
        if (target == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (ran <= 0 || nanos <= 0) {
            return previous;
        }
        double fit = (double) target * ran / nanos;
        return (long) Math.max(1, Math.min(fit, 2.0 * Math.max(previous, ran) + 1));
    }

    private Optional<String> latest() {
        return store.flatMap(CheckpointStore::newest);
    }

    private long nextBoundary(long k, long steps, long every) {
        long next = steps;
        if (checkpointEvery > 0) {
            next = Math.min(next, (k / checkpointEvery + 1) * checkpointEvery);
        }
        if (every > 0) {
            next = Math.min(next, (k / every + 1) * every);
        }
        return next;
    }

    private Outcome stop(Entry planned, long k, double start, double time) {
        LOG.info("stopping at step {} of stage {} as asked", k, planned.name());
        Optional<String> file = checkpoint(planned.index(), k, start, time);
        String position = k == 0 ? "the start of stage '" + planned.name() + "'" : "stage '" + planned.name() + "' at step " + k;
        return new Outcome(true, position, file);
    }

    private void recordCurve(PlannedStage planned, double time, long k) {
        long began = System.nanoTime();
        try {
            RunOutputs curve = new RunOutputs() {
                @Override
                public void recordMetrics(String stage, double at, Metrics metrics) {
                    dir.recordCurve(stage, k, at, metrics);
                }

                @Override
                public void saveSamples(String stage, String fileName, Particles particles) {
                    throw new IllegalStateException("a curve point records metrics only; save the samples with a save entry");
                }
            };
            observe(new ObserverPoint(planned.index(), true, k), planned, planned.curve().orElseThrow().observer(), time, curve);
        } finally {
            evaluationNanos += System.nanoTime() - began;
        }
    }

    /**
     * Has the runner feed {@code observer} at {@code point}; its mistakes (an evaluator that
     * refuses the particles) name the entry and, for a curve, the step.
     */
    private void observe(ObserverPoint point, Entry owner, Observer observer, double time, RunOutputs to) {
        RunOutputs through = new RunOutputs() {
            @Override
            public void recordMetrics(String stage, double at, Metrics metrics) {
                to.recordMetrics(stage, at, metrics);
            }

            @Override
            public void saveSamples(String stage, String fileName, Particles particles) {
                to.saveSamples(stage, fileName, particles);
            }

            @Override
            public void saveDataset(String stage, String name, String format) {
                String where = runner.writeDataset(stage, name, format, dir.path());
                LOG.info("stage {} wrote the {} dataset {}", stage, format, where);
            }
        };
        Observation at = new Observation(owner.name(), point.step(), time, point.noise(pipeline.spec().seed(), owner), through);
        String what = point.curve() ? "evaluating at step " + point.step() : owner.type();
        try {
            runner.observe(point, observer, at);
        } catch (ScorepipeException e) {
            throw e;
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new ScorepipeException("stage '" + owner.name() + "': " + (point.curve() ? what + ": " : "") + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            throw ComponentFailure.of(owner, what, e);
        }
    }

    private void recordReports(PlannedStage planned, double time) {
        Map<Counting, String> counting = Counts.counting(planned);
        if (counting.isEmpty()) {
            return;
        }
        Metrics.Builder all = Metrics.builder();
        counting.forEach((component, path) -> all.putAll(component.report(counts.get(path, component.countNames().size()))));
        outputs.recordMetrics(planned.name(), time, all.build());
    }

    /**
     * Writes a checkpoint at (stage, step) if checkpoints are on, and the ensemble is healthy
     * ({@link Health}); returns its location. An unhealthy ensemble stops the run, naming the
     * last good checkpoint, which is kept: nothing that diverged is ever saved as a checkpoint.
     */
    private Optional<String> checkpoint(int stage, long step, double stageStartTime, double time) {
        if (store.isEmpty()) {
            return Optional.empty();
        }
        long began = System.nanoTime(); // the health check, the shards or the gathering, and the write: what a checkpoint costs
        List<Entry> stages = pipeline.entries();
        double maxAbs = runner.maxAbs();
        if (!Health.healthy(maxAbs, stageStartMaxAbs)) {
            String stageName = stages.get(Math.max(0, step == 0 ? stage - 1 : stage)).name();
            throw new ScorepipeException("stage '" + stageName + "' diverged by " + (step == 0 ? "its end" : "step " + step)
                    + ": the largest |x| is " + (Double.isNaN(maxAbs) ? "not finite" : String.format("%.3g", maxAbs))
                    + ", more than " + String.format("%.0e", Health.GROWTH) + " times its scale at the stage start ("
                    + String.format("%.3g", Math.max(1, stageStartMaxAbs)) + "), so no checkpoint was written. The step size is"
                    + " probably too large for this target. " + latest()
                            .map(good -> "The last good checkpoint is " + good + " (kept): continue from it with a smaller step,"
                                    + " e.g. `scorepipe resume " + dir.path() + " --set stages." + stageName
                                    + ".corrector.step=...` (or --config FIXED.yaml).")
                            .orElse("There is no earlier checkpoint: run again with a smaller step."));
        }
        if (step == 0) {
            stageStartMaxAbs = maxAbs; // the start of stage `stage`
        }
        List<String> names = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (Entry p : stages) {
            names.add(p.name());
            hashes.add(p.configHash());
        }
        Checkpoint checkpoint;
        if (sharded) {
            // The shards first, where the particles live; the manifest, written last, commits them.
            CheckpointShards.Position at = new CheckpointShards.Position(pipeline.runId(), stage, step);
            List<CheckpointShard> shards = writeShards(at);
            checkpoint = new Checkpoint(pipeline.runId(), pipeline.spec().name(), pipeline.spec().seed(), PhiloxNoise.GENERATOR,
                    resolvedYaml, names, hashes, stage, step, stageStartTime, stageStartMaxAbs, time, loadedN, pipeline.spec()
                            .dimension(), loadedFirstIndex, new double[0], counts.states(), Map.of(), dir.metricsJson(), shards);
        } else {
            Particles particles = runner.gather();
            checkpoint = new Checkpoint(pipeline.runId(), pipeline.spec().name(), pipeline.spec().seed(),
                    PhiloxNoise.GENERATOR, resolvedYaml, names, hashes, stage, step, stageStartTime, stageStartMaxAbs, time,
                    particles.size(), particles.dimension(), particles.firstIndex(), particles.data(), counts.states(),
                    rows(particles), dir.metricsJson());
        }
        String file = store.get().save(checkpoint);
        LOG.info("checkpoint at {} written to {} in {} ms", checkpoint.position(), file,
                String.format("%.1f", (System.nanoTime() - began) / 1e6));
        return Optional.of(file);
    }

    /** The ensemble's shards of the checkpoint at {@code at}, written by the runner into the store's folder. */
    private List<CheckpointShard> writeShards(CheckpointShards.Position at) {
        try {
            return runner.writeCheckpointShards(store.orElseThrow().folder(), at, rowKeys());
        } catch (RuntimeException e) {
            String previous = latest().map(p -> "; the previous checkpoint " + p + " is intact").orElse("");
            throw new ScorepipeException("could not write the shards of the checkpoint at stage index " + at.stage() + ", step "
                    + at.step() + " to " + store.get().location() + ": " + e.getMessage() + previous
                    + ". Free space or fix the folder's permissions (every executor must reach it), then resume.", e);
        }
    }

    /** The key paths of the rows a checkpoint keeps: the pipeline's row-memory components'. */
    private java.util.Set<String> rowKeys() {
        return RowStates.widths(pipeline.entries(), pipeline.spec().dimension()).keySet();
    }

    /** The rows the particles carry for the pipeline's {@link RowMemory} components, by key path. */
    private Map<String, double[]> rows(Particles particles) {
        Map<String, double[]> carried = particles.rowStates();
        Map<String, double[]> rows = new LinkedHashMap<>();
        for (String path : RowStates.byPath(pipeline.entries()).keySet()) {
            double[] r = carried.get(path);
            if (r != null) {
                rows.put(path, r);
            }
        }
        return rows;
    }

    /**
     * Takes a checkpoint's states, the totals of the {@link Counting} components, and the rows its
     * particles carry for the {@link RowMemory} components (handed to the runner with the
     * particles by {@link #run}); returns the paths restored. Rows of a path that is no row-memory
     * component now (the stage in progress changed its predictor) are dropped.
     *
     * @throws ScorepipeException naming the path, if rows have the wrong width, or if the
     *     checkpoint keeps a multistep solver's state in the component's bytes, as format 2 did
     */
    public List<String> restore(Map<String, byte[]> states, Map<String, double[]> rows, int n) {
        try {
            counts = Counts.fromStates(pipeline.entries(), states);
        } catch (IllegalArgumentException e) {
            throw new ScorepipeException(e.getMessage());
        }
        List<String> restored = new ArrayList<>();
        RowStates.byPath(pipeline.entries()).forEach((path, memory) -> {
            if (states.containsKey(path) && !(memory instanceof Counting)) {
                throw new ScorepipeException(path + ": the checkpoint keeps this component's per-particle state inside the"
                        + " component, as checkpoint format " + CheckpointFormat.OLDEST + " did; this scorepipe writes format "
                        + CheckpointFormat.VERSION + ", which keeps it as rows with the particles, and cannot read the old one."
                        + " Resume it with the scorepipe that wrote it, or continue from a checkpoint at the start of a stage"
                        + " that does not use it, or start the run again");
            }
        });
        Map<String, double[]> kept = new LinkedHashMap<>();
        RowStates.kept(rows, RowStates.widths(pipeline.entries(), pipeline.spec().dimension()), n)
                .forEach((path, r) -> kept.put(path, r.clone()));
        restored.addAll(kept.keySet());
        restoredRows = kept;
        for (Entry stage : pipeline.entries()) {
            for (String path : Counts.counting(stage).values()) {
                if (states.containsKey(path) && !restored.contains(path)) {
                    restored.add(path);
                }
            }
        }
        return restored;
    }
}
