package org.scorepipe.core.sources;

import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.core.kernels.Cholesky;

/**
 * A covariance as the config gives it (1 value: a variance; {@code d} values: a diagonal;
 * {@code d*d} values: a full matrix, row-major) and a factor {@code F} with {@code F F^T} the
 * covariance, which turns standard normals into samples. Shared by the Gaussian-mixture and
 * Student-t sources, so both read and check the three forms alike; {@code key} names the config
 * value in the error messages.
 */
final class CovarianceFactor {
    private CovarianceFactor() {
    }

    /** The form of a covariance of {@code length} values in {@code d} dimensions. */
    static Form form(String key, int length, int d) {
        // d = 1 makes all three readings one: a single value is then a variance.
        if (length == 1) {
            return Form.SCALAR;
        }
        if (length == d) {
            return Form.DIAGONAL;
        }
        if (length == d * d) {
            return Form.FULL;
        }
        throw new IllegalArgumentException(key + " has " + length + " values; give 1 (a variance), d="
                + d + " (a diagonal) or d*d=" + d * d + " (a full matrix)");
    }

    /** SCALAR and DIAGONAL: the square roots of the variances, one per value given. */
    static double[] roots(String key, double[] variances) {
        double[] roots = new double[variances.length];
        for (int j = 0; j < variances.length; j++) {
            if (!(variances[j] > 0) || Double.isInfinite(variances[j])) {
                throw new IllegalArgumentException(key + "[" + j + "] = " + variances[j]
                        + " is not a valid variance; variances must be finite and > 0");
            }
            roots[j] = Math.sqrt(variances[j]);
        }
        return roots;
    }

    /** FULL: the lower Cholesky factor (row-major) of a symmetric positive-definite {@code d x d} matrix. */
    static double[] lower(String key, double[] covariance, int d) {
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                double a = covariance[i * d + j];
                double b = covariance[j * d + i];
                if (Math.abs(a - b) > 1e-12 * Math.max(Math.abs(a), Math.abs(b)) || Double.isNaN(a)) {
                    throw new IllegalArgumentException(key + " is not symmetric: entry (" + i + ", " + j + ") = " + a
                            + " but (" + j + ", " + i + ") = " + b + "; give a symmetric positive-definite matrix");
                }
            }
        }
        double[] lower = Cholesky.lower(covariance, d);
        if (lower == null) {
            throw new IllegalArgumentException(key + " is not positive definite (its Cholesky factorisation fails);"
                    + " give a symmetric positive-definite matrix");
        }
        return lower;
    }
}
