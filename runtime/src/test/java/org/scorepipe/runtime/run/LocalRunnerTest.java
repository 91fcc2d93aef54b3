package org.scorepipe.runtime.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.scorepipe.api.Block;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RowMemory;
import org.scorepipe.api.Stage;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;

class LocalRunnerTest {

    /** The stage is mocked because the calls it receives are exactly what is under test. */
    @ParameterizedTest
    @CsvSource({"1, 1000", "2, 64", "3, 7", "2, 1"})
    void everyBlockGetsEveryStepOfTheSegmentExactlyOnceAndInOrder(int threads, int blockSize) {
        int n = 203;
        long steps = 6;
        Stage stage = mock(Stage.class);
        when(stage.steps()).thenReturn(steps);
        Map<Integer, List<Long>> stepsByRow = Collections.synchronizedMap(new HashMap<>());
        doAnswer(call -> {
            long k = call.getArgument(0);
            Block block = call.getArgument(1);
            for (int r = block.from(); r < block.to(); r++) {
                stepsByRow.computeIfAbsent(r, x -> Collections.synchronizedList(new ArrayList<>())).add(k);
            }
            return null;
        }).when(stage).step(anyLong(), any(Block.class), any(Noise.class));

        Particles particles = new Particles(n, 2);
        try (LocalRunner runner = new LocalRunner(threads, blockSize)) {
            assertEquals(steps, runner.runSegment(1, planned(stage), particles, 0, steps, new RunControl()).reached());
        }

        assertEquals(n, stepsByRow.size(), "every row is in exactly one block");
        for (int r = 0; r < n; r++) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), stepsByRow.get(r), "row " + r);
        }
    }

    /**
     * A stage that remembers, per particle, its last coordinate and how many steps it took: the
     * rows live in the particles under the stage's key path, the same for any threads and blocks,
     * and a second segment continues from them.
     */
    @ParameterizedTest
    @CsvSource({"1, 1000", "2, 7", "3, 1"})
    void rowsLiveInTheParticlesUnderTheKeyPath(int threads, int blockSize) {
        final class Remembering implements Stage, RowMemory {
            @Override
            public long steps() {
                return 4;
            }

            @Override
            public int rowWidth(int dimension) {
                return dimension + 1;
            }

            @Override
            public void step(long k, Block block, Noise noise) {
                double[] rows = block.rowState(this);
                double[] x = block.data();
                int d = block.dimension();
                for (int r = 0; r < block.size(); r++) {
                    int o = block.offset() + r * d;
                    int ro = (block.from() + r) * (d + 1);
                    rows[ro + d] = Double.isNaN(rows[ro + d]) ? 1 : rows[ro + d] + 1;
                    for (int i = 0; i < d; i++) {
                        double last = Double.isNaN(rows[ro + i]) ? 0.0 : rows[ro + i];
                        rows[ro + i] = x[o + i];
                        x[o + i] += last + 0.5 * (block.particleIndex(r) + k);
                    }
                }
            }
        }
        Remembering stage = new Remembering();
        Particles reference = new Particles(23, 2);
        Particles particles = new Particles(23, 2);
        try (LocalRunner one = new LocalRunner(1, 1000); LocalRunner runner = new LocalRunner(threads, blockSize)) {
            one.runSegment(1, planned(stage), reference, 0, 4, new RunControl());
            runner.runSegment(1, planned(stage), particles, 0, 2, new RunControl());
            runner.runSegment(1, planned(stage), particles, 2, 4, new RunControl());
        }
        assertEquals(List.of("stages.walk"), List.copyOf(particles.rowStates().keySet()));
        double[] rows = particles.rowStates().get("stages.walk");
        assertEquals(23 * 3, rows.length);
        for (int r = 0; r < 23; r++) {
            assertEquals(4.0, rows[r * 3 + 2], "row " + r + " counted every step");
        }
        assertArrayEquals(reference.data(), particles.data());
        assertArrayEquals(reference.rowStates().get("stages.walk"), rows);
    }

    @Test
    void wholeEnsembleStagesSeeEveryRowInOneBlock() {
        Stage stage = mock(Stage.class);
        when(stage.steps()).thenReturn(1L);
        when(stage.wholeEnsemble()).thenReturn(true);
        List<int[]> blocks = new ArrayList<>();
        doAnswer(call -> {
            Block b = call.getArgument(1);
            blocks.add(new int[] {b.from(), b.to()});
            return null;
        }).when(stage).step(anyLong(), any(Block.class), any(Noise.class));
        try (LocalRunner runner = new LocalRunner(2, 10)) {
            runner.runSegment(1, planned(stage), new Particles(95, 1), 0, 1, new RunControl());
        }
        assertEquals(1, blocks.size());
        assertEquals(0, blocks.get(0)[0]);
        assertEquals(95, blocks.get(0)[1]);
    }

    @Test
    void aWholeEnsembleStagesReportIsTheSegments() {
        Stage stage = reporting(true);
        try (LocalRunner runner = new LocalRunner(2, 10)) {
            SegmentResult result = runner.runSegment(1, planned(stage), new Particles(95, 1), 0, 1, new RunControl());
            assertEquals(95.0, result.report().orElseThrow().number("rows"), "the one block is the ensemble");
        }
        try (LocalRunner runner = new LocalRunner(1, 10)) {
            Stage quiet = mock(Stage.class);
            when(quiet.steps()).thenReturn(1L);
            assertTrue(runner.runSegment(1, planned(quiet), new Particles(5, 1), 0, 1, new RunControl()).report().isEmpty());
        }
    }

    @Test
    void aStageOfManyBlocksMayNotReport() {
        try (LocalRunner runner = new LocalRunner(1, 10)) {
            ScorepipeException e = assertThrows(ScorepipeException.class,
                    () -> runner.runSegment(1, planned(reporting(false)), new Particles(95, 1), 0, 1, new RunControl()));
            assertTrue(e.getMessage().startsWith("stage 'walk'"), e.getMessage());
            assertTrue(e.getMessage().contains("only a whole-ensemble stage"), e.getMessage());
        }
    }

    /** A stage that reports how many rows its block had. */
    private static Stage reporting(boolean wholeEnsemble) {
        return new Stage() {
            @Override
            public long steps() {
                return 1;
            }

            @Override
            public boolean wholeEnsemble() {
                return wholeEnsemble;
            }

            @Override
            public void step(long k, Block block, Noise noise) {
                block.report(Metrics.builder().put("rows", block.size()).build());
            }
        };
    }

    @Test
    void aDivergingStageIsStoppedWithItsName() {
        Stage diverging = new Stage() {
            @Override
            public long steps() {
                return 3;
            }

            @Override
            public void step(long k, Block block, Noise noise) {
                if (k == 2 && block.from() == 0) {
                    block.data()[block.offset() + 3] = Double.POSITIVE_INFINITY;
                }
            }
        };
        ScorepipeException e = assertThrows(ScorepipeException.class,
                () -> new LocalRunner(1, 4).runSegment(1, planned(diverging), new Particles(10, 2), 0, 3, new RunControl()));
        assertTrue(e.getMessage().contains("stage 'walk' diverged"), e.getMessage());
        assertTrue(e.getMessage().contains("particle 1"), e.getMessage());
        assertTrue(e.getMessage().contains("step size"), e.getMessage());
    }

    @Test
    void aStopRequestEndsEveryBlockAtOneCommonStep() {
        RunControl control = new RunControl();
        int n = 64;
        long steps = 1000;
        java.util.concurrent.atomic.AtomicLongArray reached = new java.util.concurrent.atomic.AtomicLongArray(n);
        java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
        Stage stage = new Stage() {
            @Override
            public long steps() {
                return steps;
            }

            @Override
            public void step(long k, Block block, Noise noise) {
                for (int r = block.from(); r < block.to(); r++) {
                    reached.set(r, k + 1);
                }
                // Whichever block first reaches step 37 asks to stop; the other thread's block may be
                // level with it or behind, and blocks not yet started are behind.
                if (k == 37 && asked.compareAndSet(false, true)) {
                    control.requestStop();
                }
            }
        };
        long end;
        try (LocalRunner runner = new LocalRunner(2, 8)) {
            end = runner.runSegment(1, planned(stage), new Particles(n, 1), 0, steps, control).reached();
        }
        // Two threads: the other running block can have begun at most one step more than the asker.
        assertTrue(end == 38 || end == 39, "stopped right after the step that asked: " + end);
        for (int r = 0; r < n; r++) {
            assertEquals(end, reached.get(r), "row " + r + " reached the common step");
        }
    }

    private static Pipeline.PlannedStage planned(Stage stage) {
        return Pipeline.PlannedStage.of("walk", 0, stage);
    }
}
