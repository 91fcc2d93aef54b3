package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** The analytic score's conditional of a noised patch given the clean prefix, against the joint density. */
class ConditionalScoreTest {
    static final int D = 6;

    static double[] normals(long seed, int count) {
        double[] v = new double[count];
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, v, 0, count);
        return v;
    }

    /** B B^T / d + 0.2 I for a random B: positive definite, every coordinate correlated with every other. */
    static double[] randomCovariance(long seed) {
        double[] b = normals(seed, D * D);
        double[] c = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double s = i == j ? 0.2 : 0.0;
                for (int m = 0; m < D; m++) {
                    s += b[i * D + m] * b[j * D + m] / D;
                }
                c[i * D + j] = s;
            }
        }
        return c;
    }

    static GaussianMixture mixture(boolean full) {
        double[] weights = {0.2, 0.5, 0.3};
        List<GaussianMixture.Gaussian> parts = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            double[] mean = normals(10 + k, D);
            for (int i = 0; i < D; i++) {
                mean[i] *= 2.0;
            }
            if (full && k != 1) {
                parts.add(new GaussianMixture.Gaussian(mean, Form.FULL, randomCovariance(20 + k)));
            } else if (k == 2) {
                parts.add(new GaussianMixture.Gaussian(mean, Form.SCALAR, new double[] {0.7}));
            } else {
                double[] diagonal = new double[D];
                for (int i = 0; i < D; i++) {
                    diagonal[i] = 0.3 + 0.2 * i;
                }
                parts.add(new GaussianMixture.Gaussian(mean, Form.DIAGONAL, diagonal));
            }
        }
        return new GaussianMixture(weights, parts);
    }

    /** The conditional score as its consumer computes it: the prefix's states first, then the patch's score from them. */
    static void conditionalScore(ConditionalScore score, double[] x, int offset, int rows, int from, int to, double t,
            double[] out) {
        int w = score.stateWidth(from, to);
        double[] state = new double[3 + rows * w];
        score.prefix(x, offset, rows, from, to, state, 3);
        score.score(x, offset, rows, from, to, t, state, 3, out);
    }

    /**
     * The joint law of {@code (X_A, alpha X_B + sigma Z)} on the first {@code b} coordinates: mean
     * {@code (mu_A, alpha mu_B)}, covariance {@code [[S_AA, alpha S_AB], [alpha S_BA, alpha^2 S_BB + sigma^2 I]]}.
     * Its log density is {@code log p(x_A) + log p_t(y | x_A)}, so its gradient in {@code y} is the conditional score.
     */
    static NoisedMixture joint(GaussianMixture mixture, int a, int b, double alpha, double sigma) {
        List<GaussianMixture.Gaussian> parts = new ArrayList<>();
        for (GaussianMixture.Gaussian g : mixture.components()) {
            double[] mean = new double[b];
            double[] cov = new double[b * b];
            for (int i = 0; i < b; i++) {
                double si = i < a ? 1.0 : alpha;
                mean[i] = si * g.mean()[i];
                for (int j = 0; j < b; j++) {
                    double sj = j < a ? 1.0 : alpha;
                    cov[i * b + j] = si * sj * g.covariance(i, j) + (i == j && i >= a ? sigma * sigma : 0.0);
                }
            }
            parts.add(new GaussianMixture.Gaussian(mean, Form.FULL, cov));
        }
        return NoisedMixture.of(new GaussianMixture(mixture.weights(), parts), 1.0, 0.0);
    }

    @ParameterizedTest(name = "full = {0}, patch [{1}, {2}), t = {3}")
    @CsvSource({"false, 2, 4, 0.3", "true, 2, 4, 0.3", "true, 0, 3, 0.05", "true, 3, 6, 1.0", "false, 4, 6, 0.05",
            "true, 1, 2, 0.6"})
    void conditionalScoreIsTheGradientOfTheConditionalLogDensity(boolean full, int a, int b, double t) {
        GaussianMixture mixture = mixture(full);
        NoisingPath path = NoisedMixtureTest.vp();
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), AnalyticScoreTest.source(mixture), path);
        int q = b - a;
        NoisedMixture joint = joint(mixture, a, b, path.meanScale(t), path.noiseScale(t));
        int rows = 12;
        double[] x = normals(7, rows * D);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 2.5;
        }
        double[] s = new double[rows * q];
        conditionalScore(score, x, 0, rows, a, b, t, s);
        double h = 1e-5;
        double[] plus = new double[1];
        double[] minus = new double[1];
        double[] point = new double[b];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < q; j++) {
                System.arraycopy(x, r * D, point, 0, b);
                point[a + j] += h;
                joint.logDensity(point, 0, 1, plus);
                point[a + j] -= 2 * h;
                joint.logDensity(point, 0, 1, minus);
                double fd = (plus[0] - minus[0]) / (2 * h);
                // Central differences with h = 1e-5 on variances >= 0.2 alpha^2 + sigma^2: truncation
                // ~h^2 |d^3 log p| < 1e-8, rounding ~1e-16 |log p| / h < 1e-9.
                assertEquals(fd, s[r * q + j], 1e-6 * (1 + Math.abs(fd)), "row " + r + ", coordinate " + (a + j));
            }
        }
    }

    @Test
    void theWholeVectorIsTheScore() {
        GaussianMixture mixture = mixture(true);
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), AnalyticScoreTest.source(mixture),
                NoisedMixtureTest.vp());
        double[] x = normals(8, 9 * D);
        double[] expected = new double[x.length];
        score.score(x, D, 8, 0.4, expected);
        double[] actual = new double[x.length];
        conditionalScore(score, x, D, 8, 0, D, 0.4, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void aPatchWithoutPrefixIsTheMarginalOfItsCoordinates() {
        // Diagonal components: the first q coordinates' marginal is the mixture of the marginals, so the
        // conditional score of [0, q) equals the noised mixture score of the sub-vector exactly.
        GaussianMixture mixture = mixture(false);
        NoisingPath path = NoisedMixtureTest.ou();
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), AnalyticScoreTest.source(mixture), path);
        int q = 2;
        double[] x = normals(9, 5 * D);
        double[] s = new double[5 * q];
        conditionalScore(score, x, 0, 5, 0, q, 0.7, s);
        NoisedMixture marginal = joint(mixture, 0, q, path.meanScale(0.7), path.noiseScale(0.7));
        for (int r = 0; r < 5; r++) {
            double[] expected = new double[q];
            marginal.score(x, r * D, 1, expected);
            for (int j = 0; j < q; j++) {
                assertEquals(expected[j], s[r * q + j], 1e-12 * (1 + Math.abs(expected[j])));
            }
        }
    }

    @ParameterizedTest(name = "full = {0}")
    @CsvSource({"false", "true"})
    void aPointsStateAndScoreDependOnItsOwnRowOnly(boolean full) {
        // The chained stage computes the states of a whole block once and scores it tile by tile: a
        // point's state and score must not depend on which other points share the call.
        GaussianMixture mixture = mixture(full);
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(), AnalyticScoreTest.source(mixture),
                NoisedMixtureTest.vp());
        int rows = 7;
        double[] x = normals(11, rows * D);
        int w = score.stateWidth(2, 4);
        assertEquals(full ? 3 * (1 + 2) : 3, w, "K prefix terms, and K conditional means of the patch when full");
        double[] together = new double[rows * w];
        score.prefix(x, 0, rows, 2, 4, together, 0);
        double[] scoreTogether = new double[rows * 2];
        score.score(x, 0, rows, 2, 4, 0.3, together, 0, scoreTogether);
        for (int r = 0; r < rows; r++) {
            double[] alone = new double[w];
            score.prefix(x, r * D, 1, 2, 4, alone, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(together, r * w, r * w + w), alone, "state of row " + r);
            double[] scoreAlone = new double[2];
            score.score(x, r * D, 1, 2, 4, 0.3, together, r * w, scoreAlone);
            assertArrayEquals(java.util.Arrays.copyOfRange(scoreTogether, 2 * r, 2 * r + 2), scoreAlone, "score of row " + r);
        }
    }
}
