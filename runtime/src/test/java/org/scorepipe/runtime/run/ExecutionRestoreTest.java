package org.scorepipe.runtime.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Block;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.RowMemory;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.api.Stage;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.checkpoint.CheckpointFormat;
import org.scorepipe.runtime.config.PipelineFile;

/** What {@link Execution#restore} makes of a checkpoint's rows and states for a row-memory component. */
class ExecutionRestoreTest {
    /** A stage that remembers one double per particle and dimension, plus one. */
    private static final class Remembering implements Stage, RowMemory {
        @Override
        public long steps() {
            return 1;
        }

        @Override
        public int rowWidth(int dimension) {
            return dimension + 1;
        }

        @Override
        public void step(long k, Block block, Noise noise) {
        }
    }

    private static final RunOutputs NO_OUTPUTS = new RunOutputs() {
        @Override
        public void recordMetrics(String stage, double time, Metrics metrics) {
        }

        @Override
        public void saveSamples(String stage, String fileName, Particles particles) {
        }
    };

    @TempDir
    Path dir;

    private Execution execution() {
        Pipeline pipeline = new Pipeline(new PipelineSpec("p", 1, 4, 2), "run", Pipeline.RunnerSettings.local(1, 8),
                new Pipeline.CheckpointSettings(0, 1), List.of(Pipeline.PlannedStage.of("walk", 0, new Remembering())),
                PipelineFile.parse("p.yaml", "pipeline: {name: p, particles: 4, dimension: 2}\n", List.of()));
        return new Execution(pipeline, "", new LocalRunner(1, 8), RunDirectory.at(dir), NO_OUTPUTS, Optional.empty(), 0, false,
                new RunControl(), RunListener.NONE);
    }

    @Test
    void rowsOfTheRightWidthAreRestoredByKeyPath() {
        assertEquals(List.of("stages.walk"), execution().restore(Map.of(), Map.of("stages.walk", new double[4 * 3]), 4));
        assertEquals(List.of(), execution().restore(Map.of(), Map.of("stages.gone", new double[4 * 3]), 4),
                "rows of a path no row-memory component has now are dropped");
    }

    @Test
    void rowsOfAnotherWidthAreRefusedNamingThePath() {
        ScorepipeException e = assertThrows(ScorepipeException.class,
                () -> execution().restore(Map.of(), Map.of("stages.walk", new double[4 * 2]), 4));
        assertTrue(e.getMessage().startsWith("stages.walk: the checkpoint's particles carry 2 doubles per particle")
                && e.getMessage().contains("its component keeps 3"), e.getMessage());
    }

    /** A format 2 checkpoint kept a multistep solver's state in the component's own bytes: refused, naming both formats. */
    @Test
    void aComponentStateOfFormat2IsRefusedNamingBothVersions() {
        ScorepipeException e = assertThrows(ScorepipeException.class,
                () -> execution().restore(Map.of("stages.walk", new byte[] {0, 0, 0, 1}), Map.of(), 4));
        assertTrue(e.getMessage().startsWith("stages.walk: ") && e.getMessage().contains("format " + CheckpointFormat.OLDEST)
                && e.getMessage().contains("format " + CheckpointFormat.VERSION), e.getMessage());
    }
}
