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
import org.scorepipe.api.Predictor;
import org.scorepipe.api.RowMemory;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * DPM-Solver++ (2M, 2S, 2M SDE), DDIM and the EDM sampler on the Gaussian target N(MU, S2) of
 * {@link PredictorOrdersTest}, whose every marginal is N(alpha_t MU, alpha_t^2 S2 + sigma_t^2): the
 * probability-flow map from t to t' is the affine map
 * {@code x -> m_t' + sqrt(v_t' / v_t) (x - m_t)}, exact per particle, and a stochastic solver's law
 * at the end is computed exactly by probing (below), so every tolerance here is either a
 * convergence ratio or a number of standard errors.
 */
class SolversTest {
    static final double MU = PredictorOrdersTest.MU;
    static final double S2 = PredictorOrdersTest.S2;

    static BiFunction<NoisingPath, ScoreProvider, Predictor> dpm(String method) {
        return (path, score) -> new DpmSolverPredictor(new DpmSolverPredictor.Params(method), path, score);
    }

    static BiFunction<NoisingPath, ScoreProvider, Predictor> unipc(UniPcPredictor.B b, boolean corrector) {
        return (path, score) -> new UniPcPredictor(new UniPcPredictor.Params(b, corrector), path, score);
    }

    static BiFunction<NoisingPath, ScoreProvider, Predictor> sde(double eta) {
        return (path, score) -> new DpmSolverSdePredictor(new DpmSolverSdePredictor.Params(eta), path, score);
    }

    static BiFunction<NoisingPath, ScoreProvider, Predictor> ddim(double eta) {
        return (path, score) -> new DdimPredictor(new DdimPredictor.Params(eta), path, score);
    }

    static BiFunction<NoisingPath, ScoreProvider, Predictor> edm(double churn) {
        return (path, score) -> new EdmPredictor(new EdmPredictor.Params(churn, 0.0, Double.POSITIVE_INFINITY, 1.0),
                path, score);
    }

    /**
     * {@code steps + 1} times from {@code from} to {@code to}, uniform in {@code lambda = log(alpha / sigma)}: the
     * grid Lu et al. use. (On a grid uniform in t the OU path's last steps are long in lambda and the
     * multistep ratio r swings, so 2M reaches its asymptotic order only beyond 400 steps there.)
     */
    static double[] lambdaGrid(NoisingPath path, double from, double to, int steps) {
        double l0 = ReverseStep.logSnr(path, from);
        double l1 = ReverseStep.logSnr(path, to);
        double[] times = new double[steps + 1];
        times[0] = from;
        times[steps] = to;
        for (int k = 1; k < steps; k++) {
            times[k] = ReverseStep.timeAtLogSnr(path, l0 + (l1 - l0) * k / steps, to, from);
        }
        return times;
    }

    static void run(Predictor predictor, Particles particles, double[] times, long seed) {
        for (int k = 0; k + 1 < times.length; k++) {
            predictor.step(particles.all(), times[k], times[k + 1], PhiloxNoise.of(seed, 1, k));
        }
    }

    /** Largest error against the exact flow map of five particles at -2 .. 2 standard deviations of the start law. */
    static double flowError(BiFunction<NoisingPath, ScoreProvider, Predictor> factory, NoisingPath path,
            double[] times) {
        double[] start = PredictorOrdersTest.exactLaw(path, times[0]);
        double[] end = PredictorOrdersTest.exactLaw(path, times[times.length - 1]);
        double[] x = new double[5];
        for (int i = 0; i < 5; i++) {
            x[i] = start[0] + Math.sqrt(start[1]) * (i - 2);
        }
        double[] x0 = x.clone();
        run(factory.apply(path, PredictorOrdersTest.score(path)), new Particles(5, 1, 0, x, times[0]), times, 0);
        double error = 0.0;
        for (int i = 0; i < 5; i++) {
            error = Math.max(error, Math.abs(x[i] - (end[0] + Math.sqrt(end[1] / start[1]) * (x0[i] - start[0]))));
        }
        return error;
    }

