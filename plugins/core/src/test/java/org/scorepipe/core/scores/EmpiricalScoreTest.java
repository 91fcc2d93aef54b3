package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.hipparchus.special.Gamma;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.runtime.noise.PhiloxNoise;

class EmpiricalScoreTest {
    static final int D = 3;

    /** The OU path with its noise replaced by a standard Student-t of {@code nu} degrees of freedom (infinity = Gaussian). */
    static NoisingPath path(double nu) {
        NoisingPath ou = NoisedMixtureTest.ou();
        return new NoisingPath() {
            @Override
            public double meanScale(double t) {
                return ou.meanScale(t);
            }

            @Override
            public double noiseScale(double t) {
                return ou.noiseScale(t);
            }

            @Override
            public double drift(double t) {
                return ou.drift(t);
            }

            @Override
            public double diffusionSquared(double t) {
                return ou.diffusionSquared(t);
            }

            @Override
            public double noiseDegreesOfFreedom() {
                return nu;
            }
        };
    }

    static double[] normals(long seed, int count) {
        double[] v = new double[count];
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, v, 0, count);
        return v;
    }

    /** {@code log (1/m) sum_j density(x; alpha y_j, sigma)} written directly from the definition, in one pass. */
    static double directLogDensity(double[] y, double[] x, int xo, double alpha, double sigma, double nu) {
        int m = y.length / D;
        double sum = 0.0;
        for (int j = 0; j < m; j++) {
            double q = 0.0;
            for (int i = 0; i < D; i++) {
                double e = x[xo + i] - alpha * y[j * D + i];
                q += e * e;
            }
            double density = Double.isInfinite(nu)
                    ? Math.pow(2 * Math.PI * sigma * sigma, -D / 2.0) * Math.exp(-q / (2 * sigma * sigma))
                    : Math.exp(Gamma.logGamma((nu + D) / 2) - Gamma.logGamma(nu / 2)) / Math.pow(nu * Math.PI, D / 2.0)
                            / Math.pow(sigma, D) * Math.pow(1 + q / (nu * sigma * sigma), -(nu + D) / 2);
            sum += density;
        }
        return Math.log(sum / m);
    }

    @ParameterizedTest(name = "nu = {0}")
    @ValueSource(doubles = {Double.POSITIVE_INFINITY, 3.0, 7.5})
    void scoreIsTheGradientOfTheLogOfTheNoisedEmpiricalDensity(double nu) {
        double[] y = normals(1, 40 * D);
        NoisingPath path = path(nu);
        EmpiricalScore score = new EmpiricalScore(y, D, path);
        for (double t : new double[] {0.05, 0.4, 1.5}) {
            double alpha = path.meanScale(t);
            double sigma = path.noiseScale(t);
            // Points near data points (one weight dominates), between them, and far out (every q large).
            double[] x = normals(2, 11 * D);
            for (int i = 0; i < D; i++) {
                x[i] = alpha * y[i] + 0.1 * sigma;
                x[D + i] = 0.5 * alpha * (y[D + i] + y[2 * D + i]);
                x[2 * D + i] = 6.0 + i;
            }
            int rows = x.length / D;
            double[] s = new double[x.length];
            score.score(x, 0, rows, t, s);
            double[] log = new double[rows];
            score.logDensity(x, 0, rows, t, log);
            double h = 1e-5 * sigma;
            double[] plus = new double[1];
            double[] minus = new double[1];
            for (int r = 0; r < rows; r++) {
                assertEquals(directLogDensity(y, x, r * D, alpha, sigma, nu), log[r], 1e-10 * Math.max(1, Math.abs(log[r])),
                        "log density at row " + r + ", t = " + t);
                for (int i = 0; i < D; i++) {
                    double[] xp = x.clone();
                    xp[r * D + i] += h;
                    score.logDensity(xp, r * D, 1, t, plus);
                    double[] xm = x.clone();
                    xm[r * D + i] -= h;
                    score.logDensity(xm, r * D, 1, t, minus);
                    double fd = (plus[0] - minus[0]) / (2 * h);
                    // Central differences: truncation h^2 |d^3 log p| / 6 ~ 1e-10 / sigma, rounding
                    // |log p| 1e-16 / h ~ 1e-10 / sigma; the score is O(|x| / sigma^2).
                    double scale = 1.0 + Math.abs(s[r * D + i]);
                    assertEquals(fd, s[r * D + i], 1e-6 * scale / sigma, "score row " + r + " coordinate " + i
                            + ", t = " + t);
                }
            }
        }
    }

    @Test
    void theSameRowsGiveTheSameBitsInAnyBlocking() {
        double[] y = normals(3, 57 * D);
        EmpiricalScore score = new EmpiricalScore(y, D, path(Double.POSITIVE_INFINITY));
        double[] x = normals(4, 11 * D);
        double[] whole = new double[x.length];
        score.score(x, 0, 11, 0.2, whole);
        double[] single = new double[D];
        for (int r = 0; r < 11; r++) {
            score.score(x, r * D, 1, 0.2, single);
            assertArrayEquals(Arrays.copyOfRange(whole, r * D, r * D + D), single, "row " + r);
        }
    }

    @Test
    void aDistributionIsSampledOnceFromTheSeedAFiniteDatasetIsUsedAsItIs() {
        GaussianMixtureSource source = new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
                new GaussianMixtureSource.Part(1.0, new double[] {1.0, 2.0, 3.0}, new double[] {0.5}))),
                new PipelineSpec("t", 9, 1, D));
        NoisingPath path = path(Double.POSITIVE_INFINITY);
        EmpiricalScore a = new EmpiricalScore(new EmpiricalScore.Params(500), source, path, new PipelineSpec("t", 9, 1, D));
        EmpiricalScore b = new EmpiricalScore(new EmpiricalScore.Params(500), source, path, new PipelineSpec("t", 9, 1, D));
        EmpiricalScore c = new EmpiricalScore(new EmpiricalScore.Params(500), source, path, new PipelineSpec("t", 10, 1, D));
        assertEquals(500, a.size());
        assertArrayEquals(a.points(), b.points());
        assertFalse(Arrays.equals(a.points(), c.points()));
        // The draws are the source's: mean (1, 2, 3), variance 0.5; 5 standard errors of 500 draws is 0.16.
        double[] p = a.points();
        for (int i = 0; i < D; i++) {
            double mean = 0.0;
            double square = 0.0;
            for (int j = 0; j < 500; j++) {
                mean += p[j * D + i] / 500;
                square += p[j * D + i] * p[j * D + i] / 500;
            }
            assertEquals(i + 1.0, mean, 5 * Math.sqrt(0.5 / 500));
            assertEquals(0.5, square - mean * mean, 5 * 0.5 * Math.sqrt(2.0 / 500));
        }

        double[] file = normals(5, 7 * D);
        DataSource finite = new DataSource() {
            @Override
            public int dimension() {
                return D;
            }

            @Override
            public void sample(Block block, Noise noise) {
                throw new AssertionError("a finite dataset is not resampled");
            }

            @Override
            public Optional<double[]> points() {
                return Optional.of(file.clone());
            }
        };
        PipelineSpec spec = new PipelineSpec("t", 1, 1, D);
        assertArrayEquals(file, new EmpiricalScore(new EmpiricalScore.Params(0), finite, path, spec).points());
        assertArrayEquals(Arrays.copyOf(file, 3 * D),
                new EmpiricalScore(new EmpiricalScore.Params(3), finite, path, spec).points());
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> new EmpiricalScore(new EmpiricalScore.Params(8), finite, path, spec));
        assertTrue(tooMany.getMessage().contains("only 7 points"), tooMany.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new EmpiricalScore(new EmpiricalScore.Params(0), source, path, spec));
        assertTrue(none.getMessage().contains("needs samples > 0"), none.getMessage());
    }

    @Test
    void theAnalyticScoreIsTheHeavyTailedMixtureOnStudentTNoise() {
        NoisingPath path = path(3.0);
        AnalyticScore score = new AnalyticScore(new AnalyticScore.Params(),
                AnalyticScoreTest.source(NoisedMixtureTest.scalarMixture()), path);
        int dim = NoisedMixtureTest.scalarMixture().dimension();
        IllegalArgumentException noConditional = assertThrows(IllegalArgumentException.class, () -> score.checkPatches(dim, 1));
        assertTrue(noConditional.getMessage().contains("no conditional score for a Student-t"), noConditional.getMessage());
        double t = 0.7;
        HeavyTailedMixture law = HeavyTailedMixture.of(NoisedMixtureTest.scalarMixture(), Double.POSITIVE_INFINITY, 3.0,
                path.meanScale(t), path.noiseScale(t));
        int d = NoisedMixtureTest.scalarMixture().dimension();
        double[] x = new double[3 * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.7 * i - 2.0;
        }
        double[] expected = new double[x.length];
        double[] actual = new double[x.length];
        law.score(x, 0, 3, expected);
        score.score(x, 0, 3, t, actual);
        assertArrayEquals(expected, actual);
    }

    @Test
    void noNoiseMeansNoDensity() {
        EmpiricalScore score = new EmpiricalScore(normals(6, 4 * D), D, path(Double.POSITIVE_INFINITY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> score.score(new double[D], 0, 1, 0.0, new double[D]));
        assertTrue(e.getMessage().contains("stop the sampler at a time with noise"), e.getMessage());
    }
}
