package org.scorepipe.core.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.hipparchus.distribution.continuous.FDistribution;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.hipparchus.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.core.paths.InterpolationPath.Base;
import org.scorepipe.core.paths.InterpolationPath.Schedule;
import org.scorepipe.runtime.config.ConfigException;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.noise.PhiloxNoise;

class InterpolationPathTest {

    static InterpolationPath path(Schedule schedule, Base base, double df, double steepness) {
        return new InterpolationPath(new InterpolationPath.Params(schedule, base, df, steepness));
    }

    static double logistic(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void linearScheduleClosedForms() {
        InterpolationPath path = path(Schedule.LINEAR, Base.GAUSSIAN, 3, 10);
        for (double t : new double[] {0.0, 0.1, 0.5, 0.9}) {
            assertEquals(Math.sqrt(1 - t), path.meanScale(t), 1e-15);
            assertEquals(Math.sqrt(t), path.noiseScale(t), 1e-15);
            assertEquals(-0.5 / (1 - t), path.drift(t), 1e-14);
            assertEquals(1 / (1 - t), path.diffusionSquared(t), 1e-13);
        }
        assertEquals(0.0, path.meanScale(1.0));
        assertEquals(1.0, path.noiseScale(1.0));
    }

    @Test
    void cosineScheduleClosedForms() {
        InterpolationPath path = path(Schedule.COSINE, Base.GAUSSIAN, 3, 10);
        for (double t : new double[] {0.0, 0.1, 0.5, 0.9}) {
            double c = Math.cos(Math.PI * t / 2);
            assertEquals(c, path.meanScale(t), 1e-15);
            assertEquals(Math.sin(Math.PI * t / 2), path.noiseScale(t), 1e-15);
            // f = lambda' / (2 lambda) = -(pi / 2) tan(pi t / 2), g^2 = pi tan(pi t / 2).
            assertEquals(-Math.PI / 2 * Math.tan(Math.PI * t / 2), path.drift(t), 1e-13);
            assertEquals(Math.PI * Math.tan(Math.PI * t / 2), path.diffusionSquared(t), 1e-13);
        }
        assertEquals(0.5, path.lambda(0.5), 1e-15);
        assertTrue(path.lambda(1.0) < 1e-30, "lambda(1) = " + path.lambda(1.0));
        // Near t = 0 sigma = sin(pi t / 2) to full relative precision (1 - cos^2 would keep ~6 digits at 1e-5).
        assertEquals(Math.sin(Math.PI * 1e-9 / 2), path.noiseScale(1e-9), 1e-15 * 1e-9);
    }

    /** The sigmoid schedule against the logistic function written out directly. */
    @Test
    void sigmoidScheduleClosedForms() {
        for (double k : new double[] {2, 10, 20}) {
            InterpolationPath path = path(Schedule.SIGMOID, Base.GAUSSIAN, 3, k);
            double top = logistic(k / 2);
            double bottom = logistic(-k / 2);
            for (double t : new double[] {0.0, 0.1, 0.3, 0.5, 0.8, 1.0}) {
                double s = logistic(k * (0.5 - t));
                double lambda = (s - bottom) / (top - bottom);
                assertEquals(lambda, path.lambda(t), 1e-13, "lambda(" + t + "), k = " + k);
                assertEquals(Math.sqrt(1 - lambda), path.noiseScale(t), 1e-7, "sigma(" + t + "), k = " + k);
                double derivative = -k * s * (1 - s) / (top - bottom);
                assertEquals(derivative, path.lambdaDerivative(t), 1e-12 * k, "lambda'(" + t + "), k = " + k);
            }
            assertEquals(1.0, path.lambda(0.0), 1e-15);
            assertEquals(0.0, path.lambda(1.0), 1e-15);
            assertEquals(0.5, path.lambda(0.5), 1e-15);
            // Near t = 0, 1 - lambda_t = -lambda'(0) t (1 + O(k t)) with -lambda'(0) = k S(0)(1 - S(0)) / (S(0) - S(1));
            // at t = 1e-12 the O(k t) term is below 1e-10 relative; the naive (S(0) - S(t)) / (S(0) - S(1)) would be
            // off by ~1e-16 / (k t / 4), over 1e-5, while the sinh form keeps full precision.
            double t = 1e-12;
            double firstOrder = k * top * (1 - top) * t / (top - bottom);
            assertEquals(firstOrder, path.noiseScale(t) * path.noiseScale(t), 1e-9 * firstOrder);
        }
    }

    /** g^2 = -lambda' / lambda >= 0 on (0, 1) because every schedule decreases. */
    @Test
    void diffusionIsNonNegativeForEverySchedule() {
        for (Schedule schedule : Schedule.values()) {
            for (double k : new double[] {1, 10, 40}) {
                InterpolationPath path = path(schedule, Base.GAUSSIAN, 3, k);
                double previous = 2;
                for (int i = 0; i < 1000; i++) {
                    double t = i / 1000.0;
                    assertTrue(path.diffusionSquared(t) >= 0, schedule + " g^2(" + t + ") = " + path.diffusionSquared(t));
                    assertTrue(path.lambda(t) < previous, schedule + " lambda decreases at " + t);
                    previous = path.lambda(t);
                    assertEquals(1.0, path.meanScale(t) * path.meanScale(t) + path.noiseScale(t) * path.noiseScale(t), 1e-14);
                }
            }
        }
    }

    /**
     * Pushing x = 0 from t0 = 0 gives sigma_t Z with Z a standard multivariate t_nu: each
     * coordinate of Z is t_nu, and |Z|^2 / d is F(d, nu) (the coordinates share one chi^2
     * mixing variable, which independent t coordinates would not). Kolmogorov-Smirnov at the 1%
     * level with a fixed seed; the same samples reject a normal at p < 1e-10, so the test can fail.
     */
    @Test
    void studentTBaseSamplesPassKolmogorovSmirnov() {
        double df = 3.5;
        int d = 3;
        int n = 20_000;
        InterpolationPath path = path(Schedule.COSINE, Base.STUDENT_T, df, 10);
        assertEquals(df, path.noiseDegreesOfFreedom());
        Particles particles = new Particles(n, d);
        path.push(particles.all(), 0.0, 0.6, PhiloxNoise.of(11, 1, 0));
        double sigma = path.noiseScale(0.6);
        double[] x = particles.data();
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
        for (int j = 0; j < d; j++) {
            double[] coordinate = new double[n];
            for (int r = 0; r < n; r++) {
                coordinate[r] = x[r * d + j] / sigma;
            }
            double p = ks.kolmogorovSmirnovTest(new TDistribution(df), coordinate);
            assertTrue(p > 0.01, "coordinate " + j + ": p = " + p);
            if (j == 0) {
                double normal = ks.kolmogorovSmirnovTest(new NormalDistribution(0, 1), coordinate);
                assertTrue(normal < 1e-10, "a normal is rejected: p = " + normal);
            }
        }
        double[] radius = new double[n];
        for (int r = 0; r < n; r++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                s += x[r * d + j] * x[r * d + j];
            }
            radius[r] = s / (sigma * sigma * d);
        }
        double p = ks.kolmogorovSmirnovTest(new FDistribution(d, df), radius);
        assertTrue(p > 0.01, "|Z|^2 / d against F(d, nu): p = " + p);
    }

