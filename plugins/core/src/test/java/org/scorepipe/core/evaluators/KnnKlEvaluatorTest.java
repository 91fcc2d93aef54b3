package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class KnnKlEvaluatorTest {
    private static final DataSource CENTRED = mixture(2, new Part(1.0, new double[] {0, 0}, new double[] {1.0}));

    private static Metrics evaluate(DataSource reference, Particles particles, int maxSamples) {
        return new KnnKlEvaluator(new KnnKlEvaluator.Params(Reference.DATA, 5, 0, maxSamples), reference,
                ornsteinUhlenbeck()).evaluate(particles, new EvalContext("eval", 0.0, evaluationNoise()));
    }

    @Test
    void shiftedGaussiansAreHalfTheSquaredShiftApart() {
        DataSource shifted = mixture(2, new Part(1.0, new double[] {1.0, 0.5}, new double[] {1.0}));
        int n = 10_000;
        Metrics metrics = evaluate(shifted, sample(CENTRED, n, 1), n);
        // KL(N(0, I) || N(v, I)) = |v|^2 / 2 = 0.625. Over 20 seeds at n = m = 4000 (k = 5) the estimate
        // had sd 0.035 and bias -0.04; at 10 000 the sd is about 0.035 sqrt(0.4) = 0.022: bias + 5 sd = 0.15.
        assertEquals(0.625, metrics.number("knn-kl"), 0.15);
        assertEquals(n, metrics.number("knn-kl-subsample"));
    }

    @Test
    void aWiderTargetGivesTheGaussianClosedForm() {
        DataSource wide = mixture(2, new Part(1.0, new double[] {0, 0}, new double[] {2.0}));
        // KL(N(0, I) || N(0, s I)) = (d/2) (1/s - 1 + ln s) = 0.193 for d = 2, s = 2; measured sd 0.017 at
        // 4000 with a bias of +0.01: bias + 5 sd = 0.1.
        assertEquals(0.5 * 2 * (0.5 - 1.0 + Math.log(2.0)), evaluate(wide, sample(CENTRED, 4000, 1), 4000)
                .number("knn-kl"), 0.1);
    }

    @Test
    void theSameLawIsNearZero() {
        // sd of the estimate for equal laws at n = m = 4000 about 0.03 (as above): 5 sd = 0.15.
        double kl = evaluate(CENTRED, sample(CENTRED, 4000, 1), 4000).number("knn-kl");
        assertEquals(0.0, kl, 0.15);
    }

    @Test
    void matchesTheFormulaOnATinyExample() {
        // P = {0, 1, 3} and Q = {0.5, 10} on the line, k = 1: rho = (1, 1, 2), nu = (0.5, 0.5, 2.5), so
        // KL = (1/3)(ln 0.5 + ln 0.5 + ln 1.25) + ln(2 / 2).
        double kl = KnnKlEvaluator.divergence(new double[] {0, 1, 3}, 3, new double[] {0.5, 10}, 2, 1, 1);
        assertEquals((Math.log(0.5) + Math.log(0.5) + Math.log(1.25)) / 3, kl, 1e-15);
    }

    @Test
    void aCollapsedEnsembleHasInfiniteDivergence() {
        Particles collapsed = new Particles(100, 2);
        assertEquals(Double.POSITIVE_INFINITY, evaluate(CENTRED, collapsed, 4000).number("knn-kl"));
    }

    @Test
    void largeEnsemblesAreSubsampledAndSaySo() {
        Metrics metrics = evaluate(CENTRED, sample(CENTRED, 9000, 1), 3000);
        assertEquals(3000, metrics.number("knn-kl-subsample"));
        assertEquals(3000, metrics.number("knn-kl-reference-samples"));
    }

    @Test
    void refusesBadParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KnnKlEvaluator.Params(Reference.DATA, 0, 0, 100));
        assertTrue(e.getMessage().contains("k must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new KnnKlEvaluator.Params(Reference.DATA, 5, 0, 5));
        assertTrue(e.getMessage().contains("max-samples"), e.getMessage());
    }
}
