package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

class InitStageTest {
    private static final long SEED = 11L;

    private static InitStage gaussian(double scale) {
        return new InitStage(new InitStage.Params(InitStage.Source.GAUSSIAN, scale, 2.5), mock(DataSource.class));
    }

    @Test
    void gaussianStartHasMeanZeroAndVarianceScaleSquared() {
        int n = 20_000;
        int d = 2;
        double scale = 2.0;
        Particles particles = new Particles(n, d);
        gaussian(scale).step(0, particles.all(), PhiloxNoise.of(SEED, 0, 0));
        double[] x = particles.data();
        int count = n * d;
        double sum = 0.0;
        for (double v : x) {
            sum += v;
        }
        double mean = sum / count;
        double squares = 0.0;
        for (double v : x) {
            squares += (v - mean) * (v - mean);
        }
        double variance = squares / (count - 1);
        // Standard errors over the 40 000 independent coordinates: scale / sqrt(N) for the mean,
        // scale^2 sqrt(2 / (N - 1)) for the variance of a normal sample; allow 5 of each.
        assertEquals(0.0, mean, 5 * scale / Math.sqrt(count));
        assertEquals(scale * scale, variance, 5 * scale * scale * Math.sqrt(2.0 / (count - 1)));
    }

    @Test
    void resultDoesNotDependOnBlocking() {
        int n = 101;
        int d = 3;
        InitStage stage = gaussian(1.5);
        Particles whole = new Particles(n, d);
        stage.step(0, whole.all(), PhiloxNoise.of(SEED, 4, 0));
        Particles split = new Particles(n, d);
        stage.step(0, split.block(0, 37), PhiloxNoise.of(SEED, 4, 0));
        stage.step(0, split.block(37, n), PhiloxNoise.of(SEED, 4, 0));
        assertArrayEquals(whole.data(), split.data());
        // A partition holding particles 37.. on its own draws the same rows.
        Particles partition = new Particles(n - 37, d, 37, new double[(n - 37) * d], 0.0);
        stage.step(0, partition.all(), PhiloxNoise.of(SEED, 4, 0));
        for (int j = 0; j < (n - 37) * d; j++) {
            assertEquals(whole.data()[37 * d + j], partition.data()[j]);
        }
    }

    @Test
    void dataStartDelegatesToTheDataSource() {
        DataSource data = mock(DataSource.class);
        InitStage stage = new InitStage(new InitStage.Params(InitStage.Source.DATA, 1.0, 0.0), data);
        Block block = new Particles(5, 2).all();
        Noise noise = PhiloxNoise.of(SEED, 0, 0);
        stage.step(0, block, noise);
        verify(data).sample(block, noise);
    }

    @Test
    void gaussianStartDoesNotTouchTheDataSource() {
        DataSource data = mock(DataSource.class);
        new InitStage(new InitStage.Params(InitStage.Source.GAUSSIAN, 1.0, 0.0), data)
                .step(0, new Particles(3, 2).all(), PhiloxNoise.of(SEED, 0, 0));
        verifyNoInteractions(data);
    }

    @Test
    void oneStepThatSetsTheTime() {
        InitStage stage = gaussian(1.0);
        assertEquals(1, stage.steps());
        assertEquals(2.5, stage.time(1, 0.0));
        assertEquals(0.75, stage.time(0, 0.75));
    }

    @Test
    void refusesBadParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InitStage.Params(InitStage.Source.GAUSSIAN, 0.0, 0.0));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new InitStage.Params(InitStage.Source.GAUSSIAN, 1.0, Double.NaN));
    }
}
