package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;

import org.hipparchus.special.Erf;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class EnergyDistanceEvaluatorTest {
    private static final DataSource GAUSSIAN_3D = mixture(3, new Part(0.5, new double[] {1, 0, 0}, new double[] {1.0}),
            new Part(0.5, new double[] {-1, 2, 0}, new double[] {0.5, 1.0, 2.0}));

    @Test
    void isSymmetric() {
        double[] x = sample(GAUSSIAN_3D, 700, 1).data();
        double[] y = sample(GAUSSIAN_3D, 500, 2).data();
        double xy = EnergyDistanceEvaluator.energyDistance(x, 700, y, 500, 3);
        double yx = EnergyDistanceEvaluator.energyDistance(y, 500, x, 700, 3);
        // The same sums, added in another order: equal up to rounding.
        assertEquals(xy, yx, 1e-12 * xy);
        assertTrue(xy > 0);
    }

    @Test
    void isZeroOnEqualSetsInAnyOrder() {
        Particles particles = sample(GAUSSIAN_3D, 600, 1);
        double[] x = particles.data();
        assertEquals(0.0, EnergyDistanceEvaluator.energyDistance(x, 600, x, 600, 3), 1e-12);
        double[] reversed = new double[x.length];
        for (int i = 0; i < 600; i++) {
            System.arraycopy(x, (599 - i) * 3, reversed, i * 3, 3);
        }
        assertEquals(0.0, EnergyDistanceEvaluator.energyDistance(x, 600, reversed, 600, 3), 1e-12);
        // And through the evaluator: drawn with the evaluation's noise, the reference is the ensemble itself.
        Particles same = new Particles(600, 3);
        GAUSSIAN_3D.sample(same.all(), evaluationNoise());
        Metrics metrics = new EnergyDistanceEvaluator(new EnergyDistanceEvaluator.Params(Reference.DATA, 0, 4000),
                GAUSSIAN_3D, ornsteinUhlenbeck()).evaluate(same, new EvalContext("eval", 0.0, evaluationNoise()));
        assertEquals(0.0, metrics.number("energy-distance"), 1e-12);
        assertEquals(600, metrics.number("energy-distance-subsample"));
    }

    /** {@code E|Z|} for {@code Z ~ N(mu, s^2)}: {@code s sqrt(2/pi) exp(-mu^2 / (2 s^2)) + mu (1 - 2 Phi(-mu/s))}. */
    private static double meanAbsolute(double mu, double s) {
        double phi = 0.5 * Erf.erfc(mu / s / Math.sqrt(2.0));
        return s * Math.sqrt(2.0 / Math.PI) * Math.exp(-mu * mu / (2 * s * s)) + mu * (1.0 - 2.0 * phi);
    }

    @Test
    void shiftedGaussiansOnTheLineMatchTheClosedForm() {
        DataSource shifted = mixture(1, new Part(1.0, new double[] {1.0}, new double[] {1.0}));
        DataSource centred = mixture(1, new Part(1.0, new double[] {0.0}, new double[] {1.0}));
        int n = 4000;
        Particles particles = sample(centred, n, 1);
        double e = new EnergyDistanceEvaluator(new EnergyDistanceEvaluator.Params(Reference.DATA, 0, 4000), shifted,
                ornsteinUhlenbeck()).evaluate(particles, new EvalContext("eval", 0.0, evaluationNoise()))
                .number("energy-distance");
        // E = 2 E|X - Y| - E|X - X'| - E|Y - Y'| with X - Y ~ N(-1, 2), X - X' ~ N(0, 2): 0.5418.
        double within = meanAbsolute(0.0, Math.sqrt(2.0));
        double exact = 2.0 * meanAbsolute(-1.0, Math.sqrt(2.0)) - 2.0 * within;
        // The V-statistic's zero diagonal biases it by E|X - X'| / n + E|Y - Y'| / m.
        double expected = exact + 2.0 * within / n;
        // sd measured over 20 seeds at n = m = 4000: 0.018; 5 sd = 0.09.
        assertEquals(expected, e, 0.09);
    }

    @Test
    void refusesBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new EnergyDistanceEvaluator.Params(Reference.DATA, -1, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new EnergyDistanceEvaluator.Params(Reference.DATA, 0, 0));
        assertTrue(e.getMessage().contains("max-samples"), e.getMessage());
    }
}
