package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.hipparchus.distribution.multivariate.MultivariateNormalDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.scorepipe.api.Simd;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.paths.VpPath;
import org.scorepipe.runtime.noise.PhiloxNoise;

class NoisedMixtureTest {
    static final int D = 3;
    static final double[][] MEANS = {{1.0, -1.0, 0.5}, {-2.0, 0.5, 1.0}, {0.5, 2.0, -1.5}};
    static final double[] WEIGHTS = {0.2, 0.3, 0.5};
    /** Every noised covariance has eigenvalues >= 0.1 alpha^2 + sigma^2 (the FULL one is A A^T + 0.1 I). */
    static final double SMALLEST_DATA_EIGENVALUE = 0.1;

    static GaussianMixture.Gaussian gaussian(double[] mean, double... covariance) {
        Form form = covariance.length == 1 ? Form.SCALAR : covariance.length == mean.length ? Form.DIAGONAL : Form.FULL;
        return new GaussianMixture.Gaussian(mean, form, covariance);
    }

    /** A A^T + 0.1 I for a fixed, non-trivial A: positive definite with strong correlations. */
    static double[] fullCovariance() {
        double[][] a = {{1.0, 0.0, 0.0}, {0.8, 0.5, 0.0}, {-0.6, 0.4, 0.7}};
        double[] c = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double s = i == j ? 0.1 : 0.0;
                for (int m = 0; m < D; m++) {
                    s += a[i][m] * a[j][m];
                }
                c[i * D + j] = s;
            }
        }
        return c;
    }

    static GaussianMixture scalarMixture() {
        return new GaussianMixture(WEIGHTS, List.of(gaussian(MEANS[0], 0.5), gaussian(MEANS[1], 1.5),
                gaussian(MEANS[2], 0.8)));
    }

    static GaussianMixture diagonalMixture() {
        return new GaussianMixture(WEIGHTS, List.of(gaussian(MEANS[0], 0.5), gaussian(MEANS[1], 0.3, 1.2, 2.0),
                gaussian(MEANS[2], 1.0, 0.4, 0.7)));
    }

    static GaussianMixture fullMixture() {
        return new GaussianMixture(WEIGHTS, List.of(gaussian(MEANS[0], fullCovariance()),
                gaussian(MEANS[1], 0.3, 1.2, 2.0), gaussian(MEANS[2], 0.8)));
    }

    static NoisingPath ou() {
        return new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    }

    static NoisingPath vp() {
        return new VpPath(new VpPath.Params(0.1, 20.0));
    }

    static NoisingPath ve() {
        return new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50.0));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        String[] mixtureNames = {"scalar", "diagonal", "full"};
        GaussianMixture[] mixtures = {scalarMixture(), diagonalMixture(), fullMixture()};
        String[] pathNames = {"ornstein-uhlenbeck", "vp", "variance-exploding"};
        NoisingPath[] paths = {ou(), vp(), ve()};
        for (int m = 0; m < mixtures.length; m++) {
            for (int p = 0; p < paths.length; p++) {
                for (double t : new double[] {0.01, 0.3, 1.0}) {
                    cases.add(Arguments.of(mixtureNames[m], mixtures[m], pathNames[p], paths[p], t));
                }
            }
        }
        return cases.stream();
    }

    /**
     * Points spread over the noised mixture: around each noised mean, at distances up to about
     * two of its largest standard deviations, plus points between the components where the
     * responsibilities are far from 0 and 1.
     */
    static double[] testPoints(double alpha, double sigma) {
        double spread = Math.sqrt(alpha * alpha * 2.0 + sigma * sigma);
        double[][] offsets = {{0.3, -0.7, 1.1}, {-1.4, 0.2, 0.5}, {0.9, 1.3, -0.4}, {0.0, 0.0, 0.0}};
        List<double[]> points = new ArrayList<>();
        for (double[] mean : MEANS) {
            for (double[] o : offsets) {
                double[] x = new double[D];
                for (int i = 0; i < D; i++) {
                    x[i] = alpha * mean[i] + spread * o[i];
                }
                points.add(x);
            }
        }
        for (int a = 0; a < MEANS.length; a++) {
            double[] x = new double[D];
            int b = (a + 1) % MEANS.length;
            for (int i = 0; i < D; i++) {
                x[i] = alpha * 0.5 * (MEANS[a][i] + MEANS[b][i]);
            }
            points.add(x);
        }
        double[] flat = new double[points.size() * D];
        for (int r = 0; r < points.size(); r++) {
            System.arraycopy(points.get(r), 0, flat, r * D, D);
        }
        return flat;
    }

    @ParameterizedTest(name = "{0} mixture, {2} path, t = {4}")
    @MethodSource("cases")
    void scoreIsTheGradientOfTheLogDensity(String mixtureName, GaussianMixture mixture, String pathName,
            NoisingPath path, double t) {
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        NoisedMixture noised = NoisedMixture.of(mixture, alpha, sigma);
        double[] x = testPoints(alpha, sigma);
        int rows = x.length / D;
        double[] score = new double[x.length];
        noised.score(x, 0, rows, score);

        // Central differences: error h^2/6 |d^3 log p| ~ h^2 / minStd^3 (times a modest polynomial of
        // the standardised distance) plus rounding eps |log p| / h. With h = 1e-4 minStd that is
        // ~1e-8 / minStd and ~1e-10 / minStd, far below the tolerance 1e-6 (|s_i| + 1 / minStd),
        // while a wrong precision, sign or weight moves the score by O(1 / minStd).
        double minStd = Math.sqrt(alpha * alpha * SMALLEST_DATA_EIGENVALUE + sigma * sigma);
        double h = 1e-4 * minStd;
        double[] plus = new double[1];
        double[] minus = new double[1];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < D; i++) {
                double[] shifted = new double[D];
                System.arraycopy(x, r * D, shifted, 0, D);
                shifted[i] += h;
                noised.logDensity(shifted, 0, 1, plus);
                shifted[i] -= 2 * h;
                noised.logDensity(shifted, 0, 1, minus);
                double difference = (plus[0] - minus[0]) / (2 * h);
                double s = score[r * D + i];
                assertEquals(difference, s, 1e-6 * (Math.abs(s) + 1.0 / minStd),
                        "row " + r + ", coordinate " + i);
            }
        }
    }

    @ParameterizedTest(name = "{0} mixture, {2} path, t = {4}")
    @MethodSource("cases")
    void logDensityMatchesHipparchusNormals(String mixtureName, GaussianMixture mixture, String pathName,
            NoisingPath path, double t) {
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        NoisedMixture noised = NoisedMixture.of(mixture, alpha, sigma);
        List<MultivariateNormalDistribution> normals = new ArrayList<>();
        for (GaussianMixture.Gaussian g : mixture.components()) {
            double[] mean = g.mean();
            double[][] c = new double[D][D];
            for (int i = 0; i < D; i++) {
                mean[i] *= alpha;
                for (int j = 0; j < D; j++) {
                    c[i][j] = alpha * alpha * g.covariance(i, j) + (i == j ? sigma * sigma : 0.0);
                }
            }
            normals.add(new MultivariateNormalDistribution(mean, c));
        }
        double[] x = testPoints(alpha, sigma);
        int rows = x.length / D;
        double[] log = new double[rows];
        noised.logDensity(x, 0, rows, log);
        double[] responsibilities = new double[rows * 3];
        noised.responsibilities(x, 0, rows, responsibilities);
        for (int r = 0; r < rows; r++) {
            double[] point = new double[D];
            System.arraycopy(x, r * D, point, 0, D);
            double[] joint = new double[3];
            double p = 0.0;
            for (int k = 0; k < 3; k++) {
                joint[k] = WEIGHTS[k] * normals.get(k).density(point);
                p += joint[k];
            }
            // Both sides are accurate to ~1e-14 relative; 1e-9 leaves room for Hipparchus's
            // eigendecomposition of the covariance.
            assertEquals(Math.log(p), log[r], 1e-9 * Math.max(1.0, Math.abs(Math.log(p))), "row " + r);
            double sum = 0.0;
            int best = 0;
            for (int k = 0; k < 3; k++) {
                assertEquals(joint[k] / p, responsibilities[r * 3 + k], 1e-9, "row " + r + ", component " + k);
                sum += responsibilities[r * 3 + k];
                if (joint[k] > joint[best]) {
                    best = k;
                }
            }
            assertEquals(1.0, sum, 1e-12);
            assertEquals(best, noised.mostResponsible(x, r * D), "row " + r);
        }
    }

    /** The isotropic, diagonal and dense code paths agree on one mixture written three ways. */
    @Test
    void theThreeCodePathsAgree() {
        double[] variances = {0.5, 1.5, 0.8};
        List<GaussianMixture.Gaussian> scalar = new ArrayList<>();
        List<GaussianMixture.Gaussian> diagonal = new ArrayList<>();
        List<GaussianMixture.Gaussian> full = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            double v = variances[k];
            scalar.add(gaussian(MEANS[k], v));
            diagonal.add(gaussian(MEANS[k], v, v, v));
            full.add(gaussian(MEANS[k], v, 0, 0, 0, v, 0, 0, 0, v));
        }
        double alpha = 0.8;
        double sigma = 0.6;
        NoisedMixture[] forms = {
            NoisedMixture.of(new GaussianMixture(WEIGHTS, scalar), alpha, sigma),
            NoisedMixture.of(new GaussianMixture(WEIGHTS, diagonal), alpha, sigma),
            NoisedMixture.of(new GaussianMixture(WEIGHTS, full), alpha, sigma)};
        double[] x = testPoints(alpha, sigma);
        int rows = x.length / D;
        double[][] scores = new double[3][x.length];
        double[][] logs = new double[3][rows];
        for (int f = 0; f < 3; f++) {
            forms[f].score(x, 0, rows, scores[f]);
            forms[f].logDensity(x, 0, rows, logs[f]);
        }
        // Rounding only: the precisions differ in the last bits (1 / v against a Cholesky inverse).
        for (int f = 1; f < 3; f++) {
            for (int c = 0; c < x.length; c++) {
                assertEquals(scores[0][c], scores[f][c], 1e-12 * (1 + Math.abs(scores[0][c])), "form " + f);
            }
            for (int r = 0; r < rows; r++) {
                assertEquals(logs[0][r], logs[f][r], 1e-12 * (1 + Math.abs(logs[0][r])), "form " + f);
            }
        }
    }

    /** mean() and covariance() against the moments of samples pushed through the OU path. */
    @Test
    void meanAndCovarianceMatchSamples() {
        GaussianMixture mixture = fullMixture();
        double t = 0.3;
        NoisingPath path = ou();
        NoisedMixture noised = NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t));
        int n = 200_000;
        Particles particles = new Particles(n, D);
        double[] x = particles.data();
        // Exact draws of the mixture at t: component k with probability w_k, then alpha mu_k + L_k z.
        PhiloxNoise noise = PhiloxNoise.of(11, 0, 0);
        double[] u = new double[1];
        double[] z = new double[D];
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        for (int r = 0; r < n; r++) {
            noise.uniforms(r, 0, u, 0, 1);
            int k = u[0] < 0.2 ? 0 : u[0] < 0.5 ? 1 : 2;
            noise.normals(r, 1, z, 0, D);
            double[] l = lowerCholesky(mixture.components().get(k), alpha, sigma);
            for (int i = 0; i < D; i++) {
                double v = alpha * MEANS[k][i];
                for (int j = 0; j <= i; j++) {
                    v += l[i * D + j] * z[j];
                }
                x[r * D + i] = v;
            }
        }
        double[] mean = noised.mean();
        double[] covariance = noised.covariance();
        double[] sampleMean = new double[D];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < D; i++) {
                sampleMean[i] += x[r * D + i] / n;
            }
        }
        for (int i = 0; i < D; i++) {
            // 5 standard errors sqrt(C_ii / n).
            assertEquals(mean[i], sampleMean[i], 5 * Math.sqrt(covariance[i * D + i] / n), "mean " + i);
        }
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double s = 0.0;
                double s2 = 0.0;
                for (int r = 0; r < n; r++) {
                    double p = (x[r * D + i] - mean[i]) * (x[r * D + j] - mean[j]);
                    s += p;
                    s2 += p * p;
                }
                double c = s / n;
                // Standard error of a mean of products, estimated from the same samples (the
                // mixture is not Gaussian, so the Gaussian formula would not do); 5 of them.
                double se = Math.sqrt((s2 / n - c * c) / n);
                assertEquals(covariance[i * D + j], c, 5 * se, "covariance " + i + "," + j);
            }
        }
    }

    private static double[] lowerCholesky(GaussianMixture.Gaussian g, double alpha, double sigma) {
        double[] l = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j <= i; j++) {
                double s = alpha * alpha * g.covariance(i, j) + (i == j ? sigma * sigma : 0.0);
                for (int m = 0; m < j; m++) {
                    s -= l[i * D + m] * l[j * D + m];
                }
                l[i * D + j] = i == j ? Math.sqrt(s) : s / l[j * D + j];
            }
        }
        return l;
    }

    /**
     * Tiles (SIMD lanes of rows, six-row product tiles, four-row logits) and single rows give the
     * same bits, so blocking never changes a result: a single row always takes the plain path.
     */
    @Test
    void resultsDoNotDependOnTheBlocking() {
        assertTrue(Simd.ENABLED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        for (GaussianMixture mixture : List.of(scalarMixture(), diagonalMixture(), fullMixture())) {
            NoisedMixture noised = NoisedMixture.of(mixture, 0.7, 0.5);
            int n = 100;
            double[] x = new double[n * D];
            PhiloxNoise.of(3, 0, 0).normals(0, 0, x, 0, x.length);
            double[] whole = new double[n * D];
            noised.score(x, 0, n, whole);
            double[] split = new double[n * D];
            double[] part = new double[n * D];
            noised.score(x, 0, 37, part);
            System.arraycopy(part, 0, split, 0, 37 * D);
            noised.score(x, 37 * D, n - 37, part);
            System.arraycopy(part, 0, split, 37 * D, (n - 37) * D);
            assertArrayEquals(whole, split);
            double[] logs = new double[n];
            noised.logDensity(x, 0, n, logs);
            double[] responsibilities = new double[n * 3];
            noised.responsibilities(x, 0, n, responsibilities);
            for (int r = 0; r < n; r++) {
                double[] one = new double[D];
                noised.score(x, r * D, 1, one);
                for (int i = 0; i < D; i++) {
                    assertEquals(Double.doubleToLongBits(whole[r * D + i]), Double.doubleToLongBits(one[i]));
                }
                double[] log = new double[1];
                noised.logDensity(x, r * D, 1, log);
                assertEquals(Double.doubleToLongBits(logs[r]), Double.doubleToLongBits(log[0]), "log density");
                double[] resp = new double[3];
                noised.responsibilities(x, r * D, 1, resp);
                assertArrayEquals(Arrays.copyOfRange(responsibilities, 3 * r, 3 * r + 3), resp, "responsibilities");
            }
        }
    }

    /**
     * The SIMD lanes of the dense and isotropic scores reproduce the row-by-row (plain) path bit
     * for bit at shapes that reach every part of the kernels: product tiles of eight outputs and the
     * outputs after them, three-vector row tiles and single vectors, chunks and their remainders.
     */
    @Test
    void simdLanesEqualTheRowByRowPathForManyShapes() {
        assertTrue(Simd.ENABLED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        int[][] shapes = {{2, 3}, {2, 8}, {5, 2}, {13, 5}, {16, 8}, {64, 3}};
        for (int[] shape : shapes) {
            int d = shape[0];
            int k = shape[1];
            double[] weights = new double[k];
            java.util.Arrays.fill(weights, 1.0 / k);
            List<GaussianMixture.Gaussian> dense = new java.util.ArrayList<>();
            List<GaussianMixture.Gaussian> isotropic = new java.util.ArrayList<>();
            for (int c = 0; c < k; c++) {
                double[] mean = new double[d];
                double[] covariance = new double[d * d];
                for (int i = 0; i < d; i++) {
                    mean[i] = random.nextDouble(-3, 3);
                    for (int j = 0; j < d; j++) {
                        covariance[i * d + j] = (0.5 + 0.1 * c) * Math.pow(0.4, Math.abs(i - j));
                    }
                }
                dense.add(gaussian(mean, covariance));
                isotropic.add(gaussian(mean, 0.5 + 0.1 * c));
            }
            for (List<GaussianMixture.Gaussian> components : List.of(dense, isotropic)) {
                NoisedMixture noised = NoisedMixture.of(new GaussianMixture(weights, components), 0.8, 0.6);
                int n = 203;  // four chunks of 48 and 11 rows: lanes, then a remainder
                double[] x = new double[n * d];
                for (int i = 0; i < x.length; i++) {
                    x[i] = random.nextDouble(-4, 4);
                }
                double[] whole = new double[n * d];
                noised.score(x, 0, n, whole);
                for (int r = 0; r < n; r++) {
                    double[] one = new double[d];
                    noised.score(x, r * d, 1, one);
                    assertArrayEquals(one, Arrays.copyOfRange(whole, r * d, r * d + d), "d " + d + ", K " + k + ", row " + r);
                }
            }
        }
    }

    @Test
    void sizeDimensionAndWeights() {
        NoisedMixture noised = NoisedMixture.of(fullMixture(), 1.0, 0.0);
        assertEquals(3, noised.size());
        assertEquals(D, noised.dimension());
        assertArrayEquals(WEIGHTS, noised.weights());
        assertTrue(noised.covariance()[0] > 0);
    }
}