    /**
     * Errors at 48, 96, ..., 768 steps: every ratio of successive errors in {@code [low, high]} and the
     * least-squares slope of log error against log steps within 0.15 of {@code -order}. The errors are
     * deterministic (no sampling), so the bounds only hold the O(1 / steps) approach to the asymptotic
     * ratio 2^order; measured: second order 3.76 .. 4.19 and slopes -1.93 .. -2.03, DDIM 1.96 .. 2.00.
     */
    static void assertOrder(String name, BiFunction<NoisingPath, ScoreProvider, Predictor> factory, NoisingPath path,
            double from, double to, int order, double low, double high) {
        int counts = 5;
        double[] logSteps = new double[counts];
        double[] logErrors = new double[counts];
        StringBuilder report = new StringBuilder(name);
        for (int i = 0, steps = 48; i < counts; i++, steps *= 2) {
            double error = flowError(factory, path, lambdaGrid(path, from, to, steps));
            logSteps[i] = Math.log(steps);
            logErrors[i] = Math.log(error);
            report.append(String.format(" | %d: %.3e", steps, error));
        }
        for (int i = 1; i < counts; i++) {
            double ratio = Math.exp(logErrors[i - 1] - logErrors[i]);
            assertTrue(ratio > low && ratio < high, "error ratio " + ratio + ": " + report);
        }
        double meanX = Arrays.stream(logSteps).average().orElseThrow();
        double meanY = Arrays.stream(logErrors).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < counts; i++) {
            sxy += (logSteps[i] - meanX) * (logErrors[i] - meanY);
            sxx += (logSteps[i] - meanX) * (logSteps[i] - meanX);
        }
        assertEquals(-order, sxy / sxx, 0.15, "log-log slope: " + report);
    }

    @Test
    void dpmSolverPlusPlusAndEdmAreSecondOrderOnEveryGaussianPath() {
        for (Object[] c : new Object[][] {{"ou", PredictorOrdersTest.ou(), 3.0, 0.01},
            {"vp", PredictorOrdersTest.vp(), 1.0, 0.01}, {"sub-vp", PredictorOrdersTest.subVp(), 1.0, 0.01},
            {"ve", PredictorOrdersTest.ve(), 1.0, 0.0}}) {
            NoisingPath path = (NoisingPath) c[1];
            double from = (double) c[2];
            double to = (double) c[3];
            assertOrder("dpm-solver++ 2m " + c[0], dpm("2m"), path, from, to, 2, 3.5, 4.5);
            assertOrder("dpm-solver++ 2s " + c[0], dpm("2s"), path, from, to, 2, 3.5, 4.5);
            assertOrder("edm churn 0 " + c[0], edm(0.0), path, from, to, 2, 3.5, 4.5);
            assertOrder("ddim eta 0 " + c[0], ddim(0.0), path, from, to, 1, 1.8, 2.2);
        }
    }

    /**
     * UniPC's corrector raises UniP-2 to third order at no extra evaluation: measured error ratios
     * 7.9 .. 8.1 per doubling from 48 to 768 steps on every path, with bh1 and bh2. UniP-2 alone is
     * second order (ratios 3.9 .. 4.1).
     */
    @Test
    void unipcIsThirdOrderAndUniP2AloneSecondOrderOnEveryGaussianPath() {
        for (Object[] c : new Object[][] {{"ou", PredictorOrdersTest.ou(), 3.0, 0.01},
            {"vp", PredictorOrdersTest.vp(), 1.0, 0.01}, {"sub-vp", PredictorOrdersTest.subVp(), 1.0, 0.01},
            {"ve", PredictorOrdersTest.ve(), 1.0, 0.0}}) {
            NoisingPath path = (NoisingPath) c[1];
            double from = (double) c[2];
            double to = (double) c[3];
            for (UniPcPredictor.B b : UniPcPredictor.B.values()) {
                assertOrder("unipc " + b + " " + c[0], unipc(b, true), path, from, to, 3, 7.0, 9.0);
                assertOrder("unip-2 " + b + " " + c[0], unipc(b, false), path, from, to, 2, 3.5, 4.5);
            }
        }
    }

    /** UniP-2 with B(h) = e^-h - 1 is DPM-Solver++(2M) written another way: equal to rounding. */
    @Test
    void uniP2WithBh2IsDpmSolverPlusPlus2M() {
        NoisingPath path = PredictorOrdersTest.vp();
        double[] times = lambdaGrid(path, 1.0, 0.01, 30);
        double[] x = new double[40];
        PhiloxNoise.of(3, 0, 0).normals(0, 0, x, 0, 40);
        Particles a = new Particles(40, 1, 0, x.clone(), 1.0);
        Particles b = new Particles(40, 1, 0, x.clone(), 1.0);
        run(unipc(UniPcPredictor.B.BH2, false).apply(path, PredictorOrdersTest.score(path)), a, times, 0);
        run(dpm("2m").apply(path, PredictorOrdersTest.score(path)), b, times, 0);
        for (int i = 0; i < 40; i++) {
            assertEquals(b.data()[i], a.data()[i], 1e-13 * Math.max(1.0, Math.abs(b.data()[i])), "particle " + i);
        }
    }

    /** The path EDM itself uses: alpha = 1, sigma_t = t, so dx/dt = -(g^2 / 2) s = -t s. */
    record LinearSigmaPath() implements NoisingPath {
        @Override
        public double meanScale(double t) {
            return 1.0;
        }

        @Override
        public double noiseScale(double t) {
            return t;
        }

        @Override
        public double drift(double t) {
            return 0.0;
        }

        @Override
        public double diffusionSquared(double t) {
            return 2.0 * t;
        }
    }

    /**
     * Where EDM's sigma is the path's time (alpha = 1, sigma_t = t), churn 0 is Heun's method on the
     * probability-flow ODE in t, the same arithmetic in another order: equal to rounding (a few ulps
     * per step; 1e-13 relative after 40 steps), not bit for bit.
     */
    @Test
    void edmWithoutChurnIsHeunWhereSigmaIsTime() {
        NoisingPath path = new LinearSigmaPath();
        ScoreProvider score = PredictorOrdersTest.score(path);
        double[] times = new double[41];
        for (int k = 0; k <= 40; k++) {
            times[k] = 20.0 * Math.pow(0.002 / 20.0, k / 40.0);
        }
        double[] start = new double[50];
        PhiloxNoise.of(3, 0, 0).normals(0, 0, start, 0, 50);
        for (int i = 0; i < 50; i++) {
            start[i] = MU + 20.0 * start[i];
        }
        double[] viaEdm = start.clone();
        double[] viaHeun = start.clone();
        run(edm(0.0).apply(path, score), new Particles(50, 1, 0, viaEdm, 20.0), times, 1);
        run(PredictorOrdersTest.heun(path, score), new Particles(50, 1, 0, viaHeun, 20.0), times, 1);
        for (int i = 0; i < 50; i++) {
            assertEquals(viaHeun[i], viaEdm[i], 1e-13 * Math.abs(viaHeun[i]) + 1e-15, "particle " + i);
        }
    }

    /** With eta = 0 the SDE solver runs the 2M arithmetic exactly (e^0 = 1, no noise drawn): bit for bit. */
    @Test
    void dpmSolverSdeWithoutNoiseIsTwoM() {
        NoisingPath path = PredictorOrdersTest.vp();
        double[] times = lambdaGrid(path, 1.0, 0.01, 30);
        double[] a = new double[40];
        PhiloxNoise.of(8, 0, 0).normals(0, 0, a, 0, 40);
        double[] b = a.clone();
        run(dpm("2m").apply(path, PredictorOrdersTest.score(path)), new Particles(40, 1, 0, a, 1.0), times, 2);
        run(sde(0.0).apply(path, PredictorOrdersTest.score(path)), new Particles(40, 1, 0, b, 1.0), times, 2);
        assertArrayEquals(a, b);
    }

    /**
     * One step of DDIM with eta = 0 is the first-order DPM-Solver++ (the first step of 2M), and with
     * eta = 1 it is ancestral sampling: the same coefficients by different formulas, so equal to rounding.
     */
    @Test
    void ddimIsFirstOrderDpmSolverAndAncestralAtItsEnds() {
        NoisingPath path = PredictorOrdersTest.subVp();
        ScoreProvider score = PredictorOrdersTest.score(path);
        double[] start = new double[20];
        PhiloxNoise.of(9, 0, 0).normals(0, 0, start, 0, 20);
        List<Predictor[]> pairs = List.of(
                new Predictor[] {ddim(0.0).apply(path, score), dpm("2m").apply(path, score)},
                new Predictor[] {ddim(1.0).apply(path, score), new AncestralPredictor(path, score)},
                new Predictor[] {ddim(1.0).apply(path, score), sde(1.0).apply(path, score)});
        for (Predictor[] pair : pairs) {
            double[] a = start.clone();
            double[] b = start.clone();
            pair[0].step(new Particles(20, 1, 0, a, 0.6).all(), 0.6, 0.5, PhiloxNoise.of(9, 1, 0));
            pair[1].step(new Particles(20, 1, 0, b, 0.6).all(), 0.6, 0.5, PhiloxNoise.of(9, 1, 0));
            for (int i = 0; i < 20; i++) {
                assertEquals(b[i], a[i], 1e-13, pair[1].getClass().getSimpleName() + " particle " + i);
            }
        }
    }

    /**
     * At step {@code step}, particle {@code 2 + step} draws all ones and every other particle zeros:
     * probes the scheme's response to each step's noise in one run.
     */
    record ImpulseNoise(long step) implements Noise {
        @Override
        public void normals(long particle, int stream, double[] out, int offset, int count) {
            Arrays.fill(out, offset, offset + count, particle == 2 + step ? 1.0 : 0.0);
        }

        @Override
        public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Noise streams(int first) {
            return this;
        }
    }

    /**
     * {mean, variance} of the scheme's own end law from the exact start law. On a Gaussian target
     * every solver here is affine in the start point and the normals, multistep ones included,
     * {@code x_N = c + L x_0 + sum_k g_k xi_k}: particle 0 (at 0, no noise) gives {@code c}, particle 1
     * (at 1) {@code c + L}, particle 2 + k (at 0, noise 1 at step k only) {@code c + g_k}. So
     * {@code mean = c + L m_0}, {@code variance = L^2 v_0 + sum g_k^2}, with no sampling error.
     */
    static double[] schemeLaw(Predictor predictor, NoisingPath path, double[] times) {
        int steps = times.length - 1;
        double[] x = new double[steps + 2];
        x[1] = 1.0;
        Particles probe = new Particles(steps + 2, 1, 0, x, times[0]);
        for (int k = 0; k < steps; k++) {
            predictor.step(probe.all(), times[k], times[k + 1], new ImpulseNoise(k));
        }
        double[] start = PredictorOrdersTest.exactLaw(path, times[0]);
        double c = x[0];
        double gain = x[1] - c;
        double variance = gain * gain * start[1];
        for (int k = 0; k < steps; k++) {
            variance += (x[2 + k] - c) * (x[2 + k] - c);
        }
        return new double[] {c + gain * start[0], variance};
    }

    /**
     * The stochastic solvers reach the exact target: n particles from the exact law at the start, on
     * a grid uniform in lambda. (1) The scheme's own law, computed exactly, is within 1 standard
     * error of the target's (its discretisation bias lies below what the sample can resolve); (2) the
     * sample's mean and variance are within 5 standard errors, sqrt(v / n) and v sqrt(2 / n), of the
     * target's. The second-order solvers: n = 20 000 and 200 steps, measured variance bias 0.05 SE
     * (SDE solver) and 0.4 SE (edm with churn). DDIM with eta > 0 is first order: at 800 steps its
     * variance bias is 0.3 - 0.5 SE of n = 5 000 (1.4 SE of n = 40 000), so it runs those; many more
     * steps would make the test slow, not more honest.
     * The means are exact for every scheme (bias below 1e-12 SE): the score has mean zero under the
     * exact law and each step is affine in it.
     */
    @Test
    void stochasticSolversReachTheTargetLaw() {
        for (Object[] c : new Object[][] {
            {"ddim eta 1 ou", ddim(1.0), PredictorOrdersTest.ou(), 3.0, 0.01, 800, 5_000},
            {"ddim eta 1 vp", ddim(1.0), PredictorOrdersTest.vp(), 1.0, 0.01, 800, 5_000},
            {"ddim eta 0.5 ve", ddim(0.5), PredictorOrdersTest.ve(), 1.0, 0.0, 800, 5_000},
            {"dpm-solver++-sde ou", sde(1.0), PredictorOrdersTest.ou(), 3.0, 0.01, 200, 20_000},
            {"dpm-solver++-sde vp", sde(1.0), PredictorOrdersTest.vp(), 1.0, 0.01, 200, 20_000},
            {"dpm-solver++-sde ve", sde(1.0), PredictorOrdersTest.ve(), 1.0, 0.0, 200, 20_000},
            {"edm churn 0.2 ve", edm(0.2), PredictorOrdersTest.ve(), 1.0, 0.0, 200, 20_000},
            {"edm churn 0.2 vp", edm(0.2), PredictorOrdersTest.vp(), 1.0, 0.01, 200, 20_000}}) {
            String name = (String) c[0];
            @SuppressWarnings("unchecked")
            BiFunction<NoisingPath, ScoreProvider, Predictor> factory = (BiFunction<NoisingPath, ScoreProvider, Predictor>) c[1];
            NoisingPath path = (NoisingPath) c[2];
            int steps = (int) c[5];
            int n = (int) c[6];
            double[] times = lambdaGrid(path, (double) c[3], (double) c[4], steps);
            double[] target = PredictorOrdersTest.exactLaw(path, times[steps]);
            double meanError = Math.sqrt(target[1] / n);
            double varianceError = target[1] * Math.sqrt(2.0 / n);
            double[] law = schemeLaw(factory.apply(path, PredictorOrdersTest.score(path)), path, times);
            String report = String.format("%s: target %.5f %.5f, scheme %.5f %.5f", name, target[0], target[1], law[0],
                    law[1]);
            assertEquals(target[0], law[0], meanError, "scheme mean bias, " + report);
            assertEquals(target[1], law[1], varianceError, "scheme variance bias, " + report);

            double[] start = PredictorOrdersTest.exactLaw(path, times[0]);
            double[] x = new double[n];
            PhiloxNoise.of(21, 0, 0).normals(0, 0, x, 0, n);
            for (int r = 0; r < n; r++) {
                x[r] = start[0] + Math.sqrt(start[1]) * x[r];
            }
            run(factory.apply(path, PredictorOrdersTest.score(path)), new Particles(n, 1, 0, x, times[0]), times, 21);
            double mean = Arrays.stream(x).average().orElseThrow();
            double variance = Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / n;
            assertEquals(target[0], mean, 5 * meanError, "sample mean, " + report);
            assertEquals(target[1], variance, 5 * varianceError, "sample variance, " + report);
        }
    }

    static List<BiFunction<NoisingPath, ScoreProvider, Predictor>> all() {
        return List.of(dpm("2m"), dpm("2s"), sde(1.0), ddim(0.7), edm(0.3), unipc(UniPcPredictor.B.BH2, true));
    }

    /**
     * A particle's path depends on its index alone: 30 particles in blocks [0, 7), [7, 30) (the later
     * block stepped first) and 10 particles in one block agree bit for bit on the first 10.
     */
    @Test
    void noiseDependsOnTheParticleIndexOnly() {
        NoisingPath path = PredictorOrdersTest.ve();
        double[] times = lambdaGrid(path, 1.0, 0.0, 12);
        double[] start = new double[30];
        PhiloxNoise.of(6, 0, 0).normals(0, 0, start, 0, 30);
        for (BiFunction<NoisingPath, ScoreProvider, Predictor> factory : all()) {
            Predictor many = factory.apply(path, PredictorOrdersTest.score(path));
            Predictor few = factory.apply(path, PredictorOrdersTest.score(path));
            Particles thirty = new Particles(30, 1, 0, start.clone(), 1.0);
            Particles ten = new Particles(10, 1, 0, Arrays.copyOf(start, 10), 1.0);
            for (int k = 0; k < 12; k++) {
                many.step(thirty.block(7, 30), times[k], times[k + 1], PhiloxNoise.of(6, 1, k));
                many.step(thirty.block(0, 7), times[k], times[k + 1], PhiloxNoise.of(6, 1, k));
                few.step(ten.all(), times[k], times[k + 1], PhiloxNoise.of(6, 1, k));
            }
            assertArrayEquals(ten.data(), Arrays.copyOf(thirty.data(), 10), many.getClass().getSimpleName());
        }
    }

    /**
     * The multistep solvers' checkpoint: stop after 5 of 12 steps, take the particles and their
     * rows (what a checkpoint stores under the predictor's key path), put both into fresh particles
     * for a fresh predictor, and the last 7 steps give the uninterrupted run's bytes. Without the
     * rows the resumed run would take a first-order step and differ. Rows of the wrong size are refused.
     */
    @Test
    void multistepStateResumesBitForBit() {
        NoisingPath path = PredictorOrdersTest.ou();
        double[] times = lambdaGrid(path, 3.0, 0.01, 12);
        String key = "stages.sample.predictor";
        for (BiFunction<NoisingPath, ScoreProvider, Predictor> factory : List.of(dpm("2m"), sde(1.0),
                unipc(UniPcPredictor.B.BH2, true))) {
            double[] x = new double[25];
            PhiloxNoise.of(2, 0, 0).normals(0, 0, x, 0, 25);
            Predictor whole = factory.apply(path, PredictorOrdersTest.score(path));
            Particles uninterrupted = new Particles(25, 1, 0, x.clone(), 3.0);
            run(whole, uninterrupted, times, 4);

            Predictor first = factory.apply(path, PredictorOrdersTest.score(path));
            Particles before = new Particles(25, 1, 0, x.clone(), 3.0);
            before.nameRowState((RowMemory) first, key);
            for (int k = 0; k < 5; k++) {
                first.step(before.all(), times[k], times[k + 1], PhiloxNoise.of(4, 1, k));
            }
            assertEquals(List.of(key), List.copyOf(before.rowStates().keySet()), "the rows are the particles', under the key");
            double[] saved = before.rowStates().get(key).clone();
            Predictor resumed = factory.apply(path, PredictorOrdersTest.score(path));
            Predictor forgetful = factory.apply(path, PredictorOrdersTest.score(path));
            Particles after = new Particles(25, 1, 0, before.data().clone(), times[5]);
            after.putRowState(key, saved.clone());
            after.nameRowState((RowMemory) resumed, key);
            Particles fresh = new Particles(25, 1, 0, before.data().clone(), times[5]);
            for (int k = 5; k < 12; k++) {
                resumed.step(after.all(), times[k], times[k + 1], PhiloxNoise.of(4, 1, k));
                forgetful.step(fresh.all(), times[k], times[k + 1], PhiloxNoise.of(4, 1, k));
            }
            assertArrayEquals(uninterrupted.data(), after.data());
            assertTrue(!Arrays.equals(uninterrupted.data(), fresh.data()), "the state matters");

            int width = ((RowMemory) resumed).rowWidth(1);
            Particles narrow = new Particles(25, 1, 0, before.data().clone(), times[5]);
            narrow.putRowState(key, Arrays.copyOf(saved, saved.length - 25));
            narrow.nameRowState((RowMemory) resumed, key);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> resumed.step(narrow.all(), times[5], times[6], PhiloxNoise.of(4, 1, 5)));
            assertTrue(e.getMessage().endsWith("keeps " + width + " per particle for 25 particles"), e.getMessage());
            IllegalArgumentException torn = assertThrows(IllegalArgumentException.class,
                    () -> narrow.putRowState(key, Arrays.copyOf(saved, saved.length - 1)));
            assertTrue(torn.getMessage().endsWith("no whole number of rows for 25 particles"), torn.getMessage());
        }
    }

    @Test
    void refusesAStudentTPath() {
        NoisingPath path = new InterpolationPath(new InterpolationPath.Params(InterpolationPath.Schedule.LINEAR,
                InterpolationPath.Base.STUDENT_T, 3.0, 10.0));
        ScoreProvider score = (x, offset, rows, t, out) -> { };
        String[] names = {"dpm-solver++", "dpm-solver++", "dpm-solver++-sde", "ddim", "edm", "unipc"};
        List<BiFunction<NoisingPath, ScoreProvider, Predictor>> factories = all();
        for (int i = 0; i < names.length; i++) {
            BiFunction<NoisingPath, ScoreProvider, Predictor> factory = factories.get(i);
            assertEquals(names[i] + " needs a Gaussian noising path; this path's noise is Student-t with 3.0 degrees of"
                    + " freedom; use base: gaussian",
                    assertThrows(IllegalArgumentException.class, () -> factory.apply(path, score)).getMessage());
        }
    }
}
