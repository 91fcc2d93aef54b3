package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.StageSpec;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.testkit.GaussianTarget;

/**
 * The adaptive probability-flow stage on the kit's Gaussian target, whose flow map is exact:
 * {@code x_T -> m_delta + (s_delta / s_T)(x_T - m_T)}.
 */
class AdaptiveFlowStageTest {
    static final double T = 2.0;
    static final double DELTA = 1e-3;
    final GaussianTarget target = GaussianTarget.standard();

    AdaptiveFlowStage stage(double tolerance, AdaptiveFlowStage.Method method) {
        return new AdaptiveFlowStage(new AdaptiveFlowStage.Params(T, DELTA, tolerance, tolerance, method, 100_000),
                new StageSpec("flow", 1), target.path(), target.score());
    }

    /** n exact draws of p_T. */
    Particles start(int n) {
        int d = target.dimension();
        Particles p = new Particles(n, d);
        PhiloxNoise.of(5, 0, 0).normals(0, 0, p.data(), 0, n * d);
        double s = Math.sqrt(target.variance(T));
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < d; i++) {
                p.data()[r * d + i] = target.mean(T, i) + s * p.data()[r * d + i];
            }
        }
        return p;
    }

    /** The largest |x - exact flow map of x_T| over the ensemble. */
    double error(Particles start, Particles end) {
        int d = target.dimension();
        double ratio = Math.sqrt(target.variance(DELTA) / target.variance(T));
        double worst = 0.0;
        for (int r = 0; r < start.size(); r++) {
            for (int i = 0; i < d; i++) {
                double exact = target.mean(DELTA, i) + ratio * (start.data()[r * d + i] - target.mean(T, i));
                worst = Math.max(worst, Math.abs(end.data()[r * d + i] - exact));
            }
        }
        return worst;
    }

    double[] run(double tolerance, AdaptiveFlowStage.Method method) {
        Particles x0 = start(1000);
        Particles x = new Particles(1000, target.dimension(), 0, x0.data().clone(), T);
        Block all = x.all();
        stage(tolerance, method).step(0, all, PhiloxNoise.of(5, 1, 0));
        Metrics m = all.reported().orElseThrow();
        return new double[] {error(x0, x), m.number("accepted-steps"), m.number("rejected-steps"), m.number("score-evaluations")};
    }

    /**
     * The controller bounds the local error per step by the tolerance; the global error is that
     * accumulated over the steps (the flow contracts here, s_delta / s_T = 0.5). Measured, the
     * largest error over 2000 coordinates is 0.7-1.9 times the tolerance for dopri5 and 3.4-6.5
     * times for bosh3, from 1e-3 to 1e-9: so it stays below 10 times the tolerance, and it falls
     * with the tolerance (a wrong tableau or controller gives an error that does not).
     */
    @Test
    void theErrorToTheExactFlowMapFollowsTheTolerance() {
        for (AdaptiveFlowStage.Method method : AdaptiveFlowStage.Method.values()) {
            double loose = run(1e-5, method)[0];
            for (double tol : new double[] {1e-3, 1e-5, 1e-7, 1e-9}) {
                double error = run(tol, method)[0];
                assertTrue(error <= 10 * tol, method + " at tolerance " + tol + ": error " + error);
            }
            double tight = run(1e-9, method)[0];
            assertTrue(tight < loose / 1000, method + ": error " + tight + " at 1e-9 against " + loose + " at 1e-5");
        }
    }

    /**
     * A pair of order p takes steps of size ~ tol^(1/p): from 1e-5 to 1e-9 bosh3 (p = 3) needs
     * 10^(4/3) = 21.5 times the steps (measured 22.3) and dopri5 (p = 5) at most 10^(4/5) = 6.3
     * times (measured 4.0, its steps at 1e-5 being set by the start); so dopri5 needs far fewer.
     */
    @Test
    void theNumberOfStepsScalesWithTheOrder() {
        double[] bosh5 = run(1e-5, AdaptiveFlowStage.Method.BOSH3);
        double[] bosh9 = run(1e-9, AdaptiveFlowStage.Method.BOSH3);
        double ratio = bosh9[1] / bosh5[1];
        assertTrue(ratio > 21.5 / 2 && ratio < 21.5 * 2, "bosh3 steps grew " + ratio + " times");
        double[] dopri9 = run(1e-9, AdaptiveFlowStage.Method.DOPRI5);
        assertTrue(dopri9[1] < bosh9[1] / 10, "dopri5 took " + dopri9[1] + " steps, bosh3 " + bosh9[1]);
        // first same as last: one evaluation to start, then stages - 1 per step, accepted or not
        assertEquals(1 + 6 * (dopri9[1] + dopri9[2]), dopri9[3]);
        assertEquals(1 + 3 * (bosh9[1] + bosh9[2]), bosh9[3]);
    }

    @Test
    void theRecordedStepsCoverTheInterval() {
        Particles x = start(50);
        Block all = x.all();
        stage(1e-6, AdaptiveFlowStage.Method.DOPRI5).step(0, all, PhiloxNoise.of(5, 1, 0));
        Metrics report = all.reported().orElseThrow();
        double[] steps = report.vector("step-sizes");
        assertEquals(steps.length, report.number("accepted-steps"));
        double sum = 0.0;
        for (double h : steps) {
            assertTrue(h > 0, "a step of " + h);
            sum += h;
        }
        assertEquals(T - DELTA, sum, 1e-12);
        assertEquals(DELTA, stage(1e-6, AdaptiveFlowStage.Method.DOPRI5).time(1, T), 0.0);
    }

    @Test
    void badSettingsAndAStudentTPathAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdaptiveFlowStage.Params(0.5, 1.0, 1e-5, 1e-5, AdaptiveFlowStage.Method.DOPRI5, 10));
        assertTrue(e.getMessage().contains("0 <= to < from"), e.getMessage());
        NoisingPath studentT = new InterpolationPath(new InterpolationPath.Params(InterpolationPath.Schedule.LINEAR,
                InterpolationPath.Base.STUDENT_T, 3.0, 10.0));
        e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveFlowStage(new AdaptiveFlowStage.Params(1.0, 0.0,
                1e-5, 1e-5, AdaptiveFlowStage.Method.DOPRI5, 10), new StageSpec("flow", 0), studentT, target.score()));
        assertTrue(e.getMessage().contains("Student-t"), e.getMessage());
    }

    @Test
    void runningOutOfStepsNamesTheKeysToRaise() {
        AdaptiveFlowStage few = new AdaptiveFlowStage(new AdaptiveFlowStage.Params(T, DELTA, 1e-9, 1e-9,
                AdaptiveFlowStage.Method.BOSH3, 20), new StageSpec("flow", 1), target.path(), target.score());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> few.step(0, start(10).all(), PhiloxNoise.of(5, 1, 0)));
        assertTrue(e.getMessage().startsWith("flow: the probability-flow ODE took 20 steps") && e.getMessage().contains("max-steps"),
                e.getMessage());
    }
}
