package org.scorepipe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** The Gaussian skip's eigen-decomposition and its noise prediction against a direct solve. */
class GaussianSkipTest {

    /** A random SPD matrix {@code A A^T / d + 0.1 I}, row-major. */
    static double[] spd(int d, long seed) {
        double[] a = new double[d * d];
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, a, 0, a.length);
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += a[i * d + k] * a[j * d + k];
                }
                c[i * d + j] = s / d + (i == j ? 0.1 : 0);
            }
        }
        return c;
    }

    /** Solves {@code A y = b} by Gaussian elimination with partial pivoting (a reference apart from Jacobi). */
    static double[] solve(double[] matrix, double[] rhs, int n) {
        double[] a = matrix.clone();
        double[] b = rhs.clone();
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) {
                    p = r;
                }
            }
            for (int k = 0; k < n; k++) {
                double tmp = a[c * n + k];
                a[c * n + k] = a[p * n + k];
                a[p * n + k] = tmp;
            }
            double tb = b[c];
            b[c] = b[p];
            b[p] = tb;
            for (int r = c + 1; r < n; r++) {
                double f = a[r * n + c] / a[c * n + c];
                for (int k = c; k < n; k++) {
                    a[r * n + k] -= f * a[c * n + k];
                }
                b[r] -= f * b[c];
            }
        }
        double[] y = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = b[r];
            for (int k = r + 1; k < n; k++) {
                s -= a[r * n + k] * y[k];
            }
            y[r] = s / a[r * n + r];
        }
        return y;
    }

    @Test
    void jacobiReconstructsTheMatrix() {
        int d = 12;
        double[] c = spd(d, 3);
        double[] lambda = new double[d];
        double[] vt = new double[d * d];
        GaussianSkip.jacobi(c, d, lambda, vt);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    s += vt[k * d + i] * lambda[k] * vt[k * d + j];
                    dot += vt[i * d + k] * vt[j * d + k];
                }
                // entries are O(1); Jacobi is backward stable, so errors are a few ulps times d
                assertEquals(c[i * d + j], s, 1e-12, "V diag(lambda) V^T at " + i + "," + j);
                assertEquals(i == j ? 1.0 : 0.0, dot, 1e-12, "V^T V at " + i + "," + j);
            }
        }
    }

    @Test
    void theNoisePredictionIsSigmaTimesTheNoisedPrecisionTimesTheCentredPoint() {
        int d = 7;
        double[] c = spd(d, 4);
        double[] mu = new double[d];
        PhiloxNoise.of(5, 0, 0).normals(0, 0, mu, 0, d);
        GaussianSkip skip = new GaussianSkip(mu, c);
        int rows = 3;
        double[] x = new double[1 + rows * d];
        PhiloxNoise.of(6, 0, 0).normals(0, 0, x, 0, x.length);
        double alpha = 0.6;
        double sigma = 0.8;
        double[] out = new double[2 + rows * d];
        skip.epsilon(x, 1, rows, alpha, sigma, out, 2);
        double[] ct = new double[d * d];
        for (int i = 0; i < d * d; i++) {
            ct[i] = alpha * alpha * c[i] + (i % (d + 1) == 0 ? sigma * sigma : 0);
        }
        for (int r = 0; r < rows; r++) {
            double[] y = new double[d];
            for (int j = 0; j < d; j++) {
                y[j] = x[1 + r * d + j] - alpha * mu[j];
            }
            double[] expected = solve(ct, y, d);
            for (int j = 0; j < d; j++) {
                // Sigma_t's condition number is below ~30 here: a direct solve and the eigen form agree to ~1e-13
                assertEquals(sigma * expected[j], out[2 + r * d + j], 1e-11, "row " + r + ", coordinate " + j);
            }
        }
    }

    @Test
    void theEstimateIsTheSampleMeanAndCovariance() {
        // four points in 2-D: mean (1, 2); deviations (+-1, 0), (0, +-2): covariance diag(2/3, 8/3)
        double[] x = {2, 2, 0, 2, 1, 4, 1, 0};
        GaussianSkip skip = GaussianSkip.estimate(x, 4, 2);
        assertEquals(1.0, skip.mean()[0], 1e-15);
        assertEquals(2.0, skip.mean()[1], 1e-15);
        double[] c = skip.covariance();
        assertEquals(2.0 / 3, c[0], 1e-15);
        assertEquals(0.0, c[1], 1e-15);
        assertEquals(0.0, c[2], 1e-15);
        assertEquals(8.0 / 3, c[3], 1e-15);
    }
}
