package org.scorepipe.core.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.distribution.continuous.FDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.hipparchus.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The Student-t source against Hipparchus' distributions by Kolmogorov-Smirnov tests at the 1%
 * level (fixed seeds, so each test is one deterministic draw that a wrong sampler fails).
 */
class StudentTSourceTest {
    static final KolmogorovSmirnovTest KS = new KolmogorovSmirnovTest();

    static StudentTSource source(double df, double[] location, double[] scale, int d) {
        return new StudentTSource(new StudentTSource.Params(df, location, scale), new PipelineSpec("test", 1, 1, d));
    }

    static double[] column(double[] x, int n, int d, int j, double shift, double scale) {
        double[] c = new double[n];
        for (int r = 0; r < n; r++) {
            c[r] = (x[r * d + j] - shift) / scale;
        }
        return c;
    }

    /**
     * Diagonal scale: (x_j - mu_j) / sqrt(Sigma_jj) is t_nu, for a df below 2 too (shape < 1 of the
     * gamma). Six tests at the 0.1% level, so a correct sampler fails this method with probability
     * below 0.6%; with 200 000 particles a df off by 25% or the variance taken for the scale gives
     * p below 1e-5 at every df here (checked by hand when the noise stream changed).
     */
    @Test
    void diagonalScaleMarginalsAreStudentT() {
        for (double df : new double[] {1.5, 3.0, 7.0}) {
            int n = 200_000;
            double[] location = {2.0, -1.0};
            double[] variances = {4.0, 0.25};
            StudentTSource source = source(df, location, variances, 2);
            Particles particles = new Particles(n, 2);
            source.sample(particles.all(), PhiloxNoise.of(13, 0, 0));
            for (int j = 0; j < 2; j++) {
                double p = KS.kolmogorovSmirnovTest(new TDistribution(df),
                        column(particles.data(), n, 2, j, location[j], Math.sqrt(variances[j])));
                assertTrue(p > 1e-3, "df " + df + ", coordinate " + j + ": p = " + p);
            }
        }
    }

    /**
     * Full scale Sigma = L L^T: w = L^{-1} (x - mu) is a standard multivariate t, so w_0 is t_nu and
     * |w|^2 / d is F(d, nu).
     */
    @Test
    void fullScaleWhitensToTheStandardT() {
        double df = 4.0;
        int n = 20_000;
        double[] sigma = {2.0, 0.8, 0.8, 1.0};
        StudentTSource source = source(df, new double[] {1.0, 1.0}, sigma, 2);
        Particles particles = new Particles(n, 2);
        source.sample(particles.all(), PhiloxNoise.of(14, 0, 0));
        double l00 = Math.sqrt(sigma[0]);
        double l10 = sigma[1] / l00;
        double l11 = Math.sqrt(sigma[3] - l10 * l10);
        double[] first = new double[n];
        double[] radius = new double[n];
        double[] x = particles.data();
        for (int r = 0; r < n; r++) {
            double w0 = (x[2 * r] - 1.0) / l00;
            double w1 = (x[2 * r + 1] - 1.0 - l10 * w0) / l11;
            first[r] = w0;
            radius[r] = (w0 * w0 + w1 * w1) / 2;
        }
        double p = KS.kolmogorovSmirnovTest(new TDistribution(df), first);
        assertTrue(p > 0.01, "w_0: p = " + p);
        double q = KS.kolmogorovSmirnovTest(new FDistribution(2, df), radius);
        assertTrue(q > 0.01, "|w|^2 / 2: p = " + q);
    }

