package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mergedOverRanges;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;
import static org.scorepipe.core.evaluators.Targets.text;
import static org.scorepipe.core.evaluators.Targets.withoutClosedForm;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class GaussianW2EvaluatorTest {
    private static final double[] M1 = {1.0, -1.0};
    private static final double[] S1 = {2.0, 0.6, 0.6, 1.0};
    private static final double[] M2 = {0.0, 0.5};
    private static final double[] S2 = {0.5, -0.2, -0.2, 1.5};

    /**
     * For 2 x 2 matrices tr M^{1/2} = sqrt(tr M + 2 sqrt(det M)); with M = S2^{1/2} S1 S2^{1/2},
     * tr M = tr(S1 S2) and det M = det S1 det S2, so
     * W_2^2 = |m1 - m2|^2 + tr S1 + tr S2 - 2 sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)).
     */
    private static double closedForm2d(double[] m1, double[] s1, double[] m2, double[] s2) {
        double mean = (m1[0] - m2[0]) * (m1[0] - m2[0]) + (m1[1] - m2[1]) * (m1[1] - m2[1]);
        double trProduct = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
        double det1 = s1[0] * s1[3] - s1[1] * s1[2];
        double det2 = s2[0] * s2[3] - s2[1] * s2[2];
        return mean + s1[0] + s1[3] + s2[0] + s2[3] - 2.0 * Math.sqrt(trProduct + 2.0 * Math.sqrt(det1 * det2));
    }

    @Test
    void nonCommutingCovariancesMatchTheTwoByTwoClosedForm() {
        assertEquals(closedForm2d(M1, S1, M2, S2), GaussianW2Evaluator.squared(M1, S1, M2, S2, 2), 1e-12);
        // Symmetric in its two laws.
        assertEquals(GaussianW2Evaluator.squared(M1, S1, M2, S2, 2), GaussianW2Evaluator.squared(M2, S2, M1, S1, 2), 1e-12);
    }

    @Test
    void diagonalCovariancesAreTheMeanShiftPlusTheSquaredStandardDeviationGaps() {
        int d = 4;
        double[] a = {1.0, 4.0, 0.25, 9.0};
        double[] b = {4.0, 1.0, 0.25, 1.0};
        double[] sa = new double[d * d];
        double[] sb = new double[d * d];
        double expected = 0.0;
        double[] ma = {0, 1, 2, 3};
        double[] mb = {1, 1, 0, 3};
        for (int i = 0; i < d; i++) {
            sa[i * d + i] = a[i];
            sb[i * d + i] = b[i];
            expected += (ma[i] - mb[i]) * (ma[i] - mb[i]) + (Math.sqrt(a[i]) - Math.sqrt(b[i])) * (Math.sqrt(a[i]) - Math.sqrt(b[i]));
        }
        assertEquals(expected, GaussianW2Evaluator.squared(ma, sa, mb, sb, d), 1e-12);
        assertEquals(0.0, GaussianW2Evaluator.squared(ma, sa, ma, sa, d), 1e-12);
    }

    private static double evaluate(DataSource data, Particles particles) {
        return new GaussianW2Evaluator(new GaussianW2Evaluator.Params(Reference.DATA, 0), data, ornsteinUhlenbeck())
                .evaluate(particles, new EvalContext("eval", 0.0, evaluationNoise())).number("gaussian-w2");
    }

    @Test
    void samplesOfOneGaussianAgainstAnotherGiveTheClosedForm() {
        int n = 40_000;
        DataSource first = mixture(2, new Part(1.0, M1, S1));
        DataSource second = mixture(2, new Part(1.0, M2, S2));
        Particles particles = sample(first, n, 1);
        double exact = Math.sqrt(closedForm2d(M1, S1, M2, S2));
        // W_2 is 1-Lipschitz in the mean and moves by O(|S_hat - S1|) in the covariance; the sample
        // mean errs by sqrt(tr S1 / n) = 0.009 and the covariance by about |S1|_F sqrt(2/n) = 0.017
        // (Frobenius): 5 times their sum is 0.13.
        assertEquals(exact, evaluate(second, particles), 0.13);
        // Against its own law the fit errs only by sampling: W_2 of the same size, 0.13.
        assertEquals(0.0, evaluate(first, particles), 0.13);
        // Without a closed form the reference is sampled too (40 000 points): errors add, sqrt(2) * 0.13 < 0.19.
        assertEquals(exact, evaluate(withoutClosedForm(second), particles), 0.19);
    }

    /**
     * The fit's moments come from additive sums: chunk statistics summed in index order, over
     * ranges cut at chunk boundaries as a distributed runner cuts them, give {@code evaluate}'s
     * value to the last bit, with a closed-form reference and with a sampled one, and for an
     * ensemble whose first index is not a multiple of the chunk.
     */
    @Test
    void chunkStatisticsOverChunkAlignedRangesGiveTheWholeEnsemblesValue() {
        DataSource first = mixture(2, new Part(0.3, M1, S1), new Part(0.7, M2, S2));
        Particles particles = sample(first, 1000, 1);
        particles.setTime(0.4);
        EvalContext context = new EvalContext("eval", 0.4, evaluationNoise());
        for (DataSource data : new DataSource[] {first, withoutClosedForm(first)}) {
            for (Reference reference : Reference.values()) {
                GaussianW2Evaluator evaluator = new GaussianW2Evaluator(new GaussianW2Evaluator.Params(reference, 0), data,
                        ornsteinUhlenbeck());
                String whole = text(evaluator.evaluate(particles, context));
                for (int[] cuts : new int[][] {{}, {256}, {256, 512, 768}, {768}}) {
                    assertEquals(whole, text(mergedOverRanges(evaluator, particles, cuts, context)),
                            reference + " cut at " + java.util.Arrays.toString(cuts));
                }
                // Particles 100 .. 1099: chunks end at global 256, 512, ..., so ranges cut there.
                Particles shifted = new Particles(1000, 2, 100, particles.data().clone(), 0.4);
                assertEquals(text(evaluator.evaluate(shifted, context)),
                        text(mergedOverRanges(evaluator, shifted, new int[] {156, 412, 924}, context)), reference + " from 100");
            }
        }
    }

    /** The one-pass moments of the sums agree with the two-pass centred ones to rounding. */
    @Test
    void theMomentsOfTheSumsAreTheCentredMoments() {
        Particles particles = sample(mixture(2, new Part(1.0, M1, S1)), 5000, 1);
        Moments twoPass = Moments.sample(particles.data(), 5000, 2);
        Moments onePass = Moments.fromSums(Moments.sums(particles.all()), 5000);
        assertArrayEquals(twoPass.mean(), onePass.mean(), 1e-14);
        // S2 - n m m^T cancels about |m|^2 / |S| ~ 1 digit of the sums' 16.
        assertArrayEquals(twoPass.covariance(), onePass.covariance(), 1e-13);
    }

    @Test
    void refusesOneReferenceSample() {
        assertThrows(IllegalArgumentException.class, () -> new GaussianW2Evaluator.Params(Reference.DATA, 1));
    }
}
