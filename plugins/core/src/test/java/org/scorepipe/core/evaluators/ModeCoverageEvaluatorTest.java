package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mergedOverRanges;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;
import static org.scorepipe.core.evaluators.Targets.text;
import static org.scorepipe.core.evaluators.Targets.withoutClosedForm;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class ModeCoverageEvaluatorTest {
    /** Modes 20 apart, one with weight 0.005 below the default threshold 0.01. */
    private static final DataSource DATA = mixture(2,
            new Part(0.495, new double[] {-20, 0}, new double[] {1.0}),
            new Part(0.5, new double[] {0, 0}, new double[] {1.0}),
            new Part(0.005, new double[] {20, 0}, new double[] {1.0}));

    private static Metrics evaluate(double minShare, Particles particles) {
        return new ModeCoverageEvaluator(new ModeCoverageEvaluator.Params(Reference.DATA, minShare), DATA, ornsteinUhlenbeck())
                .evaluate(particles, new EvalContext("eval", 0.0, evaluationNoise()));
    }

    @Test
    void exactSamplesCoverEveryModeAboveTheThreshold() {
        Particles particles = sample(DATA, 20_000, 1);
        // The small mode holds Binomial(20000, 0.005) = 100 +- 10 particles: far from 0, far below 200.
        Metrics atOnePercent = evaluate(0.01, particles);
        assertEquals(2, atOnePercent.number("modes-covered"));
        assertEquals(2.0 / 3, atOnePercent.number("mode-coverage"), 1e-15);
        assertEquals(0, atOnePercent.number("modes-missing"));
        Metrics atOnePermille = evaluate(0.001, particles);
        assertEquals(3, atOnePermille.number("modes-covered"));
        assertEquals(1.0, atOnePermille.number("mode-coverage"));
    }

    /** Counts per mode add up exactly: chunk statistics over ranges cut anywhere (even mid-chunk) give evaluate's metrics. */
    @Test
    void chunkStatisticsOverAnyBlocksGiveTheWholeEnsemblesMetrics() {
        Particles particles = sample(DATA, 3000, 1);
        particles.setTime(0.5);
        EvalContext context = new EvalContext("eval", 0.5, evaluationNoise());
        for (Reference reference : Reference.values()) {
            for (double minShare : new double[] {0.001, 0.01, 0.4}) {
                ModeCoverageEvaluator evaluator = new ModeCoverageEvaluator(new ModeCoverageEvaluator.Params(reference, minShare),
                        DATA, ornsteinUhlenbeck());
                String whole = text(evaluator.evaluate(particles, context));
                for (int[] cuts : new int[][] {{}, {7}, {256, 1000, 1001}, {300, 2999}}) {
                    assertEquals(whole, text(mergedOverRanges(evaluator, particles, cuts, context)),
                            reference + " " + minShare + " cut at " + java.util.Arrays.toString(cuts));
                }
            }
        }
    }

    @Test
    void aCollapsedEnsembleMissesTheOtherModes() {
        Particles particles = new Particles(50, 2);
        for (int i = 0; i < 50; i++) {
            particles.data()[2 * i] = -19.5;
        }
        Metrics metrics = evaluate(0.01, particles);
        assertEquals(1, metrics.number("modes-covered"));
        assertEquals(1, metrics.number("modes-missing"));
    }

    @Test
    void needsAMixtureAndRejectsBadShares() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModeCoverageEvaluator(
                new ModeCoverageEvaluator.Params(Reference.DATA, 0.01), withoutClosedForm(DATA), ornsteinUhlenbeck()));
        assertTrue(e.getMessage().contains("gaussian-mixture"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ModeCoverageEvaluator.Params(Reference.DATA, 0.0));
        assertThrows(IllegalArgumentException.class, () -> new ModeCoverageEvaluator.Params(Reference.DATA, 1.5));
    }
}
