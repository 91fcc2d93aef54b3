package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.hipparchus.special.Gamma;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.GaussianMixture.Gaussian;

class HeavyTailedMixtureTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    static GaussianMixture mixture(double[] weights, Gaussian... components) {
        return new GaussianMixture(weights, List.of(components));
    }

    /** A 3-D mixture with a full and a diagonal component. */
    static GaussianMixture mixture3() {
        return mixture(new double[] {0.4, 0.6},
                new Gaussian(new double[] {1.0, -0.5, 2.0}, Form.FULL,
                        new double[] {1.0, 0.3, -0.2, 0.3, 0.8, 0.1, -0.2, 0.1, 1.5}),
                new Gaussian(new double[] {-1.5, 1.0, 0.0}, Form.DIAGONAL, new double[] {0.5, 2.0, 1.0}));
    }

    static GaussianMixture fullScale3() {
        return mixture(new double[] {1.0}, new Gaussian(new double[] {0.5, -1.0, 0.25}, Form.FULL,
                new double[] {2.0, 0.5, 0.0, 0.5, 1.0, -0.3, 0.0, -0.3, 0.7}));
    }

    static GaussianMixture isotropic(int d, double variance) {
        return mixture(new double[] {1.0}, new Gaussian(new double[d], Form.SCALAR, new double[] {variance}));
    }

    /** log of the multivariate t_nu(mu, Sigma) density and its score, Sigma = v I. */
    static double logT(double[] x, double nu, double v) {
        int d = x.length;
        double q = 0.0;
        for (double xi : x) {
            q += xi * xi / v;
        }
        return Gamma.logGamma(0.5 * (nu + d)) - Gamma.logGamma(0.5 * nu) - 0.5 * d * Math.log(nu * Math.PI * v)
                - 0.5 * (nu + d) * Math.log1p(q / nu);
    }

    /**
     * The score against central differences of the quadrature log density: both are of the same
     * function, so they agree up to the differences' own error, h^2 f''' / 6 ~ 1e-10 and
     * rounding 1e-15 |log p| / h ~ 1e-10 at h = 1e-5; 1e-7 relative leaves a margin of 100.
     */
    @Test
    void theScoreIsTheGradientOfTheQuadratureLogDensity() {
        double t = 0.4;
        double alpha = Math.sqrt(1 - t);
        double sigma = Math.sqrt(t);
        record Case(String name, HeavyTailedMixture law) {
        }
        List<Case> cases = List.of(
                new Case("mixture under t_3", HeavyTailedMixture.of(mixture3(), INF, 3.0, alpha, sigma)),
                new Case("t_4 full scale under a Gaussian base", HeavyTailedMixture.of(fullScale3(), 4.0, INF, alpha, sigma)),
                new Case("t_4 full scale under t_3", HeavyTailedMixture.of(fullScale3(), 4.0, 3.0, alpha, sigma)),
                new Case("isotropic t_3 under t_3", HeavyTailedMixture.of(isotropic(3, 1.0), 3.0, 3.0, alpha, sigma)));
        double[][] points = {{0.1, 0.2, -0.3}, {2.0, -1.0, 0.5}, {-4.0, 3.0, 6.0}, {30.0, -20.0, 10.0}};
        double h = 1e-5;
        for (Case c : cases) {
            for (double[] x : points) {
                double[] score = new double[3];
                c.law().score(x, 0, 1, score);
                double norm = 0.0;
                double err = 0.0;
                for (int i = 0; i < 3; i++) {
                    double[] up = x.clone();
                    double[] down = x.clone();
                    up[i] += h;
                    down[i] -= h;
                    double[] lu = new double[1];
                    double[] ld = new double[1];
                    c.law().logDensity(up, 0, 1, lu);
                    c.law().logDensity(down, 0, 1, ld);
                    double fd = (lu[0] - ld[0]) / (2 * h);
                    err = Math.max(err, Math.abs(fd - score[i]));
                    norm = Math.max(norm, Math.abs(score[i]));
                }
                assertTrue(err <= 1e-7 * norm, c.name() + " at " + java.util.Arrays.toString(x) + ": " + err + " vs " + norm);
            }
        }
    }

    /**
     * At lambda = 1 (alpha = 1, sigma = 0) a Student-t target is itself, and at lambda = 0
     * (alpha = 0, sigma = 1) the path is its t_nu base, whatever the target: closed forms. The
     * quadrature's relative error is ~1e-9 (ChiSquareNodes), so 1e-8 in the log density and, relative
     * to the score's size, in the score.
     */
    @Test
    void theEndPointsAreClosedFormStudentT() {
        double[][] points = {{0.0, 0.0}, {0.3, -0.7}, {2.0, 1.0}, {-10.0, 4.0}, {300.0, -200.0}};
        double nu = 3.0;
        double v = 1.7;
        HeavyTailedMixture target = HeavyTailedMixture.of(isotropic(2, v), nu, 5.0, 1.0, 0.0);
        HeavyTailedMixture base = HeavyTailedMixture.of(mixture(new double[] {0.5, 0.5},
                new Gaussian(new double[] {1, 1}, Form.SCALAR, new double[] {1}),
                new Gaussian(new double[] {-1, 2}, Form.DIAGONAL, new double[] {1, 3})), INF, nu, 0.0, 1.0);
        HeavyTailedMixture tBase = HeavyTailedMixture.of(isotropic(2, v), 4.0, nu, 0.0, 1.0);
        for (double[] x : points) {
            double q = (x[0] * x[0] + x[1] * x[1]);
            assertLaw(target, x, logT(x, nu, v), -(nu + 2) / (nu * v + q), "the target t_3(0, 1.7 I)");
            assertLaw(base, x, logT(x, nu, 1.0), -(nu + 2) / (nu + q), "the t_3 base under a mixture");
            assertLaw(tBase, x, logT(x, nu, 1.0), -(nu + 2) / (nu + q), "the t_3 base under a t_4 target");
        }
    }

    /** {@code score(x) = factor * x} and {@code log p(x) = logP}. */
    private static void assertLaw(HeavyTailedMixture law, double[] x, double logP, double factor, String what) {
        double[] lp = new double[1];
        law.logDensity(x, 0, 1, lp);
        assertEquals(logP, lp[0], 1e-8, what + " log density at " + java.util.Arrays.toString(x));
        double[] s = new double[2];
        law.score(x, 0, 1, s);
        double size = Math.abs(factor) * Math.hypot(x[0], x[1]);
        for (int i = 0; i < 2; i++) {
            assertEquals(factor * x[i], s[i], 1e-8 * Math.max(size, 1e-300), what + " score at " + java.util.Arrays.toString(x));
        }
    }

    /**
     * The 1-D density at t = 0.5 of the linear interpolation path (alpha = sqrt(0.5), sigma =
     * sqrt(0.5)) against an independent route: the convolution p(y) = int p_X(x) p_Z((y - a x)/s)/s dx
     * by SciPy 1.17.1's adaptive quad (epsrel 1e-13, split at the peaks), which never uses the
     * scale-mixture representation. Command (python3), values pasted below:
     * <pre>
     *   import numpy as np; from scipy import stats; from scipy.integrate import quad
     *   a = s = np.sqrt(0.5)
     *   gmm = lambda x: 0.3*stats.norm.pdf(x, -2, np.sqrt(0.5)) + 0.7*stats.norm.pdf(x, 1.5, np.sqrt(2.0))
     *   tx  = lambda x: stats.t.pdf(x, 4, loc=0.5, scale=np.sqrt(1.5))
     *   tb  = lambda z: stats.t.pdf(z, 3);  gb = stats.norm.pdf
     *   def p(px, pz, y, centres):
     *       e = [-np.inf] + sorted(set(centres + [y / a])) + [np.inf]
     *       return sum(quad(lambda x: px(x)*pz((y - a*x)/s)/s, lo, hi, epsabs=0, epsrel=1e-13, limit=1000)[0]
     *                  for lo, hi in zip(e[:-1], e[1:]))
     *   np.log(p(gmm, tb, y, [-2, 1.5])), np.log(p(tx, gb, y, [0.5])), np.log(p(tx, tb, y, [0.5]))
     *   for y in [0, 1, -3, 10, 100]
     * </pre>
     * The quadrature's relative error is ~1e-9 and SciPy's ~1e-13, so 1e-8 in the log.
     */
    @Test
    void theDensityMatchesAnIndependentScipyQuadrature() {
        double[] ys = {0.0, 1.0, -3.0, 10.0, 100.0};
        double[] gmmT3 = {-1.6837543069307952, -1.5323253063112277, -3.3676669549094567, -8.733509670963008,
            -18.249546863538743};
        double[] t4Gauss = {-1.1621211327006504, -1.2761663548371545, -4.300223173729247, -9.42502348327525,
            -21.098599564876682};
        double[] t4T3 = {-1.2537629873303149, -1.359928701598254, -3.8309072121466397, -8.325550166551798,
            -18.19235817053265};
        double a = Math.sqrt(0.5);
        GaussianMixture gmm = mixture(new double[] {0.3, 0.7},
                new Gaussian(new double[] {-2.0}, Form.SCALAR, new double[] {0.5}),
                new Gaussian(new double[] {1.5}, Form.SCALAR, new double[] {2.0}));
        GaussianMixture t4 = mixture(new double[] {1.0}, new Gaussian(new double[] {0.5}, Form.SCALAR, new double[] {1.5}));
        HeavyTailedMixture[] laws = {HeavyTailedMixture.of(gmm, INF, 3.0, a, a), HeavyTailedMixture.of(t4, 4.0, INF, a, a),
            HeavyTailedMixture.of(t4, 4.0, 3.0, a, a)};
        double[][] expected = {gmmT3, t4Gauss, t4T3};
        double[] out = new double[ys.length];
        for (int c = 0; c < laws.length; c++) {
            laws[c].logDensity(ys, 0, ys.length, out);
            for (int i = 0; i < ys.length; i++) {
                assertEquals(expected[c][i], out[i], 1e-8, "case " + c + " at y = " + ys[i]);
            }
        }
    }

    /**
     * An isotropic Student-t under a Student-t base takes one grid in log c (the law of the summed
     * variances); the same target written as a diagonal takes the product grid of both mixing
     * variables. Two different quadratures of one density, each within ~1e-9: 1e-8 in the log.
     */
    @Test
    void theSummedGridAgreesWithTheProductGrid() {
        double alpha = Math.sqrt(0.3);
        double sigma = Math.sqrt(0.7);
        HeavyTailedMixture summed = HeavyTailedMixture.of(isotropic(2, 1.3), 3.0, 5.0, alpha, sigma);
        HeavyTailedMixture product = HeavyTailedMixture.of(mixture(new double[] {1.0},
                new Gaussian(new double[2], Form.DIAGONAL, new double[] {1.3, 1.3})), 3.0, 5.0, alpha, sigma);
        assertTrue(summed.nodes() < 200 && product.nodes() > 3000, summed.nodes() + " and " + product.nodes());
        double[] x = {0.0, 0.0, 0.5, -0.2, 3.0, 1.0, -20.0, 15.0, 500.0, 800.0};
        double[] a = new double[5];
        double[] b = new double[5];
        summed.logDensity(x, 0, 5, a);
        product.logDensity(x, 0, 5, b);
        double[] sa = new double[10];
        double[] sb = new double[10];
        summed.score(x, 0, 5, sa);
        product.score(x, 0, 5, sb);
        for (int r = 0; r < 5; r++) {
            assertEquals(b[r], a[r], 1e-8, "log density of row " + r);
            double size = Math.hypot(sb[2 * r], sb[2 * r + 1]);
            assertEquals(sb[2 * r], sa[2 * r], 1e-8 * size + 1e-300, "score of row " + r);
            assertEquals(sb[2 * r + 1], sa[2 * r + 1], 1e-8 * size + 1e-300, "score of row " + r);
        }
    }
}
