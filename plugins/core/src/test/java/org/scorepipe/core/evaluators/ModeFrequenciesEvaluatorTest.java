package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;
import static org.scorepipe.core.evaluators.Targets.withoutClosedForm;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class ModeFrequenciesEvaluatorTest {
    private static final double[] WEIGHTS = {0.2, 0.3, 0.5};
    /** Modes 20 apart with unit variances: a point is assigned to another mode with probability ~ Phi(-10). */
    private static final DataSource DATA = mixture(2,
            new Part(WEIGHTS[0], new double[] {-20, 0}, new double[] {1.0}),
            new Part(WEIGHTS[1], new double[] {0, 0}, new double[] {1.0, 2.0}),
            new Part(WEIGHTS[2], new double[] {20, 0}, new double[] {1.0, 0.2, 0.2, 1.0}));

    private static Metrics evaluate(Reference reference, Particles particles, double t) {
        return new ModeFrequenciesEvaluator(new ModeFrequenciesEvaluator.Params(reference), DATA, ornsteinUhlenbeck())
                .evaluate(particles, new EvalContext("eval", t, evaluationNoise()));
    }

    private static void assertNearWeights(Metrics metrics, int n) {
        double[] frequencies = metrics.vector("mode-frequencies");
        assertArrayEquals(WEIGHTS, metrics.vector("target-weights"));
        double maxError = 0.0;
        for (int k = 0; k < WEIGHTS.length; k++) {
            // Each count is Binomial(n, w_k): 5 standard errors sqrt(w (1 - w) / n).
            assertEquals(WEIGHTS[k], frequencies[k], 5 * Math.sqrt(WEIGHTS[k] * (1 - WEIGHTS[k]) / n));
            maxError = Math.max(maxError, Math.abs(frequencies[k] - WEIGHTS[k]));
        }
        assertEquals(maxError, metrics.number("max-weight-error"), 1e-15);
    }

    @Test
    void exactSamplesVisitTheModesInProportionToTheWeights() {
        int n = 20_000;
        assertNearWeights(evaluate(Reference.DATA, sample(DATA, n, 1), 0.0), n);
    }

    @Test
    void noisedSamplesAreAssignedUnderTheNoisedMixture() {
        int n = 20_000;
        double t = 0.3;
        Particles particles = sample(DATA, n, 1);
        ornsteinUhlenbeck().push(particles.all(), 0.0, t, evaluationNoise().streams(2));
        // At t = 0.3 the modes sit 20 e^{-0.3} = 14.8 apart with variances near 1: still separated.
        assertNearWeights(evaluate(Reference.NOISED, particles, t), n);
    }

    @Test
    void particlesCollapsedOnOneModeAreAllCountedThere() {
        int n = 100;
        Particles particles = new Particles(n, 2);
        for (int i = 0; i < n; i++) {
            particles.data()[i * 2] = 19.0;
            particles.data()[i * 2 + 1] = 0.5;
        }
        Metrics metrics = evaluate(Reference.DATA, particles, 0.0);
        assertArrayEquals(new double[] {0.0, 0.0, 1.0}, metrics.vector("mode-frequencies"));
        assertEquals(0.5, metrics.number("max-weight-error"), 1e-15);
    }

    @Test
    void needsAMixtureAndSaysWhatToUseInstead() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModeFrequenciesEvaluator(new ModeFrequenciesEvaluator.Params(Reference.NOISED),
                        withoutClosedForm(DATA), ornsteinUhlenbeck()));
        assertTrue(e.getMessage().contains("gaussian-mixture") && e.getMessage().contains("sliced-wasserstein"),
                e.getMessage());
    }
}
