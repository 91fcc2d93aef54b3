package org.scorepipe.core.kernels;

/**
 * The dense linear algebra of the Gaussian scores and sources, in one place: the Cholesky factor
 * {@code A = L L^T} of a symmetric positive-definite matrix, the inverse {@code W = L^{-1}} of the
 * factor, the inverse {@code A^{-1} = W^T W} and {@code log det A = 2 sum_i log L_ii}. Matrices are
 * {@code n x n}, row-major, in flat arrays.
 *
 * <p>These run once per time (a score's precisions) or once per run (a source's factors), never
 * per particle, so they are written for exactness and reproducibility, not speed: the loops and
 * their order of summation are fixed, and every result is the same bits on every JVM. The
 * factorisation is the Cholesky-Banachiewicz order (row by row, {@code L_ij = (A_ij - sum_{m<j}
 * L_im L_jm) / L_jj}); Hipparchus' {@code CholeskyDecomposition} computes the same factor in
 * another order and with a reciprocal, so its last bits differ, and with them the samples.
 */
public final class Cholesky {
    private Cholesky() {
    }

    /**
     * The lower factor {@code L} of {@code a} ({@code n x n}, row-major; only its lower triangle is
     * read), or {@code null} when {@code a} is not positive definite (a pivot that is not a finite
     * number {@code > 0}).
     */
    public static double[] lower(double[] a, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * n + j];
                for (int m = 0; m < j; m++) {
                    s -= l[i * n + m] * l[j * n + m];
                }
                if (i == j) {
                    if (!(s > 0) || Double.isInfinite(s)) {
                        return null;
                    }
                    l[i * n + i] = Math.sqrt(s);
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
        }
        return l;
    }

    /** {@code W = L^{-1}} of a lower-triangular {@code L} with a non-zero diagonal; lower-triangular, by columns. */
    public static double[] lowerInverse(double[] l, int n) {
        double[] w = new double[n * n];
        for (int c = 0; c < n; c++) {
            w[c * n + c] = 1.0 / l[c * n + c];
            for (int i = c + 1; i < n; i++) {
                double s = 0.0;
                for (int m = c; m < i; m++) {
                    s += l[i * n + m] * w[m * n + c];
                }
                w[i * n + c] = -s / l[i * n + i];
            }
        }
        return w;
    }

    /**
     * {@code W^T W} for a lower-triangular {@code W}: with {@code W = L^{-1}} it is
     * {@code (L L^T)^{-1}}, the inverse of the factored matrix. Written into {@code out} at
     * {@code offset} ({@code n x n}, row-major) and exactly symmetric: each entry above the
     * diagonal is computed once and copied below it.
     */
    public static void inverseFromLowerInverse(double[] w, int n, double[] out, int offset) {
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0.0;
                for (int m = j; m < n; m++) {
                    s += w[m * n + i] * w[m * n + j];
                }
                out[offset + i * n + j] = s;
                out[offset + j * n + i] = s;
            }
        }
    }

    /** {@code (L L^T)^{-1}} from the lower factor {@code L}: {@code W^T W} with {@code W = L^{-1}}; exactly symmetric. */
    public static double[] inverse(double[] l, int n) {
        double[] p = new double[n * n];
        inverseFromLowerInverse(lowerInverse(l, n), n, p, 0);
        return p;
    }

    /** {@code log det (L L^T) = sum_i 2 log L_ii}, summed in index order. */
    public static double logDeterminant(double[] l, int n) {
        return addLogDeterminant(0.0, l, n);
    }

    /**
     * {@code sum + 2 log L_00 + 2 log L_11 + ...}, added term by term onto {@code sum}: the
     * log-determinant of a block-triangular factorisation accumulated one factor after another
     * (as {@code log det Sigma_AA + log det C} of a conditional Gaussian), with exactly the
     * rounding of one running sum.
     */
    public static double addLogDeterminant(double sum, double[] l, int n) {
        double s = sum;
        for (int i = 0; i < n; i++) {
            s += 2.0 * Math.log(l[i * n + i]);
        }
        return s;
    }
}
