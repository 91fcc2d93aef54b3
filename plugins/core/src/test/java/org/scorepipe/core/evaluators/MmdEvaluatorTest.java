package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class MmdEvaluatorTest {
    private static final DataSource CENTRED = mixture(2, new Part(1.0, new double[] {0, 0}, new double[] {1.0}));
    private static final double[] SHIFT = {1.0, 0.5};
    private static final DataSource SHIFTED = mixture(2, new Part(1.0, SHIFT, new double[] {1.0}));

    private static Metrics evaluate(DataSource data, double[] bandwidths, int maxSamples, Particles particles) {
        return new MmdEvaluator(new MmdEvaluator.Params(Reference.DATA, bandwidths, 0, maxSamples), data, ornsteinUhlenbeck())
                .evaluate(particles, new EvalContext("eval", 0.0, evaluationNoise()));
    }

    /**
     * MMD^2 between N(0, I) and N(v, I) in d dimensions with k = exp(-|x - y|^2 / (2 h^2)): with
     * E exp(-|Z|^2 / (2 h^2)) = (1 + s/h^2)^{-d/2} exp(-|m|^2 / (2 (s + h^2))) for Z ~ N(m, s I), and
     * X - X' ~ N(0, 2I), X - Y ~ N(-v, 2I): 2 (1 + 2/h^2)^{-d/2} (1 - exp(-|v|^2 / (2 (2 + h^2)))).
     */
    private static double shiftedGaussians(double h, double[] v) {
        int d = v.length;
        double v2 = 0.0;
        for (double c : v) {
            v2 += c * c;
        }
        return 2.0 * Math.pow(1.0 + 2.0 / (h * h), -d / 2.0) * (1.0 - Math.exp(-v2 / (2.0 * (2.0 + h * h))));
    }

    @Test
    void aSampleAgainstItselfIsZeroUpToTheUnbiasedCorrection() {
        int n = 500;
        // Drawn with the evaluation's own noise, the reference samples are these very particles.
        Particles particles = new Particles(n, 2);
        CENTRED.sample(particles.all(), evaluationNoise());
        double mmd2 = evaluate(CENTRED, new double[] {1.0}, 4000, particles).number("mmd-squared");
        // With y = x the three sums share their off-diagonal mean A and the cross sum adds the n
        // diagonal terms k(x, x) = 1: MMD_u^2 = 2A - 2((n - 1) A + 1) / n = -2 (1 - A) / n, in [-2/n, 0].
        double offDiagonal = 0.0;
        double[] x = particles.data();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double dx = x[2 * i] - x[2 * j];
                    double dy = x[2 * i + 1] - x[2 * j + 1];
                    offDiagonal += Math.exp(-0.5 * (dx * dx + dy * dy));
                }
            }
        }
        double a = offDiagonal / ((double) n * (n - 1));
        assertEquals(-2.0 * (1.0 - a) / n, mmd2, 1e-12);
        assertTrue(mmd2 <= 0 && mmd2 >= -2.0 / n, "MMD_u^2 of a sample with itself: " + mmd2);
    }

    @Test
    void twoSamplesOfOneLawAreNearZero() {
        Particles particles = sample(CENTRED, 3000, 1);
        double mmd2 = evaluate(CENTRED, new double[] {1.0}, 4000, particles).number("mmd-squared");
        // Under the null MMD_u^2 has mean 0 and, measured over 20 seeds at n = m = 3000 with h = 1,
        // an sd of 2.5e-4: allow 5 sd.
        assertEquals(0.0, mmd2, 1.25e-3);
    }

    @Test
    void shiftedGaussiansMatchTheClosedForm() {
        int n = 3000;
        Particles particles = sample(CENTRED, n, 1);
        Metrics metrics = evaluate(SHIFTED, new double[] {1.0}, 4000, particles);
        // Closed form 0.1254; the estimate's sd, measured over 20 seeds at n = m = 3000, is 0.0042: 5 sd = 0.021.
        assertEquals(shiftedGaussians(1.0, SHIFT), metrics.number("mmd-squared"), 0.021);
        assertEquals(Math.sqrt(metrics.number("mmd-squared")), metrics.number("mmd"), 1e-15);
        assertEquals(n, metrics.number("mmd-subsample"));
        assertEquals(n, metrics.number("mmd-reference-samples"));
        assertArrayEquals(new double[] {1.0}, metrics.vector("mmd-bandwidths"));
    }

    @Test
    void severalBandwidthsSumTheirKernels() {
        double[] x = sample(CENTRED, 400, 1).data();
        double[] y = sample(SHIFTED, 300, 2).data();
        double both = MmdEvaluator.unbiasedSquared(x, 400, y, 300, 2, new double[] {0.5, 2.0});
        double first = MmdEvaluator.unbiasedSquared(x, 400, y, 300, 2, new double[] {0.5});
        double second = MmdEvaluator.unbiasedSquared(x, 400, y, 300, 2, new double[] {2.0});
        // The estimator is linear in the kernel.
        assertEquals(first + second, both, 1e-12);
    }

    @Test
    void largeEnsemblesAreSubsampledEvenlyAndSaySo() {
        int n = 10_000;
        Particles particles = sample(CENTRED, n, 1);
        Metrics metrics = evaluate(SHIFTED, new double[] {1.0}, 2_000, particles);
        assertEquals(2_000, metrics.number("mmd-subsample"));
        assertEquals(2_000, metrics.number("mmd-reference-samples"));
        // The subsample is rows 0, 5, 10, ...: the same number as computing on those rows directly.
        double[] rows = new double[2_000 * 2];
        for (int i = 0; i < 2_000; i++) {
            rows[2 * i] = particles.data()[2 * (5 * i)];
            rows[2 * i + 1] = particles.data()[2 * (5 * i) + 1];
        }
        Particles reference = Reference.DATA.samples(SHIFTED, ornsteinUhlenbeck(), 2_000, 2,
                new EvalContext("eval", 0.0, evaluationNoise()));
        assertEquals(MmdEvaluator.unbiasedSquared(rows, 2_000, reference.data(), 2_000, 2, new double[] {1.0}),
                metrics.number("mmd-squared"), 1e-15);
        // sd at 2 000 is about 0.0042 * sqrt(3000/2000) = 0.0051: 5 sd = 0.026.
        assertEquals(shiftedGaussians(1.0, SHIFT), metrics.number("mmd-squared"), 0.026);
    }

    @Test
    void theMedianHeuristicPicksTheMedianPooledDistance() {
        Particles particles = sample(CENTRED, 600, 1);
        Metrics metrics = evaluate(SHIFTED, new double[0], 4000, particles);
        double h = metrics.vector("mmd-bandwidths")[0];
        // The pooled law is (N(0, I) + N(v, I)) / 2; pairwise distances of N(0, 2I) have median
        // sqrt(2 * 2 ln 2) = 1.67 (a Rayleigh law of scale sqrt 2), the shift pushes it up a little.
        assertTrue(h > 1.6 && h < 2.0, "median heuristic bandwidth " + h);
        assertEquals(MmdEvaluator.unbiasedSquared(particles.data(), 600,
                Reference.DATA.samples(SHIFTED, ornsteinUhlenbeck(), 600, 2, new EvalContext("eval", 0.0, evaluationNoise())).data(),
                600, 2, new double[] {h}), metrics.number("mmd-squared"), 1e-15);
    }

    @Test
    void refusesBadParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MmdEvaluator.Params(Reference.DATA, new double[] {-1.0}, 0, 4000));
        assertTrue(e.getMessage().contains("bandwidths"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MmdEvaluator.Params(Reference.DATA, null, 0, 1));
        assertTrue(e.getMessage().contains("max-samples"), e.getMessage());
    }
}
