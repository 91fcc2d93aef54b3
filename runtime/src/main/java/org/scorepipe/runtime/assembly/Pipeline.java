package org.scorepipe.runtime.assembly;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Stage;
import org.scorepipe.runtime.config.PipelineFile;

/**
 * A pipeline ready to run: its settings, its runner settings and its stages, each built
 * with its components.
 *
 * @param spec name, seed, particles, dimension
 * @param runId the run's identity ({@code run.id}), or empty for a pipeline file that is not (yet) a run's
 * @param runner how the local runner splits the work
 * @param checkpoint when checkpoints are written
 * @param stages the stages in order
 * @param config the pipeline file it was built from with every file path absolute (see
 *     {@link org.scorepipe.api.FilePath}): what a run's {@code config.yaml} and checkpoints record
 */
public record Pipeline(PipelineSpec spec, String runId, RunnerSettings runner, CheckpointSettings checkpoint,
        List<PlannedStage> stages, PipelineFile config) {
    public Pipeline {
        requireNonNull(spec, "spec is null");
        requireNonNull(config, "config is null");
        requireNonNull(runId, "runId is null");
        requireNonNull(runner, "runner is null");
        requireNonNull(checkpoint, "checkpoint is null");
        stages = List.copyOf(stages);
    }

    /**
     * One stage of the pipeline.
     *
     * @param name its unique name
     * @param index its position in the pipeline, where checkpoints say a run stands
     * @param noiseKey the {@code s} in the noise counter: how many stages that move particles come
     *     before it ({@link Stage#observes observers} do not count), so adding, removing or moving
     *     an evaluate or save stage never changes the noise of any other stage
     * @param type its component name, e.g. {@code sample}
     * @param stage the built stage
     * @param configHash SHA-256 of the stage's resolved config and of the shared components it
     *     uses: a finished stage of a checkpoint must hash the same to be resumed
     * @param sharedUsed the names of the shared components it uses, directly or not
     * @param every record {@code monitors} every this many steps (0: never)
     * @param monitors the evaluators of its convergence curve
     * @param components every component the stage uses (itself included), by key path
     */
    public record PlannedStage(String name, int index, int noiseKey, String type, Stage stage, String configHash, List<String> sharedUsed,
            long every, List<Evaluator> monitors, List<NamedComponent> components) {
        public PlannedStage {
            requireNonNull(name, "name is null");
            requireNonNull(stage, "stage is null");
            if (noiseKey < 0 || noiseKey > index) {
                throw new IllegalArgumentException("noise key " + noiseKey + " of stage " + index + " is outside [0, " + index + "]");
            }
            sharedUsed = List.copyOf(sharedUsed);
            monitors = List.copyOf(monitors);
            components = List.copyOf(components);
        }

        /** A stage without curves or recorded components, e.g. for tests of a runner; its noise key is its index. */
        public static PlannedStage of(String name, int index, Stage stage) {
            return new PlannedStage(name, index, index, name, stage, "", List.of(), 0, List.of(),
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
    public record CheckpointSettings(long every, int keep, String dir) {
        public CheckpointSettings {
            requireNonNull(dir, "dir is null");
            if (every < 0 || keep < 0) {
                throw new IllegalArgumentException("need every >= 0 and keep >= 0, got " + every + ", " + keep);
            }
        }

        /** Checkpoints in the run directory. */
        public CheckpointSettings(long every, int keep) {
            this(every, keep, "");
        }

        public boolean enabled() {
            return keep > 0;
        }
    }
}
