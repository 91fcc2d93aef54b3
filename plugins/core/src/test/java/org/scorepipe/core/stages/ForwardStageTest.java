package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Particles;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.runtime.noise.PhiloxNoise;

class ForwardStageTest {

    @Test
    void ornsteinUhlenbeckFromAPointGivesTheExactMoments() {
        int n = 20_000;
        double[] start = {3.0, -1.0};
        int d = start.length;
        double t = 0.7;
        Particles particles = new Particles(n, d);
        for (int i = 0; i < n; i++) {
            System.arraycopy(start, 0, particles.data(), i * d, d);
        }
        ForwardStage stage = new ForwardStage(new ForwardStage.Params(0.0, t),
                new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params()));
        stage.step(0, particles.all(), PhiloxNoise.of(5L, 1, 0));

        // X_t = e^{-t} x_0 + sqrt(1 - e^{-2t}) Z: per coordinate mean e^{-t} x_0[j], variance 1 - e^{-2t}.
        double alpha = Math.exp(-t);
        double variance = 1.0 - Math.exp(-2.0 * t);
        for (int j = 0; j < d; j++) {
            double sum = 0.0;
            for (int i = 0; i < n; i++) {
                sum += particles.data()[i * d + j];
            }
            double mean = sum / n;
            double squares = 0.0;
            for (int i = 0; i < n; i++) {
                double c = particles.data()[i * d + j] - mean;
                squares += c * c;
            }
            // 5 standard errors: sqrt(v / n) for the mean, v sqrt(2 / (n - 1)) for the variance.
            assertEquals(alpha * start[j], mean, 5 * Math.sqrt(variance / n));
            assertEquals(variance, squares / (n - 1), 5 * variance * Math.sqrt(2.0 / (n - 1)));
        }
        assertEquals(t, stage.time(1, 0.0));
        assertEquals(1, stage.steps());
    }

    @Test
    void refusesToGoBackwards() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ForwardStage.Params(1.0, 0.5));
        assertTrue(e.getMessage().contains("to must be >= from"), e.getMessage());
    }
}
