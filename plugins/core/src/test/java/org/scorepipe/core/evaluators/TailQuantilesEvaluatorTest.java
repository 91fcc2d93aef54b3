package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class TailQuantilesEvaluatorTest {
    private static final int D = 3;
    private static final double[] LEVELS = {0.9, 0.99, 0.999};
    private static final DataSource STANDARD = mixture(D, new Part(1.0, new double[D], new double[] {1.0}));

    private static Metrics evaluate(Particles particles) {
        return new TailQuantilesEvaluator(new TailQuantilesEvaluator.Params(Reference.DATA, LEVELS, 0), STANDARD,
                ornsteinUhlenbeck()).evaluate(particles, new EvalContext("eval", 0.0, evaluationNoise()));
    }

    @Test
    void exactSamplesHaveTheChiQuantiles() {
        int n = 40_000;
        Metrics metrics = evaluate(sample(STANDARD, n, 1));
        ChiSquaredDistribution chi2 = new ChiSquaredDistribution(D);
        double[] quantiles = metrics.vector("radial-quantiles");
        double[] target = metrics.vector("target-radial-quantiles");
        for (int l = 0; l < LEVELS.length; l++) {
            double p = LEVELS[l];
            // |x| of N(0, I_3) is the square root of a chi^2_3 variable.
            double q = Math.sqrt(chi2.inverseCumulativeProbability(p));
            // An empirical p-quantile has sd sqrt(p (1 - p) / n) / f(q), with the density of r = |x|
            // f(r) = 2 r f_chi2(r^2): 5 sd (0.1 at p = 0.999, 0.013 at p = 0.9).
            double sd = Math.sqrt(p * (1 - p) / n) / (2 * q * chi2.density(q * q));
            assertEquals(q, quantiles[l], 5 * sd, "particles at " + p);
            assertEquals(q, target[l], 5 * sd, "reference at " + p);
        }
        assertArrayEquals(LEVELS, metrics.vector("tail-levels"));
    }

    @Test
    void overDispersedParticlesShowTheirScale() {
        Particles particles = sample(STANDARD, 40_000, 1);
        for (int i = 0; i < particles.data().length; i++) {
            particles.data()[i] *= 1.5;
        }
        // Every radial quantile of the particles is 1.5 times the law's; the reference's own sampling
        // error (relative sd up to 0.1 / 3.6 = 2.8% at 99.9%, 5 sd) bounds the rest.
        assertEquals(0.5, evaluate(particles).number("tail-quantile-error"), 0.5 * 0.14 + 0.05);
    }

    @Test
    void quantilesInterpolateBetweenOrderStatistics() {
        double[] sorted = {1, 2, 3, 4, 5};
        // h = (n - 1) p: 0.9 -> 3.6 -> 4.6; 0.5 -> 2 -> 3; 0.1 -> 0.4 -> 1.4.
        assertArrayEquals(new double[] {4.6, 3.0, 1.4},
                TailQuantilesEvaluator.quantiles(sorted, new double[] {0.9, 0.5, 0.1}), 1e-12);
    }

    @Test
    void refusesLevelsOutsideTheUnitInterval() {
        assertThrows(IllegalArgumentException.class,
                () -> new TailQuantilesEvaluator.Params(Reference.DATA, new double[] {1.0}, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TailQuantilesEvaluator.Params(Reference.DATA, new double[0], 0));
    }
}