    /** From t0 = 0 the Student-t push is alpha x + sigma Z exactly, per particle, whatever the blocking. */
    @Test
    void studentTPushScalesTheDataAndDoesNotDependOnTheBlocking() {
        InterpolationPath path = path(Schedule.LINEAR, Base.STUDENT_T, 4, 10);
        double[] start = new double[200];
        PhiloxNoise.of(3, 0, 0).normals(0, 0, start, 0, 200);
        Particles data = new Particles(100, 2, 0, start.clone(), 0.0);
        path.push(data.all(), 0.0, 0.3, PhiloxNoise.of(3, 1, 0));
        Particles noiseOnly = new Particles(100, 2);
        path.push(noiseOnly.all(), 0.0, 0.3, PhiloxNoise.of(3, 1, 0));
        Particles split = new Particles(100, 2, 0, start.clone(), 0.0);
        PhiloxNoise noise = PhiloxNoise.of(3, 1, 0);
        path.push(split.block(0, 41), 0.0, 0.3, noise);
        path.push(split.block(41, 100), 0.0, 0.3, noise);
        for (int c = 0; c < 200; c++) {
            assertEquals(Math.sqrt(0.7) * start[c] + noiseOnly.data()[c], data.data()[c], 1e-14);
            assertEquals(data.data()[c], split.data()[c], 0.0);
        }
    }

    @Test
    void studentTPushRefusesTwoPositiveTimes() {
        InterpolationPath path = path(Schedule.LINEAR, Base.STUDENT_T, 3, 10);
        Particles particles = new Particles(2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> path.push(particles.all(), 0.2, 0.5, PhiloxNoise.of(1, 0, 0)));
        assertEquals("the interpolation path with a student-t base has no closed-form transition between two positive"
                + " times (asked from t0 = 0.2 to t1 = 0.5); noise from the data at t0 = 0, or use base: gaussian",
                e.getMessage());
    }

    @Test
    void degreesOfFreedomMustExceedTwo() {
        for (double df : new double[] {2.0, 1.0, -3.0, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new InterpolationPath.Params(Schedule.LINEAR, Base.STUDENT_T, df, 10));
            assertEquals("df must be > 2 (the Student-t base needs a finite variance), got " + df
                    + "; for a Gaussian base use base: gaussian", e.getMessage());
        }
        NoisingPath gaussian = path(Schedule.LINEAR, Base.GAUSSIAN, 3, 10);
        assertEquals(Double.POSITIVE_INFINITY, gaussian.noiseDegreesOfFreedom());
    }

    /** A schedule or base the path does not know is refused when the config is bound, naming the choices. */
    @Test
    void unknownScheduleOrBaseIsAClearError() {
        ConfigException schedule = assertThrows(ConfigException.class, () -> bind("schedule", "exponential"));
        assertTrue(schedule.getMessage().contains("components.path.schedule"), schedule.getMessage());
        assertTrue(schedule.getMessage().contains("unknown value 'exponential'"), schedule.getMessage());
        assertTrue(schedule.getMessage().contains("[linear, cosine, sigmoid]"), schedule.getMessage());
        ConfigException base = assertThrows(ConfigException.class, () -> bind("base", "laplace"));
        assertTrue(base.getMessage().contains("unknown value 'laplace'"), base.getMessage());
        assertTrue(base.getMessage().contains("[gaussian, student-t]"), base.getMessage());
        InterpolationPath.Params studentT = bind("base", "student-t");
        assertEquals(Base.STUDENT_T, studentT.base());
        assertEquals(Schedule.LINEAR, studentT.schedule());
    }

    private static InterpolationPath.Params bind(String key, String value) {
        ImmutableNode node = new ImmutableNode.Builder()
                .addChild(new ImmutableNode.Builder().name(key).value(value).create()).create();
        return ParameterBinder.bind(InterpolationPath.Params.class,
                new ConfigSection("pipeline.yaml", "components.path", node), List.of("type"));
    }
}
