package org.scorepipe.core.correctors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Counting;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** MALA on N(MU, SIGMA) (a full 2 x 2 covariance), the OU path's marginal at t = 0. */
class MalaCorrectorTest {
    static final double[] MU = {1.0, -2.0};
    static final double[] SIGMA = {1.0, 0.6, 0.6, 0.8};
    static final double STEP = 0.5;

    final GaussianMixtureSource data = new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
            new GaussianMixtureSource.Part(1.0, MU, SIGMA))), new PipelineSpec("test", 1, 1, 2));
    final ScoreProvider score = new AnalyticScore(new AnalyticScore.Params(), data,
            new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params()));

    /** What a runner sums: the counts the corrector added to each block. */
    final long[] totals = new long[2];

    /** n exact draws of the target, then {@code calls} corrector calls, each on a new block. */
    Particles run(Corrector corrector, int n, int calls) {
        Particles particles = new Particles(n, 2);
        data.sample(particles.all(), PhiloxNoise.of(21, 0, 0));
        for (int k = 0; k < calls; k++) {
            Block block = particles.all();
            corrector.correct(block, 0.0, PhiloxNoise.of(21, 1, k));
            if (corrector instanceof Counting counting) {
                add(totals, block.countsOf(counting));
            }
        }
        return particles;
    }

    static void add(long[] into, long[] counts) {
        for (int i = 0; i < into.length; i++) {
            into[i] += counts[i];
        }
    }

    /** {mean_0, mean_1, C_00, C_01, C_11} about the true mean. */
    static double[] moments(double[] x, int n) {
        double[] m = new double[5];
        for (int r = 0; r < n; r++) {
            double a = x[2 * r] - MU[0];
            double b = x[2 * r + 1] - MU[1];
            m[0] += a / n;
            m[1] += b / n;
            m[2] += a * a / n;
            m[3] += a * b / n;
            m[4] += b * b / n;
        }
        return m;
    }

    /**
     * Each particle starts exactly at the target and runs its own chain, so if MALA leaves the
     * target invariant the particles at the end are n independent exact draws: the means are
     * within 5 standard errors sqrt(S_ii / n) of MU and each covariance entry within 5 standard
     * errors sqrt((S_ii S_jj + S_ij^2) / n) of SIGMA (Gaussian product moments). The step h = 0.5 is
     * large: unadjusted Langevin with it drifts far outside these bounds (checked below), so the
     * test sees the Metropolis correction at work.
     */
    @Test
    void leavesTheGaussianInvariantAndReportsItsAcceptanceRate() {
        int n = 40_000;
        int calls = 4;
        int steps = 3;
        MalaCorrector mala = new MalaCorrector(new MalaCorrector.Params(STEP, steps), score);
        double[] m = moments(run(mala, n, calls).data(), n);
        assertEquals(0.0, m[0], 5 * Math.sqrt(SIGMA[0] / n), "mean 0");
        assertEquals(0.0, m[1], 5 * Math.sqrt(SIGMA[3] / n), "mean 1");
        assertEquals(SIGMA[0], m[2], 5 * Math.sqrt(2 * SIGMA[0] * SIGMA[0] / n), "C_00");
        assertEquals(SIGMA[1], m[3], 5 * Math.sqrt((SIGMA[0] * SIGMA[3] + SIGMA[1] * SIGMA[1]) / n), "C_01");
        assertEquals(SIGMA[3], m[4], 5 * Math.sqrt(2 * SIGMA[3] * SIGMA[3] / n), "C_11");

        Metrics report = mala.report(totals);
        double proposals = (double) n * calls * steps;
        assertEquals(proposals, report.number("proposals"));
        double rate = report.number("acceptance-rate");
        assertEquals(report.number("accepted") / proposals, rate, 0.0);
        assertTrue(rate > 0.05 && rate < 0.98, "a step this large rejects some proposals and accepts others: " + rate);

        // The same chains without the accept step: the covariance moves by more than 10 standard errors.
        double[] ula = moments(run(new LangevinCorrector(new LangevinCorrector.Params(STEP, steps), score), n, calls).data(), n);
        assertTrue(Math.abs(ula[2] - SIGMA[0]) > 10 * Math.sqrt(2 * SIGMA[0] * SIGMA[0] / n), "ULA's C_00 = " + ula[2]);
    }

    @Test
    void resultsAndCountsDoNotDependOnTheBlocking() {
        MalaCorrector mala = new MalaCorrector(new MalaCorrector.Params(STEP, 2), score);
        Particles a = new Particles(100, 2, 30, new double[200], 0.0);
        data.sample(a.all(), PhiloxNoise.of(4, 0, 0));
        Particles b = new Particles(100, 2, 30, a.data().clone(), 0.0);
        Block whole = a.all();
        mala.correct(whole, 0.0, PhiloxNoise.of(4, 1, 0));
        PhiloxNoise noise = PhiloxNoise.of(4, 1, 0);
        Block right = b.block(55, 100);
        Block left = b.block(0, 55);
        mala.correct(right, 0.0, noise);
        mala.correct(left, 0.0, noise);
        assertArrayEquals(a.data(), b.data());
        long[] split = new long[2];
        add(split, left.countsOf(mala));
        add(split, right.countsOf(mala));
        assertArrayEquals(whole.countsOf(mala), split);
        assertEquals(200, split[0], "100 particles, 2 inner steps");
        assertTrue(split[1] > 0 && split[1] < 200, "some accepted, some rejected: " + split[1]);
    }

    @Test
    void reportsFromTheTotalsItIsGiven() {
        MalaCorrector mala = new MalaCorrector(new MalaCorrector.Params(STEP, 2), score);
        assertEquals(List.of("proposals", "accepted"), mala.countNames());
        Metrics none = mala.report(new long[] {0, 0});
        assertFalse(none.values().containsKey("acceptance-rate"), "no rate before the first proposal");
        assertEquals(0.0, none.number("proposals"));
        Metrics some = mala.report(new long[] {8, 3});
        assertEquals(3.0 / 8.0, some.number("acceptance-rate"), 0.0);
        assertEquals(3.0, some.number("accepted"));
    }

    @Test
    void needsALogDensity() {
        ScoreProvider scoreOnly = (x, offset, rows, t, out) -> { };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MalaCorrector(new MalaCorrector.Params(0.1, 1), scoreOnly));
        assertTrue(e.getMessage().startsWith("mala needs a score provider with a log density for its accept step, but "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(" has none; use a score that has one (e.g. analytic) or the unadjusted"
                + " langevin corrector"), e.getMessage());
    }
}
