package org.scorepipe.core.sources;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;
import org.scorepipe.runtime.noise.PhiloxNoise;

class GaussianMixtureSourceTest {
    static final PipelineSpec PIPELINE = new PipelineSpec("test", 1, 100, 2);

    static GaussianMixtureSource source(Part... parts) {
        return new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(parts)), PIPELINE);
    }

    /** Far-apart means (60 standard deviations), so a sample's component is its nearest mean. */
    static final double[][] MEANS = {{-20.0, 0.0}, {0.0, 20.0}, {20.0, 0.0}};
    static final double[][] COVARIANCES = {{0.7, 0.0, 0.0, 0.7}, {0.5, 0.0, 0.0, 2.0}, {1.0, 0.8, 0.8, 1.5}};

    static GaussianMixtureSource threeForms() {
        return source(new Part(0.2, MEANS[0], new double[] {0.7}),
                new Part(0.3, MEANS[1], new double[] {0.5, 2.0}),
                new Part(0.5, MEANS[2], COVARIANCES[2]));
    }

    @Test
    void samplesRecoverWeightsMeansAndCovariances() {
        GaussianMixtureSource source = threeForms();
        int n = 100_000;
        Particles particles = new Particles(n, 2);
        source.sample(particles.all(), PhiloxNoise.of(21, 0, 0));
        double[] x = particles.data();
        int[] count = new int[3];
        double[][] sum = new double[3][2];
        double[][] products = new double[3][4];
        for (int r = 0; r < n; r++) {
            int k = nearest(x[2 * r], x[2 * r + 1]);
            count[k]++;
            for (int i = 0; i < 2; i++) {
                sum[k][i] += x[2 * r + i];
            }
        }
        double[] weights = {0.2, 0.3, 0.5};
        for (int k = 0; k < 3; k++) {
            // A component's count is binomial(n, w_k): 5 standard errors sqrt(w (1 - w) / n).
            assertEquals(weights[k], count[k] / (double) n, 5 * Math.sqrt(weights[k] * (1 - weights[k]) / n),
                    "weight " + k);
            for (int i = 0; i < 2; i++) {
                // 5 standard errors sqrt(Sigma_ii / n_k).
                assertEquals(MEANS[k][i], sum[k][i] / count[k], 5 * Math.sqrt(COVARIANCES[k][3 * i] / count[k]),
                        "mean " + k + "," + i);
            }
        }
        for (int r = 0; r < n; r++) {
            int k = nearest(x[2 * r], x[2 * r + 1]);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    products[k][2 * i + j] += (x[2 * r + i] - MEANS[k][i]) * (x[2 * r + j] - MEANS[k][j]);
                }
            }
        }
        for (int k = 0; k < 3; k++) {
            double[] c = COVARIANCES[k];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    // Around the known mean, a Gaussian's product (x_i - mu_i)(x_j - mu_j) has variance
                    // S_ii S_jj + S_ij^2: 5 standard errors of its average.
                    double se = Math.sqrt((c[3 * i] * c[3 * j] + c[2 * i + j] * c[2 * i + j]) / count[k]);
                    assertEquals(c[2 * i + j], products[k][2 * i + j] / count[k], 5 * se,
                            "covariance " + k + " (" + i + "," + j + ")");
                }
            }
        }
    }

    private static int nearest(double x0, double x1) {
        int best = 0;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int k = 0; k < 3; k++) {
            double a = x0 - MEANS[k][0];
            double b = x1 - MEANS[k][1];
            if (a * a + b * b < bestDistance) {
                bestDistance = a * a + b * b;
                best = k;
            }
        }
        return best;
    }

    @Test
    void exposesTheMixtureWithItsForms() {
        GaussianMixture mixture = threeForms().gaussianMixture().orElseThrow();
        assertArrayEquals(new double[] {0.2, 0.3, 0.5}, mixture.weights(), 1e-15);
        assertEquals(Form.SCALAR, mixture.components().get(0).form());
        assertEquals(Form.DIAGONAL, mixture.components().get(1).form());
        assertEquals(Form.FULL, mixture.components().get(2).form());
        assertArrayEquals(MEANS[2], mixture.components().get(2).mean());
        assertEquals(0.8, mixture.components().get(2).covariance(1, 0));
    }

    @Test
    void weightsWithinToleranceAreNormalisedExactly() {
        GaussianMixture mixture = source(new Part(0.5 + 4e-7, MEANS[0], new double[] {1.0}),
                new Part(0.5, MEANS[1], new double[] {1.0})).gaussianMixture().orElseThrow();
        double[] w = mixture.weights();
        assertEquals((0.5 + 4e-7) / (1 + 4e-7), w[0], 0.0);
        assertEquals(0.5 / (1 + 4e-7), w[1], 0.0);
    }

    @Test
    void weightsNotSummingToOneAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(new Part(0.5, MEANS[0], new double[] {1.0}), new Part(0.4, MEANS[1], new double[] {1.0})));
        assertEquals("the components' weights sum to 0.9, not 1; make them sum to 1 (within 1e-6)", e.getMessage());
    }

    @Test
    void nonPositiveWeightsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GaussianMixtureSource.Params(List.of(new Part(1.0, MEANS[0], new double[] {1.0}),
                        new Part(-0.1, MEANS[1], new double[] {1.0}))));
        assertEquals("components[1].weight must be a finite number > 0, got -0.1", e.getMessage());
    }

    @Test
    void aMeanOfTheWrongLengthIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(new Part(0.5, MEANS[0], new double[] {1.0}),
                        new Part(0.5, new double[] {1, 2, 3}, new double[] {1.0})));
        assertEquals("dimension mismatch: components[1].mean has 3 values but the pipeline's dimension is 2",
                e.getMessage());
    }

    @Test
    void aCovarianceOfTheWrongLengthIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(new Part(0.3, MEANS[0], new double[] {1.0}), new Part(0.3, MEANS[1], new double[] {1.0}),
                        new Part(0.4, MEANS[2], new double[] {1, 2, 3, 4, 5})));
        assertEquals("components[2].covariance has 5 values; give 1 (a variance), d=2 (a diagonal) or d*d=4"
                + " (a full matrix)", e.getMessage());
    }

    @Test
    void aCovarianceThatIsNotPositiveDefiniteIsRefused() {
        // Eigenvalues 3 and -1.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(new Part(1.0, MEANS[0], new double[] {1, 2, 2, 1})));
        assertEquals("components[0].covariance is not positive definite (its Cholesky factorisation fails);"
                + " give a symmetric positive-definite matrix", e.getMessage());
    }

    @Test
    void anAsymmetricCovarianceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(new Part(1.0, MEANS[0], new double[] {2, 0.5, 0.4, 2})));
        assertEquals("components[0].covariance is not symmetric: entry (1, 0) = 0.4 but (0, 1) = 0.5;"
                + " give a symmetric positive-definite matrix", e.getMessage());
    }

    @Test
    void aNonPositiveVarianceIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source(new Part(1.0, MEANS[0], new double[] {1.0, 0.0})));
        assertEquals("components[0].covariance[1] = 0.0 is not a valid variance; variances must be finite and > 0",
                e.getMessage());
    }

    @Test
    void samplesDoNotDependOnTheBlocking() {
        GaussianMixtureSource source = threeForms();
        Particles whole = new Particles(100, 2, 5000, new double[200], 0.0);
        source.sample(whole.all(), PhiloxNoise.of(4, 2, 9));
        Particles split = new Particles(100, 2, 5000, new double[200], 0.0);
        PhiloxNoise noise = PhiloxNoise.of(4, 2, 9);
        source.sample(split.block(37, 100), noise);
        source.sample(split.block(0, 37), noise);
        assertArrayEquals(whole.data(), split.data());
    }

    @Test
    void gaussianSourceIsStandardNormal() {
        GaussianSource source = new GaussianSource(new GaussianSource.Params(), new PipelineSpec("t", 1, 10, 3));
        assertEquals(3, source.dimension());
        GaussianMixture mixture = source.gaussianMixture().orElseThrow();
        assertEquals(1, mixture.size());
        assertEquals(Form.SCALAR, mixture.components().get(0).form());
        assertArrayEquals(new double[] {1.0}, mixture.components().get(0).covariance());
        assertArrayEquals(new double[3], mixture.components().get(0).mean());
        int n = 50_000;
        Particles particles = new Particles(n, 3);
        source.sample(particles.all(), PhiloxNoise.of(2, 0, 0));
        double[] x = particles.data();
        for (int i = 0; i < 3; i++) {
            double s = 0;
            double s2 = 0;
            for (int r = 0; r < n; r++) {
                s += x[3 * r + i];
                s2 += x[3 * r + i] * x[3 * r + i];
            }
            // 5 standard errors: 1/sqrt(n) for the mean, sqrt(2/n) for the second moment.
            assertEquals(0.0, s / n, 5 / Math.sqrt(n));
            assertEquals(1.0, s2 / n, 5 * Math.sqrt(2.0 / n));
        }
        Particles split = new Particles(n, 3);
        source.sample(split.block(0, 37), PhiloxNoise.of(2, 0, 0));
        source.sample(split.block(37, n), PhiloxNoise.of(2, 0, 0));
        assertArrayEquals(x, split.data());
    }
}
