package org.scorepipe.runtime.assembly;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Stage;

/**
 * A pipeline ready to run: its settings, its runner settings and its stages, each built
 * with its components.
 *
 * @param spec name, seed, particles, dimension
 * @param runner how the local runner splits the work
 * @param stages the stages in order
 */
public record Pipeline(PipelineSpec spec, RunnerSettings runner, List<PlannedStage> stages) {
    public Pipeline {
        requireNonNull(spec, "spec is null");
        requireNonNull(runner, "runner is null");
        stages = List.copyOf(stages);
    }

    /**
     * One stage of the pipeline.
     *
     * @param name its unique name
     * @param index its position, the {@code s} in the noise counter
     * @param type its component name, e.g. {@code sample}
     * @param stage the built stage
     */
    public record PlannedStage(String name, int index, String type, Stage stage) {
    }

    /**
     * @param threads worker threads of the local runner (0: one per available core)
     * @param blockSize particles per block, the unit of parallel work
     */
    public record RunnerSettings(int threads, int blockSize) {
        public RunnerSettings {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 means one per core), got " + threads);
            }
            if (blockSize < 1) {
                throw new IllegalArgumentException("block-size must be >= 1, got " + blockSize);
            }
        }
    }
}
