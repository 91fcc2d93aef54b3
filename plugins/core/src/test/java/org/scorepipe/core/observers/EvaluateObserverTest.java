package org.scorepipe.core.observers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.runtime.noise.PhiloxNoise;

class EvaluateObserverTest {

    @Test
    void recordsTheMergedMetricsUnderTheObservationsNameAndTime() {
        Evaluator first = mock(Evaluator.class);
        Evaluator second = mock(Evaluator.class);
        when(first.evaluate(any(), any())).thenReturn(Metrics.builder().put("mean-error", 0.5).build());
        when(second.evaluate(any(), any())).thenReturn(
                Metrics.builder().put("mode-frequencies", new double[] {0.25, 0.75}).put("max-weight-error", 0.1).build());
        RunOutputs outputs = mock(RunOutputs.class);
        EvaluateObserver observer = new EvaluateObserver(List.of(first, second));

        Particles particles = new Particles(4, 2);
        particles.setTime(0.25);
        Noise noise = PhiloxNoise.of(1L, 3, 0);
        observer.observe(particles, new Observation("eval", 0, 0.25, noise, outputs));

        ArgumentCaptor<Evaluator.EvalContext> context = ArgumentCaptor.forClass(Evaluator.EvalContext.class);
        verify(first).evaluate(eq(particles), context.capture());
        assertEquals("eval", context.getValue().stage());
        assertEquals(0.25, context.getValue().time());
        assertSame(noise, context.getValue().noise());
        verify(second).evaluate(eq(particles), any());

        ArgumentCaptor<Metrics> recorded = ArgumentCaptor.forClass(Metrics.class);
        verify(outputs).recordMetrics(eq("eval"), eq(0.25), recorded.capture());
        Metrics metrics = recorded.getValue();
        assertEquals(List.of("mean-error", "mode-frequencies", "max-weight-error"),
                List.copyOf(metrics.values().keySet()));
        assertEquals(0.5, metrics.number("mean-error"));
        assertArrayEquals(new double[] {0.25, 0.75}, metrics.vector("mode-frequencies"));
        assertEquals(0.1, metrics.number("max-weight-error"));
    }

    @Test
    void refusesAnEmptyEvaluatorList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EvaluateObserver(List.of()));
        assertEquals("evaluate needs at least one evaluator; list them under evaluators: [moments, ...]",
                e.getMessage());
    }

    @Test
    void aMetricReportedTwiceIsAClearError() {
        Evaluator evaluator = mock(Evaluator.class);
        when(evaluator.evaluate(any(), any())).thenReturn(Metrics.builder().put("mean-error", 0.5).build());
        EvaluateObserver observer = new EvaluateObserver(List.of(evaluator, evaluator));
        Observation at = new Observation("eval", 0, 0.0, PhiloxNoise.of(1L, 0, 0), mock(RunOutputs.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> observer.observe(new Particles(2, 1), at));
        assertTrue(e.getMessage().contains("mean-error") && e.getMessage().contains("eval"), e.getMessage());
    }
}
