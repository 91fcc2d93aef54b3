package org.scorepipe.core.paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

class NoisingPathsTest {

    static NoisingPath ou() {
        return new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    }

    static NoisingPath vp() {
        return new VpPath(new VpPath.Params(0.1, 20.0));
    }

    static NoisingPath ve() {
        return new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50.0));
    }

    static NoisingPath subVp() {
        return new SubVpPath(new SubVpPath.Params(0.1, 20.0));
    }

    static NoisingPath interpolation(InterpolationPath.Schedule schedule) {
        return new InterpolationPath(new InterpolationPath.Params(schedule, InterpolationPath.Base.GAUSSIAN, 3.0, 10.0));
    }

    static Stream<Arguments> paths() {
        return Stream.of(Arguments.of("ornstein-uhlenbeck", ou()), Arguments.of("vp", vp()),
                Arguments.of("variance-exploding", ve()), Arguments.of("sub-vp", subVp()),
                Arguments.of("interpolation-linear", interpolation(InterpolationPath.Schedule.LINEAR)),
                Arguments.of("interpolation-cosine", interpolation(InterpolationPath.Schedule.COSINE)),
                Arguments.of("interpolation-sigmoid", interpolation(InterpolationPath.Schedule.SIGMOID)));
    }

    @Test
    void ornsteinUhlenbeckClosedForms() {
        NoisingPath path = ou();
        for (double t : new double[] {0.0, 0.1, 1.0, 3.0}) {
            assertEquals(Math.exp(-t), path.meanScale(t), 1e-15);
            assertEquals(Math.sqrt(1 - Math.exp(-2 * t)), path.noiseScale(t), 1e-14);
            assertEquals(-1.0, path.drift(t));
            assertEquals(2.0, path.diffusionSquared(t));
        }
        // For tiny t, 1 - e^{-2t} = 2t - 2t^2 + O(t^3) to full relative precision (1 - Math.exp(-2t)
        // would keep only ~4 digits at t = 1e-12).
        double t = 1e-12;
        assertEquals(Math.sqrt(2 * t - 2 * t * t), path.noiseScale(t), 1e-14 * Math.sqrt(2 * t));
    }

    @Test
    void vpClosedForms() {
        NoisingPath path = vp();
        // B(1) = 0.1 + (20 - 0.1) / 2 = 10.05; B(0.5) = 0.05 + 19.9 / 8 = 2.5375.
        assertEquals(Math.exp(-10.05 / 2), path.meanScale(1.0), 1e-15);
        assertEquals(Math.sqrt(1 - Math.exp(-10.05)), path.noiseScale(1.0), 1e-15);
        assertEquals(Math.exp(-2.5375 / 2), path.meanScale(0.5), 1e-15);
        assertEquals(Math.sqrt(1 - Math.exp(-2.5375)), path.noiseScale(0.5), 1e-15);
        assertEquals(-(0.1 + 0.5 * 19.9) / 2, path.drift(0.5), 1e-15);
        assertEquals(0.1 + 0.5 * 19.9, path.diffusionSquared(0.5), 1e-14);
        assertEquals(1.0, path.meanScale(0.0));
        assertEquals(0.0, path.noiseScale(0.0));
        double t = 1e-10;
        // sigma^2 = 1 - e^{-B} = B - B^2/2 + O(B^3), B = 0.1 t + 19.9 t^2 / 2, to full precision.
        double b = 0.1 * t + 19.9 * t * t / 2;
        assertEquals(Math.sqrt(b - b * b / 2), path.noiseScale(t), 1e-14 * Math.sqrt(b));
    }

    @Test
    void varianceExplodingClosedForms() {
        NoisingPath path = ve();
        assertEquals(0.01, path.noiseScale(0.0), 1e-17);
        assertEquals(50.0, path.noiseScale(1.0), 1e-12);
        // The geometric mean of the ends at t = 1/2.
        assertEquals(Math.sqrt(0.01 * 50.0), path.noiseScale(0.5), 1e-14);
        assertEquals(1.0, path.meanScale(0.7));
        assertEquals(0.0, path.drift(0.7));
        assertEquals(2 * 0.5 * Math.log(5000), path.diffusionSquared(0.5), 1e-12);
    }

    /**
     * The coefficients are those of one linear SDE: d/dt log alpha = f and
     * d sigma^2 / dt = 2 f sigma^2 + g^2, checked with central differences. Their error is
     * h^2/6 times a third derivative, at most ~(2 ln 5000)^3 / 6 * h^2 ~ 5e-7 relative for
     * h = 1e-5 (the variance-exploding path), plus rounding ~1e-16 / h = 1e-11: tolerance 1e-6.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void coefficientsAreConsistent(String name, NoisingPath path) {
        double h = 1e-5;
        DoubleUnaryOperator logAlpha = t -> Math.log(path.meanScale(t));
        DoubleUnaryOperator variance = t -> path.noiseScale(t) * path.noiseScale(t);
        for (double t : new double[] {0.05, 0.3, 0.7, 0.95}) {
            double dLogAlpha = (logAlpha.applyAsDouble(t + h) - logAlpha.applyAsDouble(t - h)) / (2 * h);
            assertEquals(path.drift(t), dLogAlpha, 1e-6 * Math.max(1.0, Math.abs(path.drift(t))), "f at t = " + t);
            double dVariance = (variance.applyAsDouble(t + h) - variance.applyAsDouble(t - h)) / (2 * h);
            double expected = 2 * path.drift(t) * variance.applyAsDouble(t) + path.diffusionSquared(t);
            assertEquals(expected, dVariance, 1e-6 * Math.max(1.0, Math.abs(expected)), "g^2 at t = " + t);
        }
    }

    static Stream<Arguments> transitions() {
        // name, path, t0, t1, a, s^2 from closed forms written out independently of the classes.
        double ouDelta = 0.8;
        double vpB0 = 0.1 * 0.2 + 19.9 * 0.2 * 0.2 / 2;
        double vpB1 = 0.1 * 0.35 + 19.9 * 0.35 * 0.35 / 2;
        double vpA = Math.exp(-(vpB1 - vpB0) / 2);
        double ve0 = 0.01 * Math.pow(5000, 0.2);
        double ve1 = 0.01 * Math.pow(5000, 0.5);
        // sub-VP: alpha as VP, sigma_t = 1 - e^{-B(t)}.
        double subVp0 = 1 - Math.exp(-vpB0);
        double subVp1 = 1 - Math.exp(-vpB1);
        // Interpolation: a^2 = lambda_1 / lambda_0, s^2 = (1 - lambda_1) - a^2 (1 - lambda_0) = 1 - lambda_1 / lambda_0.
        double linear = 0.5 / 0.8;
        double cosine = Math.pow(Math.cos(0.3 * Math.PI), 2) / Math.pow(Math.cos(0.1 * Math.PI), 2);
        double sigmoid = (logistic(10 * (0.5 - 0.7)) - logistic(-5)) / (logistic(10 * (0.5 - 0.25)) - logistic(-5));
        return Stream.of(
                Arguments.of("sub-vp", subVp(), 0.2, 0.35, vpA, subVp1 * subVp1 - vpA * vpA * subVp0 * subVp0),
                Arguments.of("interpolation-linear", interpolation(InterpolationPath.Schedule.LINEAR), 0.2, 0.5,
                        Math.sqrt(linear), 1 - linear),
                Arguments.of("interpolation-cosine", interpolation(InterpolationPath.Schedule.COSINE), 0.2, 0.6,
                        Math.sqrt(cosine), 1 - cosine),
                Arguments.of("interpolation-sigmoid", interpolation(InterpolationPath.Schedule.SIGMOID), 0.25, 0.7,
                        Math.sqrt(sigmoid), 1 - sigmoid),
                Arguments.of("ornstein-uhlenbeck", ou(), 0.3, 0.3 + ouDelta, Math.exp(-ouDelta),
                        1 - Math.exp(-2 * ouDelta)),
                Arguments.of("vp", vp(), 0.2, 0.35, vpA, 1 - vpA * vpA),
                Arguments.of("variance-exploding", ve(), 0.2, 0.5, 1.0, ve1 * ve1 - ve0 * ve0));
    }

    /**
     * Pushing N(m, S) (S a full 2x2 matrix) from t0 to t1 gives N(a m, a^2 S + s^2 I). With
     * n = 100 000 draws: each mean within 5 standard errors sqrt(C_ii / n), each covariance entry
     * within 5 standard errors sqrt((C_ii C_jj + C_ij^2) / n) (a Gaussian's product moments).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transitions")
    void pushIsTheExactTransition(String name, NoisingPath path, double t0, double t1, double a, double s2) {
        double[] m = {1.5, -2.0};
        double[] covariance = {0.8, 0.3, 0.3, 0.5};
        double l00 = Math.sqrt(covariance[0]);
        double l10 = covariance[1] / l00;
        double l11 = Math.sqrt(covariance[3] - l10 * l10);
        int n = 100_000;
        Particles particles = new Particles(n, 2);
        double[] x = particles.data();
        PhiloxNoise start = PhiloxNoise.of(17, 0, 0);
        double[] z = new double[2];
        for (int r = 0; r < n; r++) {
            start.normals(r, 0, z, 0, 2);
            x[2 * r] = m[0] + l00 * z[0];
            x[2 * r + 1] = m[1] + l10 * z[0] + l11 * z[1];
        }
        path.push(particles.all(), t0, t1, PhiloxNoise.of(17, 1, 0));
        double[] mean = {a * m[0], a * m[1]};
        double[] expected = new double[4];
        for (int c = 0; c < 4; c++) {
            expected[c] = a * a * covariance[c] + (c == 0 || c == 3 ? s2 : 0.0);
        }
        double[] sampleMean = new double[2];
        for (int r = 0; r < n; r++) {
            sampleMean[0] += x[2 * r] / n;
            sampleMean[1] += x[2 * r + 1] / n;
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(mean[i], sampleMean[i], 5 * Math.sqrt(expected[3 * i] / n), "mean " + i);
        }
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s += (x[2 * r + i] - mean[i]) * (x[2 * r + j] - mean[j]);
                }
                double se = Math.sqrt((expected[3 * i] * expected[3 * j] + expected[2 * i + j] * expected[2 * i + j]) / n);
                assertEquals(expected[2 * i + j], s / n, 5 * se, "covariance " + i + "," + j);
            }
        }
    }

    static double logistic(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void pushDoesNotDependOnTheBlocking(String name, NoisingPath path) {
        double[] start = new double[300];
        PhiloxNoise.of(1, 0, 0).normals(0, 0, start, 0, 300);
        Particles whole = new Particles(100, 3, 0, start.clone(), 0.0);
        path.push(whole.all(), 0.1, 0.6, PhiloxNoise.of(1, 1, 0));
        Particles split = new Particles(100, 3, 0, start.clone(), 0.0);
        PhiloxNoise noise = PhiloxNoise.of(1, 1, 0);
        path.push(split.block(0, 37), 0.1, 0.6, noise);
        path.push(split.block(37, 100), 0.1, 0.6, noise);
        assertArrayEquals(whole.data(), split.data());
    }

    @Test
    void parametersAreValidated() {
        assertEquals("sigma-min = 50.0 is not below sigma-max = 0.01; give sigma-min < sigma-max",
                assertThrows(IllegalArgumentException.class,
                        () -> new VarianceExplodingPath(new VarianceExplodingPath.Params(50.0, 0.01))).getMessage());
        assertEquals("sigma-min must be a finite number > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new VarianceExplodingPath.Params(0.0, 1.0)).getMessage());
        assertEquals("beta-min must be a finite number > 0, got -1.0", assertThrows(IllegalArgumentException.class,
                () -> new VpPath.Params(-1.0, 20.0)).getMessage());
        assertEquals("beta-max = 1.0 is below beta-min = 2.0; give beta-min <= beta-max",
                assertThrows(IllegalArgumentException.class, () -> new VpPath(new VpPath.Params(2.0, 1.0))).getMessage());
    }
}
