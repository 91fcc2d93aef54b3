package org.scorepipe.runtime.assembly;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Observer;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Stage;
import org.scorepipe.runtime.config.PipelineFile;

/**
 * A pipeline ready to run: its settings, its runner settings and its schedule, the entries of
 * its {@code stages:} list in order, each built with its components. An entry is a stage, which
 * moves particles, or an observer between stages ({@code evaluate}, {@code save}), which does not.
 *
 * @param spec name, seed, particles, dimension
 * @param runId the run's identity ({@code run.id}), or empty for a pipeline file that is not (yet) a run's
 * @param runner how the local runner splits the work
 * @param checkpoint when checkpoints are written
 * @param entries the entries of {@code stages:} in order: where checkpoints say a run stands
 * @param config the pipeline file it was built from with every file path absolute (see
 *     {@link org.scorepipe.api.FilePath}): what a run's {@code config.yaml} and checkpoints record
 */
public record Pipeline(PipelineSpec spec, String runId, RunnerSettings runner, CheckpointSettings checkpoint,
        List<Entry> entries, PipelineFile config) {
    public Pipeline {
        requireNonNull(spec, "spec is null");
        requireNonNull(config, "config is null");
        requireNonNull(runId, "runId is null");
        requireNonNull(runner, "runner is null");
        requireNonNull(checkpoint, "checkpoint is null");
        entries = List.copyOf(entries);
    }

    /**
     * One entry of the {@code stages:} list.
     */
    public sealed interface Entry permits PlannedStage, PlannedObserver {
        /** Its unique name. */
        String name();

        /** Its position in the list, where checkpoints say a run stands. */
        int index();

        /**
         * The {@code s} in the noise counter: how many stages come before it. Observers do not
         * count, so adding, removing or moving one never changes the noise of any stage.
         */
        int noiseKey();

        /** Its component name, e.g. {@code sample}. */
        String type();

        /**
         * SHA-256 of its resolved config and of the shared components it uses: a finished entry
         * of a checkpoint must hash the same to be resumed.
         */
        String configHash();

        /** The names of the shared components it uses, directly or not. */
        List<String> sharedUsed();

        /** Every component it uses (itself included), by key path. */
        List<NamedComponent> components();

        /** Its steps in the schedule: a stage's own, 1 for an observer (it observes once). */
        long steps();

        /** The checks every entry's constructor makes: a name, a noise key no greater than its index. */
        private static void check(String name, int index, int noiseKey) {
            requireNonNull(name, "name is null");
            if (noiseKey < 0 || noiseKey > index) {
                throw new IllegalArgumentException("noise key " + noiseKey + " of entry " + index + " is outside [0, " + index + "]");
            }
        }
    }

    /**
     * An observer entry: sees the ensemble between the stages around it.
     *
     * @param observer the built observer
     */
    public record PlannedObserver(String name, int index, int noiseKey, String type, Observer observer, String configHash,
            List<String> sharedUsed, List<NamedComponent> components) implements Entry {
        public PlannedObserver {
            Entry.check(name, index, noiseKey);
            requireNonNull(observer, "observer is null");
            sharedUsed = List.copyOf(sharedUsed);
            components = List.copyOf(components);
        }

        @Override
        public long steps() {
            return 1;
        }
    }

    /**
     * A stage's convergence curve: an observer fed every {@code every} steps of the stage (and at
     * its first and last step).
     */
    public record Curve(long every, Observer observer) {
        public Curve {
            requireNonNull(observer, "observer is null");
            if (every < 1) {
                throw new IllegalArgumentException("every must be >= 1, got " + every);
            }
        }
    }

    /**
     * A stage: moves particles.
     *
     * @param stage the built stage
     * @param curve its convergence curve ({@code every:}), if it records one
     */
    public record PlannedStage(String name, int index, int noiseKey, String type, Stage stage, String configHash, List<String> sharedUsed,
            Optional<Curve> curve, List<NamedComponent> components) implements Entry {
        public PlannedStage {
            Entry.check(name, index, noiseKey);
            requireNonNull(stage, "stage is null");
            requireNonNull(curve, "curve is null");
            sharedUsed = List.copyOf(sharedUsed);
            components = List.copyOf(components);
        }

        @Override
        public long steps() {
            return stage.steps();
        }

        /** A stage without a curve or recorded components, e.g. for tests of a runner; its noise key is its index. */
        public static PlannedStage of(String name, int index, Stage stage) {
            return new PlannedStage(name, index, index, name, stage, "", List.of(), Optional.empty(),
                    List.of(new NamedComponent("stages." + name, stage)));
        }
    }

    /**
     * A component of the pipeline with its config key path ({@code stages.sample.corrector},
     * {@code components.score}): where checkpoints keep its state.
     */
    public record NamedComponent(String path, Object component) {
    }

    /**
     * @param type the runner: {@code local}, or the name of another installed {@code RunnerFactory}
     * @param threads worker threads of the local runner (0: one per available core)
     * @param blockSize particles per block, the unit of parallel work
     * @param partitions particle ranges of a distributed runner (0: its choice)
     * @param master the cluster a distributed runner connects to (empty: its default)
     */
    public record RunnerSettings(String type, int threads, int blockSize, int partitions, String master) {
        /** The most worker threads: a {@link java.util.concurrent.ForkJoinPool}'s limit. */
        public static final int MAX_THREADS = 0x7fff;

        public RunnerSettings {
            requireNonNull(type, "type is null");
            requireNonNull(master, "master is null");
            if (threads < 0 || threads > MAX_THREADS) {
                throw new IllegalArgumentException("threads must be between 0 (one per core) and " + MAX_THREADS
                        + ", got " + threads + "; results do not depend on it, and more threads than cores ("
                        + Runtime.getRuntime().availableProcessors() + " here) only add overhead");
            }
            if (blockSize < 1) {
                throw new IllegalArgumentException("block-size must be >= 1, got " + blockSize);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be >= 1 (or 0 to let the runner choose), got " + partitions);
            }
        }

        /** Local settings, for tests and embedding. */
        public static RunnerSettings local(int threads, int blockSize) {
            return new RunnerSettings("local", threads, blockSize, 0, "");
        }
    }

    /**
     * @param every steps between checkpoints within a stage (0: only at the end of each stage)
     * @param keep how many checkpoints within stages to keep, newest first, besides the one at
     *     every stage boundary (0: no checkpoints at all)
     * @param dir where the run's checkpoint folder goes: empty for {@code checkpoints/} in the
     *     run directory, else a folder or a URI (a Hadoop file system's with the Spark runner)
     *     under which the run's checkpoints go to a sub-folder named after its run id
     */
    public record CheckpointSettings(long every, int keep, String dir, Layout layout) {
        /**
         * How a checkpoint is laid out: one file, or shards written where the particles live and a
         * manifest that commits them; {@code auto} leaves it to the runner (Spark shards, local
         * writes one file).
         */
        public enum Layout {
            AUTO, FILE, SHARDS
        }

        public CheckpointSettings {
            requireNonNull(dir, "dir is null");
            requireNonNull(layout, "layout is null");
            if (every < 0 || keep < 0) {
                throw new IllegalArgumentException("need every >= 0 and keep >= 0, got " + every + ", " + keep);
            }
        }

        /** Checkpoints in the run directory. */
        public CheckpointSettings(long every, int keep) {
            this(every, keep, "", Layout.AUTO);
        }

        /** Whether checkpoints are sharded on a runner that {@code shardsByDefault} when left to it. */
        public boolean sharded(boolean shardsByDefault) {
            return layout == Layout.SHARDS || (layout == Layout.AUTO && shardsByDefault);
        }

        public boolean enabled() {
            return keep > 0;
        }
    }
}
