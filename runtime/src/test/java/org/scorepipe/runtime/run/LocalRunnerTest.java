package org.scorepipe.runtime.run;

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
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
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
        when(stage.time(anyLong(), org.mockito.ArgumentMatchers.anyDouble())).thenReturn(0.5);
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
        new LocalRunner(threads, blockSize).run(pipeline(stage), particles, RunListener.NONE);

        assertEquals(n, stepsByRow.size(), "every row is in exactly one block");
        for (int r = 0; r < n; r++) {
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), stepsByRow.get(r), "row " + r);
        }
        assertEquals(0.5, particles.time(), "the runner sets the stage's end time");
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
        new LocalRunner(2, 10).run(pipeline(stage), new Particles(95, 1), RunListener.NONE);
        assertEquals(1, blocks.size());
        assertEquals(0, blocks.get(0)[0]);
        assertEquals(95, blocks.get(0)[1]);
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
                () -> new LocalRunner(1, 4).run(pipeline(diverging), new Particles(10, 2), RunListener.NONE));
        assertTrue(e.getMessage().contains("stage 'walk' diverged"), e.getMessage());
        assertTrue(e.getMessage().contains("particle 1"), e.getMessage());
        assertTrue(e.getMessage().contains("step size"), e.getMessage());
    }

    private static Pipeline pipeline(Stage stage) {
        return new Pipeline(new PipelineSpec("test", 1, 0, 1), new Pipeline.RunnerSettings(1, 1),
                List.of(new Pipeline.PlannedStage("walk", 0, "walk", stage)));
    }
}
