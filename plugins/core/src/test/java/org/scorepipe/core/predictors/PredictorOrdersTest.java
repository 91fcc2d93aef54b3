package org.scorepipe.core.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.paths.SubVpPath;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.paths.VpPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Convergence orders of the predictors on a Gaussian target N(MU, S2) in one dimension, where
 * every marginal N(alpha_t MU, alpha_t^2 S2 + sigma_t^2) is closed form.
 *
 * <p>With a Gaussian target the score is affine in x, so every predictor step is
 * {@code x' = M x + c + sd xi} with {@code xi} its one normal per coordinate. The test measures
 * {@code M}, {@code c} and {@code sd} of the real step by probing it with a noise that hands out
 * only zeros or only ones, then propagates the law {@code N(m, V)} exactly,
 * {@code m' = M m + c}, {@code V' = M^2 V + sd^2}: the end law's error against the target is
 * then the scheme's discretisation error alone, free of sampling noise, and its order shows as
 * the ratio of errors when the steps double. A Monte-Carlo run checks that the sampled particles
 * follow the propagated law, so the probe does not hide a mistake in how the noise is used.
 */
class PredictorOrdersTest {
    static final double MU = 1.5;
    static final double S2 = 0.25;

    static ScoreProvider score(NoisingPath path) {
        return new AnalyticScore(new AnalyticScore.Params(), new GaussianMixtureSource(new GaussianMixtureSource.Params(
                List.of(new GaussianMixtureSource.Part(1.0, new double[] {MU}, new double[] {S2}))),
                new PipelineSpec("test", 1, 1, 1)), path);
    }

    /** A noise whose every normal and uniform is {@code value}. */
    record ConstantNoise(double value) implements Noise {
        @Override
        public void normals(long particle, int stream, double[] out, int offset, int count) {
            Arrays.fill(out, offset, offset + count, value);
        }

        @Override
        public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            Arrays.fill(out, offset, offset + count, value);
        }

        @Override
        public Noise streams(int first) {
            return this;
        }
    }

    /** {M, c, sd} of one step, measured by probing. */
    static double[] affineStep(Predictor predictor, double t, double tNext) {
        Particles probe = new Particles(3, 1, 0, new double[] {0.0, 1.0, 0.0}, t);
        predictor.step(probe.block(0, 2), t, tNext, new ConstantNoise(0.0));
        predictor.step(probe.block(2, 3), t, tNext, new ConstantNoise(1.0));
        double c = probe.data()[0];
        return new double[] {probe.data()[1] - c, c, probe.data()[2] - c};
    }

    /** {mean, variance} of the scheme's law at the grid's end, started from the exact marginal at its start. */
    static double[] schemeLaw(Predictor predictor, NoisingPath path, double[] times) {
        double a = path.meanScale(times[0]);
        double s = path.noiseScale(times[0]);
        double m = a * MU;
        double v = a * a * S2 + s * s;
        for (int k = 0; k + 1 < times.length; k++) {
            double[] step = affineStep(predictor, times[k], times[k + 1]);
            m = step[0] * m + step[1];
            v = step[0] * step[0] * v + step[2] * step[2];
        }
        return new double[] {m, v};
    }

    static double[] exactLaw(NoisingPath path, double t) {
        double a = path.meanScale(t);
        double s = path.noiseScale(t);
        return new double[] {a * MU, a * a * S2 + s * s};
    }

    /**
     * Errors of the end law's mean and variance for {@code first}, 2 first, ..., 16 first uniform
     * steps from {@code from} down to {@code to}; the ratio of successive errors must lie in
     * {@code [low, high]}. A moment whose error is at rounding level (below 1e-12) at every step
     * count is exact for the scheme and has no order to show: the exponential integrator and
     * ancestral steps keep the mean exact on a Gaussian target, because the exact score has mean
     * zero under the exact marginal and both steps are affine in it.
     */
    static void assertOrder(String name, BiFunction<NoisingPath, ScoreProvider, Predictor> factory, NoisingPath path,
            double from, double to, int first, double low, double high) {
        Predictor predictor = factory.apply(path, score(path));
        double[] exact = exactLaw(path, to);
        int counts = 5;
        double[][] errors = new double[2][counts];
        StringBuilder report = new StringBuilder(name);
        for (int i = 0, steps = first; i < counts; i++, steps *= 2) {
            double[] law = schemeLaw(predictor, path, new UniformGrid(new UniformGrid.Params(from, to, steps)).times());
            errors[0][i] = Math.abs(law[0] - exact[0]);
            errors[1][i] = Math.abs(law[1] - exact[1]);
            report.append(String.format(" | %d: %.3e %.3e", steps, errors[0][i], errors[1][i]));
        }
        int ordered = 0;
        for (int moment = 0; moment < 2; moment++) {
            if (Arrays.stream(errors[moment]).allMatch(e -> e < 1e-12)) {
                continue;
            }
            ordered++;
            for (int i = 1; i < counts; i++) {
                double ratio = errors[moment][i - 1] / errors[moment][i];
                assertTrue(ratio > low && ratio < high, (moment == 0 ? "mean" : "variance") + " error ratio " + ratio
                        + ": " + report);
            }
        }
        assertTrue(ordered > 0, "some moment shows the discretisation: " + report);
        assertTrue(errors[0][counts - 1] < 0.01 && errors[1][counts - 1] < 0.01, "converges: " + report);
    }

    static NoisingPath ou() {
        return new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    }

    static NoisingPath vp() {
        return new VpPath(new VpPath.Params(0.1, 20.0));
    }

    static NoisingPath subVp() {
        return new SubVpPath(new SubVpPath.Params(0.1, 20.0));
    }

    static NoisingPath ve() {
        return new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50.0));
    }

    static Predictor heun(NoisingPath path, ScoreProvider score) {
        return new ProbabilityFlowPredictor(new ProbabilityFlowPredictor.Params(ProbabilityFlowPredictor.Method.HEUN),
                path, score);
    }

    /*
     * The orders are deterministic here (no sampling), so the bounds only need to hold the
     * O(1/steps) approach to the asymptotic ratio: first-order schemes 2, bounds [1.7, 2.3] from
     * 100 steps; Heun 4, bounds [3.4, 4.6] from 25 steps. Ancestral sampling's error has a large
     * second-order part (ratios 1.67, 1.79, 1.88, 1.93 on OU from 100 steps), so its lower bound is 1.6.
     */

    @Test
    void eulerMaruyamaIsFirstOrder() {
        assertOrder("euler-maruyama ou", EulerMaruyamaPredictor::new, ou(), 3.0, 0.01, 100, 1.7, 2.3);
        assertOrder("euler-maruyama vp", EulerMaruyamaPredictor::new, vp(), 1.0, 0.01, 100, 1.7, 2.3);
    }

    @Test
    void probabilityFlowEulerIsFirstOrderAndHeunSecondOrder() {
        assertOrder("probability-flow euler ou", ProbabilityFlowPredictor::new, ou(), 3.0, 0.01, 100, 1.7, 2.3);
        assertOrder("probability-flow heun ou", PredictorOrdersTest::heun, ou(), 3.0, 0.01, 25, 3.4, 4.6);
        assertOrder("probability-flow heun vp", PredictorOrdersTest::heun, vp(), 1.0, 0.01, 25, 3.4, 4.6);
    }

    @Test
    void exponentialIntegratorConvergesAtFirstOrder() {
        assertOrder("exponential-integrator ou", ExponentialIntegratorPredictor::new, ou(), 3.0, 0.01, 100, 1.7, 2.3);
        assertOrder("exponential-integrator vp", ExponentialIntegratorPredictor::new, vp(), 1.0, 0.01, 100, 1.7, 2.3);
        assertOrder("exponential-integrator sub-vp", ExponentialIntegratorPredictor::new, subVp(), 1.0, 0.01, 100, 1.7,
                2.3);
        assertOrder("exponential-integrator ve", ExponentialIntegratorPredictor::new, ve(), 1.0, 0.0, 100, 1.7, 2.3);
    }

    @Test
    void ancestralConvergesAtFirstOrder() {
        assertOrder("ancestral ou", AncestralPredictor::new, ou(), 3.0, 0.01, 100, 1.6, 2.3);
        assertOrder("ancestral vp", AncestralPredictor::new, vp(), 1.0, 0.01, 100, 1.6, 2.3);
        assertOrder("ancestral ve", AncestralPredictor::new, ve(), 1.0, 0.0, 100, 1.6, 2.3);
    }

    /** For OU the step is x' = e^h x + 2 (e^h - 1) s + sqrt(e^{2h} - 1) xi (Benton et al., arXiv 2308.03686). */
    @Test
    void exponentialIntegratorOrnsteinUhlenbeckCoefficients() {
        NoisingPath path = ou();
        ExponentialIntegratorPredictor predictor = new ExponentialIntegratorPredictor(path, score(path));
        double[] c = new double[3];
        for (double[] step : new double[][] {{3.0, 2.9}, {1.0, 0.2}, {0.05, 0.001}}) {
            double h = step[0] - step[1];
            predictor.coefficients(step[0], step[1], c, 0);
            assertEquals(Math.exp(h), c[0], 1e-14 * Math.exp(h));
            assertEquals(2 * Math.expm1(h), c[1], 1e-13 * Math.expm1(h));
            assertEquals(Math.sqrt(Math.expm1(2 * h)), c[2], 1e-7 * Math.sqrt(Math.expm1(2 * h)));
        }
    }

    /**
     * Paths that are not variance preserving go through the quadrature of I = int g^2 / alpha;
     * closed forms: VE, alpha' I = sigma^2 - sigma'^2; sub-VP,
     * alpha' I = 2 alpha' [(1/alpha + alpha^3/3) - (1/alpha' + alpha'^3/3)] (from alpha dRho = -2 (alpha^-2 - alpha^2) dalpha).
     */
    @Test
    void exponentialIntegratorQuadratureMatchesClosedForms() {
        double[] c = new double[3];
        NoisingPath ve = ve();
        new ExponentialIntegratorPredictor(ve, score(ve)).coefficients(0.8, 0.6, c, 0);
        double s1 = ve.noiseScale(0.8);
        double s0 = ve.noiseScale(0.6);
        assertEquals(1.0, c[0], 1e-15);
        assertEquals(s1 * s1 - s0 * s0, c[1], 1e-13 * s1 * s1);
        assertEquals(Math.sqrt(s1 * s1 - s0 * s0), c[2], 1e-13 * s1);
        NoisingPath subVp = subVp();
        new ExponentialIntegratorPredictor(subVp, score(subVp)).coefficients(0.5, 0.3, c, 0);
        double a = subVp.meanScale(0.5);
        double aNext = subVp.meanScale(0.3);
        double pull = 2 * aNext * ((1 / a + a * a * a / 3) - (1 / aNext + aNext * aNext * aNext / 3));
        assertEquals(aNext / a, c[0], 1e-14);
        assertEquals(pull, c[1], 1e-12 * pull);
        double sigma = subVp.noiseScale(0.5);
        double sigmaNext = subVp.noiseScale(0.3);
        assertEquals(Math.sqrt(Math.pow(aNext / a * sigma, 2) - sigmaNext * sigmaNext), c[2], 1e-12);
    }

    /** On the VP path the ancestral step is DDPM's: abar = alpha^2, beta = 1 - abar / abar'. */
    @Test
    void ancestralIsDdpmOnTheVpPath() {
        NoisingPath path = vp();
        AncestralPredictor predictor = new AncestralPredictor(path, score(path));
        double[] c = new double[3];
        predictor.coefficients(0.4, 0.38, c, 0);
        double abar = Math.pow(path.meanScale(0.4), 2);
        double abarNext = Math.pow(path.meanScale(0.38), 2);
        double beta = 1 - abar / abarNext;
        double onX0 = Math.sqrt(abarNext) * beta / (1 - abar);
        double onX = Math.sqrt(1 - beta) * (1 - abarNext) / (1 - abar);
        double variance = beta * (1 - abarNext) / (1 - abar);
        // x0 = (x + (1 - abar) s) / sqrt(abar).
        assertEquals(onX + onX0 / Math.sqrt(abar), c[0], 1e-13);
        assertEquals(onX0 * (1 - abar) / Math.sqrt(abar), c[1], 1e-13);
        assertEquals(Math.sqrt(variance), c[2], 1e-12);
    }

    /**
     * 40 000 particles through 50 steps: the sample mean and variance match the propagated law
     * within 5 standard errors (sqrt(V / n) and V sqrt(2 / n)).
     */
    @Test
    void sampledParticlesFollowTheSchemeLaw() {
        NoisingPath path = ou();
        ScoreProvider score = score(path);
        for (Predictor predictor : List.of(new ExponentialIntegratorPredictor(path, score),
                new AncestralPredictor(path, score))) {
            double[] times = new UniformGrid(new UniformGrid.Params(3.0, 0.01, 50)).times();
            double[] law = schemeLaw(predictor, path, times);
            int n = 40_000;
            double[] start = exactLaw(path, 3.0);
            Particles particles = new Particles(n, 1);
            double[] x = particles.data();
            PhiloxNoise.of(5, 0, 0).normals(0, 0, x, 0, n);
            for (int r = 0; r < n; r++) {
                x[r] = start[0] + Math.sqrt(start[1]) * x[r];
            }
            for (int k = 0; k < 50; k++) {
                predictor.step(particles.all(), times[k], times[k + 1], PhiloxNoise.of(5, 1, k));
            }
            double mean = Arrays.stream(x).average().orElseThrow();
            double variance = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / n;
            String name = predictor.getClass().getSimpleName();
            assertEquals(law[0], mean, 5 * Math.sqrt(law[1] / n), name + " mean");
            assertEquals(law[1], variance, 5 * law[1] * Math.sqrt(2.0 / n), name + " variance");
        }
    }

    @Test
    void resultsDoNotDependOnTheBlocking() {
        NoisingPath path = vp();
        ScoreProvider score = score(path);
        for (Predictor predictor : List.of(new ExponentialIntegratorPredictor(path, score),
                new AncestralPredictor(path, score), heun(path, score))) {
            double[] start = new double[100];
            PhiloxNoise.of(4, 0, 0).normals(0, 0, start, 0, 100);
            Particles whole = new Particles(100, 1, 7, start.clone(), 0.5);
            predictor.step(whole.all(), 0.5, 0.45, PhiloxNoise.of(4, 2, 3));
            Particles split = new Particles(100, 1, 7, start.clone(), 0.5);
            PhiloxNoise noise = PhiloxNoise.of(4, 2, 3);
            predictor.step(split.block(60, 100), 0.5, 0.45, noise);
            predictor.step(split.block(0, 60), 0.5, 0.45, noise);
            assertArrayEquals(whole.data(), split.data(), predictor.getClass().getSimpleName());
        }
    }

    @Test
    void stochasticPredictorsRefuseAStudentTPath() {
        NoisingPath path = new InterpolationPath(new InterpolationPath.Params(InterpolationPath.Schedule.LINEAR,
                InterpolationPath.Base.STUDENT_T, 3.0, 10.0));
        ScoreProvider score = (x, offset, rows, t, out) -> { };
        assertEquals("the exponential integrator needs a Gaussian noising path (the reverse SDE); this path's noise is"
                + " Student-t with 3.0 degrees of freedom; use base: gaussian or an anneal stage",
                assertThrows(IllegalArgumentException.class, () -> new ExponentialIntegratorPredictor(path, score))
                        .getMessage());
        assertEquals("ancestral sampling needs a Gaussian noising path; this path's noise is Student-t with 3.0 degrees"
                + " of freedom; use base: gaussian",
                assertThrows(IllegalArgumentException.class, () -> new AncestralPredictor(path, score)).getMessage());
        assertEquals("euler-maruyama needs a Gaussian noising path (the reverse SDE); this path's noise is Student-t"
                + " with 3.0 degrees of freedom; use base: gaussian or an anneal stage",
                assertThrows(IllegalArgumentException.class, () -> new EulerMaruyamaPredictor(path, score))
                        .getMessage());
        assertEquals("the probability-flow ODE needs a Gaussian noising path; this path's noise is Student-t with 3.0"
                + " degrees of freedom; use base: gaussian or an anneal stage",
                assertThrows(IllegalArgumentException.class, () -> new ProbabilityFlowPredictor(path, score))
                        .getMessage());
    }
}
