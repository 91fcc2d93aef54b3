package org.scorepipe.core.sources;

/** The Cholesky factorisation {@code A = L L^T} of a symmetric matrix, row-major. */
final class Cholesky {
    private Cholesky() {
    }

    /**
     * The lower factor {@code L} of {@code a} ({@code d x d}, row-major; only its lower
     * triangle is read), or {@code null} when {@code a} is not positive definite.
     */
    static double[] lower(double[] a, int d) {
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * d + j];
                for (int m = 0; m < j; m++) {
                    s -= l[i * d + m] * l[j * d + m];
                }
                if (i == j) {
                    if (!(s > 0) || Double.isInfinite(s)) {
                        return null;
                    }
                    l[i * d + i] = Math.sqrt(s);
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        return l;
    }
}