    /** When every Marsaglia-Tsang attempt is rejected the scale comes from the inverse chi-square CDF. */
    @Test
    void rejectedAttemptsFallBackToTheInverseCdf() {
        StudentT t = new StudentT(5.0);
        double[] rejecting = new double[StudentT.ATTEMPTS];
        // 1 + c x <= 0 for x = -1e3 whatever c = 1 / sqrt(9 (a - 1/3)) is: every attempt is rejected.
        Arrays.fill(rejecting, -1e3);
        double[] uniforms = new double[StudentT.UNIFORMS];
        Arrays.fill(uniforms, 0.5);
        uniforms[StudentT.ATTEMPTS + 1] = 0.3;
        double w = new ChiSquaredDistribution(5.0).inverseCumulativeProbability(0.7);
        assertEquals(Math.sqrt(5.0 / w), t.mixingScale(rejecting, 0, uniforms, 0), 1e-12);
        // An accepted first attempt: x = 0, u = 0.5 passes the squeeze, so Gamma = a - 1/3 and W = 2 (a - 1/3).
        double[] accepting = new double[StudentT.ATTEMPTS];
        assertEquals(Math.sqrt(5.0 / (2 * (2.5 - 1.0 / 3))), t.mixingScale(accepting, 0, uniforms, 0), 1e-14);
    }

    /**
     * At t = 0 of the interpolation path the analytic score is the closed-form score of
     * t_nu(mu, Sigma), -(nu + d) P (x - mu) / (nu + (x - mu)^T P (x - mu)), P = Sigma^{-1}: the
     * quadrature over V errs by ~1e-9 relative (ChiSquareNodes), so 1e-8 of the score's size.
     */
    @Test
    void theAnalyticScoreIsTheClosedFormScoreAtTheData() {
        double nu = 3.0;
        double[] mu = {0.5, -1.0};
        double[] sigma = {2.0, 0.6, 0.6, 1.0};
        StudentTSource source = source(nu, mu, sigma, 2);
        assertTrue(source.gaussianMixture().isEmpty());
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), source,
                new InterpolationPath(new InterpolationPath.Params(InterpolationPath.Schedule.LINEAR,
                        InterpolationPath.Base.GAUSSIAN, 3.0, 10.0)));
        double det = sigma[0] * sigma[3] - sigma[1] * sigma[2];
        double[] p = {sigma[3] / det, -sigma[1] / det, -sigma[2] / det, sigma[0] / det};
        double[][] points = {{0.5, -1.0}, {1.0, 2.0}, {-7.0, 3.0}, {150.0, 90.0}};
        for (double[] x : points) {
            double e0 = x[0] - mu[0];
            double e1 = x[1] - mu[1];
            double g0 = p[0] * e0 + p[1] * e1;
            double g1 = p[2] * e0 + p[3] * e1;
            double factor = -(nu + 2) / (nu + e0 * g0 + e1 * g1);
            double[] out = new double[2];
            score.score(x, 0, 1, 0.0, out);
            double size = Math.abs(factor) * Math.hypot(g0, g1);
            assertEquals(factor * g0, out[0], 1e-8 * size + 1e-300, Arrays.toString(x));
            assertEquals(factor * g1, out[1], 1e-8 * size + 1e-300, Arrays.toString(x));
        }
    }

    @Test
    void parametersAreValidated() {
        assertEquals("df must be a finite number > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new StudentTSource.Params(0.0, new double[0], new double[] {1.0})).getMessage());
        assertEquals("dimension mismatch: location has 3 values but the pipeline's dimension is 2",
                assertThrows(IllegalArgumentException.class, () -> source(3, new double[3], new double[] {1.0}, 2))
                        .getMessage());
        assertEquals("scale has 3 values; give 1 (a variance), d=2 (a diagonal) or d*d=4 (a full matrix)",
                assertThrows(IllegalArgumentException.class, () -> source(3, new double[0], new double[3], 2)).getMessage());
        assertEquals("scale is not positive definite (its Cholesky factorisation fails); give a symmetric"
                + " positive-definite matrix", assertThrows(IllegalArgumentException.class,
                        () -> source(3, new double[0], new double[] {1, 2, 2, 1}, 2)).getMessage());
    }
}
