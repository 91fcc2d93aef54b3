package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;
import static org.scorepipe.core.evaluators.Targets.withoutClosedForm;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class MomentsEvaluatorTest {
    private static final int D = 2;
    private static final int N = 40_000;
    private static final double[] MEAN_0 = {-2.0, 0.0};
    private static final double[] MEAN_1 = {3.0, 1.0};
    private static final DataSource DATA = mixture(D,
            new Part(0.3, MEAN_0, new double[] {1.0, 0.5}),
            new Part(0.7, MEAN_1, new double[] {1.0, 0.3, 0.3, 2.0}));
    /** mu = 0.3 mu_0 + 0.7 mu_1. */
    private static final double[] MEAN = {0.3 * -2.0 + 0.7 * 3.0, 0.7 * 1.0};
    /** Cov = sum_k w_k (Sigma_k + mu_k mu_k^T) - mu mu^T, written out by hand. */
    private static final double[] COVARIANCE = {
        0.3 * (1.0 + 4.0) + 0.7 * (1.0 + 9.0) - MEAN[0] * MEAN[0],
        0.3 * 0.0 + 0.7 * (0.3 + 3.0) - MEAN[0] * MEAN[1],
        0.3 * 0.0 + 0.7 * (0.3 + 3.0) - MEAN[0] * MEAN[1],
        0.3 * 0.5 + 0.7 * (2.0 + 1.0) - MEAN[1] * MEAN[1]};

    private static Metrics evaluate(DataSource data, Reference reference, int referenceSamples, Particles particles,
            double t) {
        return new MomentsEvaluator(new MomentsEvaluator.Params(reference, referenceSamples), data, ornsteinUhlenbeck())
                .evaluate(particles, new EvalContext("eval", t, evaluationNoise()));
    }

    /** 5 root-mean-square errors of the sample mean: E|x_bar - m|^2 = tr C / n. */
    private static double meanTolerance(double[] covariance, int n) {
        return 5 * Math.sqrt((covariance[0] + covariance[3]) / n);
    }

    /**
     * 5 root-mean-square errors of the sample covariance: E|S - C|_F^2 ~ sum_ab Var[(x_a - m_a)(x_b - m_b)] / n,
     * the variances estimated from the particles themselves.
     */
    private static double covarianceTolerance(Particles particles, double[] mean) {
        int n = particles.size();
        double[] x = particles.data();
        double total = 0.0;
        for (int a = 0; a < D; a++) {
            for (int b = 0; b < D; b++) {
                double sum = 0.0;
                double squares = 0.0;
                for (int i = 0; i < n; i++) {
                    double product = (x[i * D + a] - mean[a]) * (x[i * D + b] - mean[b]);
                    sum += product;
                    squares += product * product;
                }
                total += squares / n - (sum / n) * (sum / n);
            }
        }
        return 5 * Math.sqrt(total / n);
    }

    @Test
    void exactSamplesOfTheMixtureMatchItsClosedFormMoments() {
        Particles particles = sample(DATA, N, 1);
        Metrics metrics = evaluate(DATA, Reference.DATA, 0, particles, 0.0);
        assertEquals(0.0, metrics.number("mean-error"), meanTolerance(COVARIANCE, N));
        double covarianceError = metrics.number("covariance-error");
        assertEquals(0.0, covarianceError, covarianceTolerance(particles, MEAN));
        double norm = Math.sqrt(COVARIANCE[0] * COVARIANCE[0] + 2 * COVARIANCE[1] * COVARIANCE[1]
                + COVARIANCE[3] * COVARIANCE[3]);
        assertEquals(covarianceError / norm, metrics.number("covariance-relative-error"), 1e-12);
    }

    @Test
    void shiftedSamplesReportTheShift() {
        double[] shift = {0.5, -0.25};
        Particles particles = sample(DATA, N, 1);
        Metrics unshifted = evaluate(DATA, Reference.DATA, 0, particles, 0.0);
        double[] sampleMean = new double[D];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) {
                sampleMean[j] += particles.data()[i * D + j] / N;
                particles.data()[i * D + j] += shift[j];
            }
        }
        Metrics shifted = evaluate(DATA, Reference.DATA, 0, particles, 0.0);
        // Exactly |x_bar + v - m|, and so |v| up to the sample mean's error.
        double exact = Math.hypot(sampleMean[0] + shift[0] - MEAN[0], sampleMean[1] + shift[1] - MEAN[1]);
        assertEquals(exact, shifted.number("mean-error"), 1e-9);
        assertEquals(Math.hypot(shift[0], shift[1]), shifted.number("mean-error"), meanTolerance(COVARIANCE, N));
        // A shift leaves the sample covariance as it was, up to rounding.
        assertEquals(unshifted.number("covariance-error"), shifted.number("covariance-error"), 1e-9);
    }

    @Test
    void noisedReferenceHasThePushedMoments() {
        double t = 0.5;
        double alpha = Math.exp(-t);
        double sigmaSquared = 1.0 - Math.exp(-2 * t);
        Particles particles = sample(DATA, N, 1);
        ornsteinUhlenbeck().push(particles.all(), 0.0, t, evaluationNoise().streams(5));
        // Law of the particles: mean alpha mu, covariance alpha^2 Cov + sigma^2 I.
        double[] pushedMean = {alpha * MEAN[0], alpha * MEAN[1]};
        double[] pushedCovariance = new double[4];
        for (int j = 0; j < 4; j++) {
            pushedCovariance[j] = alpha * alpha * COVARIANCE[j] + (j == 0 || j == 3 ? sigmaSquared : 0.0);
        }
        Metrics noised = evaluate(DATA, Reference.NOISED, 0, particles, t);
        assertEquals(0.0, noised.number("mean-error"), meanTolerance(pushedCovariance, N));
        assertEquals(0.0, noised.number("covariance-error"), covarianceTolerance(particles, pushedMean));

        // Against the data itself the mean is off by (1 - alpha) |mu|.
        Metrics clean = evaluate(DATA, Reference.DATA, 0, particles, t);
        assertEquals((1 - alpha) * Math.hypot(MEAN[0], MEAN[1]), clean.number("mean-error"),
                meanTolerance(pushedCovariance, N));
    }

    @Test
    void withoutAClosedFormTheReferenceIsSampled() {
        DataSource data = withoutClosedForm(DATA);
        Particles particles = sample(DATA, N, 1);
        // Two independent samples of n: the errors' variances add, sqrt(2) times one sample's.
        Metrics metrics = evaluate(data, Reference.DATA, 0, particles, 0.0);
        assertEquals(0.0, metrics.number("mean-error"), Math.sqrt(2) * meanTolerance(COVARIANCE, N));
        assertEquals(0.0, metrics.number("covariance-error"), Math.sqrt(2) * covarianceTolerance(particles, MEAN));

        // Pushed reference samples at t, against particles pushed the same way with other noise.
        double t = 0.5;
        ornsteinUhlenbeck().push(particles.all(), 0.0, t, evaluationNoise().streams(5));
        Metrics noised = evaluate(data, Reference.NOISED, 10_000, particles, t);
        double alpha = Math.exp(-t);
        double[] pushedCovariance = new double[4];
        for (int j = 0; j < 4; j++) {
            pushedCovariance[j] = alpha * alpha * COVARIANCE[j] + (j == 0 || j == 3 ? 1.0 - alpha * alpha : 0.0);
        }
        // 10 000 reference samples against 40 000 particles: variance (1/n + 1/m) tr C.
        assertEquals(0.0, noised.number("mean-error"),
                5 * Math.sqrt((pushedCovariance[0] + pushedCovariance[3]) * (1.0 / N + 1.0 / 10_000)));
        // The covariance error's variance scales the same way: (1/n + 1/m) = (1 + n/m) / n.
        double[] pushedMean = {alpha * MEAN[0], alpha * MEAN[1]};
        assertEquals(0.0, noised.number("covariance-error"),
                Math.sqrt(1.0 + (double) N / 10_000) * covarianceTolerance(particles, pushedMean));
        // ...and against the data, still (1 - alpha) |mu| off.
        Metrics clean = evaluate(data, Reference.DATA, 10_000, particles, t);
        assertEquals((1 - alpha) * Math.hypot(MEAN[0], MEAN[1]), clean.number("mean-error"), 0.15);
    }

    @Test
    void refusesASingleReferenceSample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MomentsEvaluator.Params(Reference.NOISED, 1));
        assertTrue(e.getMessage().contains("reference-samples"), e.getMessage());
    }
}
