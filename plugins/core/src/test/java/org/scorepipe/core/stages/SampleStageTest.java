package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyDouble;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.scorepipe.api.Block;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.runtime.noise.PhiloxNoise;

class SampleStageTest {
    private static final double[] TIMES = {2.0, 1.0, 0.5, 0.01};

    private static TimeGrid grid(double... times) {
        TimeGrid grid = mock(TimeGrid.class);
        when(grid.times()).thenAnswer(invocation -> times.clone());
        return grid;
    }

    @Test
    void eachStepPredictsThenCorrectsOnItsOwnStreams() {
        Predictor predictor = mock(Predictor.class);
        Corrector corrector = mock(Corrector.class);
        SampleStage stage = new SampleStage(grid(TIMES), predictor, Optional.of(corrector));
        assertEquals(TIMES.length - 1, stage.steps());
        Block block = new Particles(3, 2).all();
        InOrder order = inOrder(predictor, corrector);
        for (int k = 0; k < TIMES.length - 1; k++) {
            PhiloxNoise noise = PhiloxNoise.of(9L, 3, k);
            stage.step(k, block, noise);
            order.verify(predictor).step(block, TIMES[k], TIMES[k + 1], noise);
            ArgumentCaptor<Noise> corrected = ArgumentCaptor.forClass(Noise.class);
            order.verify(corrector).correct(org.mockito.ArgumentMatchers.same(block),
                    org.mockito.ArgumentMatchers.eq(TIMES[k + 1]), corrected.capture());
            assertCorrectorStreams(noise, corrected.getValue());
        }
    }

    /** The corrector's stream j must be the parent's stream CORRECTOR_STREAMS + j, for normals and uniforms. */
    private static void assertCorrectorStreams(Noise parent, Noise corrector) {
        for (int j = 0; j < 2; j++) {
            double[] expected = new double[5];
            double[] actual = new double[5];
            parent.normals(17L, SampleStage.CORRECTOR_STREAMS + j, expected, 0, 5);
            corrector.normals(17L, j, actual, 0, 5);
            assertArrayEquals(expected, actual);
            parent.uniforms(17L, SampleStage.CORRECTOR_STREAMS + j, expected, 0, 5);
            corrector.uniforms(17L, j, actual, 0, 5);
            assertArrayEquals(expected, actual);
        }
        // ...and not the predictor's stream 0.
        double[] predictorDraws = new double[5];
        double[] correctorDraws = new double[5];
        parent.normals(17L, 0, predictorDraws, 0, 5);
        corrector.normals(17L, 0, correctorDraws, 0, 5);
        assertFalse(Arrays.equals(predictorDraws, correctorDraws));
    }

    @Test
    void withoutCorrectorOnlyPredicts() {
        Predictor predictor = mock(Predictor.class);
        SampleStage stage = new SampleStage(grid(TIMES), predictor, Optional.empty());
        Block block = new Particles(2, 1).all();
        Noise noise = PhiloxNoise.of(9L, 0, 1);
        stage.step(1, block, noise);
        verify(predictor).step(block, 1.0, 0.5, noise);
        verify(predictor, never()).step(any(), anyDouble(), org.mockito.ArgumentMatchers.eq(1.0), any());
    }

    @Test
    void timeAfterKStepsIsTheGridsKthTime() {
        SampleStage stage = new SampleStage(grid(TIMES), mock(Predictor.class), Optional.empty());
        for (int k = 0; k < TIMES.length; k++) {
            assertEquals(TIMES[k], stage.time(k, 99.0));
        }
    }

    @Test
    void gridIsReadOnceAndCopied() {
        double[] times = TIMES.clone();
        TimeGrid grid = mock(TimeGrid.class);
        when(grid.times()).thenReturn(times);
        SampleStage stage = new SampleStage(grid, mock(Predictor.class), Optional.empty());
        times[1] = 100.0;
        assertEquals(TIMES[1], stage.time(1, 0.0));
        verify(grid).times();
    }

    static Stream<Arguments> badGrids() {
        return Stream.of(
                Arguments.of(new double[] {1.0}, "at least two times"),
                Arguments.of(new double[] {}, "at least two times"),
                Arguments.of(new double[] {0.0, 1.0}, "strictly decreasing"),
                Arguments.of(new double[] {1.0, 0.5, 0.5, 0.1}, "strictly decreasing"),
                Arguments.of(new double[] {1.0, Double.NaN, 0.1}, "non-finite"));
    }

    @ParameterizedTest
    @MethodSource("badGrids")
    void refusesGridsThatDoNotRunBackwards(double[] times, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SampleStage(grid(times), mock(Predictor.class), Optional.empty()));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
