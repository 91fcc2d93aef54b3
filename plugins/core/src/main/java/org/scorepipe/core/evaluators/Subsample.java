package org.scorepipe.core.evaluators;

/**
 * The deterministic subsample the metrics that do not merge ({@code mmd}, {@code energy-distance},
 * {@code knn-kl}, {@code sliced-wasserstein}, {@code tail-quantiles}, {@code likelihood}) work on
 * when the ensemble is larger than their {@code max-samples} ({@code max-points}): the
 * {@code m} evenly spaced rows {@code floor(i n / m)}, {@code i = 0 .. m-1}.
 *
 * <p>Every particle's path is a function of its own index and noise only, so the particles are
 * exchangeable in their index and an evenly spaced choice is as good as a random one; unlike a
 * random one it needs no draws and is the same for any thread count, block size or resume.
 */
final class Subsample {
    private Subsample() {
    }

    /** How many rows of {@code n} are used under the cap {@code maxSamples}. */
    static int size(int n, int maxSamples) {
        return Math.min(n, maxSamples);
    }

    /**
     * Rows {@code floor(i n / m)} of the row-major {@code [n, d]} array {@code x}, copied into a
     * {@code [m, d]} array; {@code x} itself when {@code m = n} (callers only read it).
     */
    static double[] rows(double[] x, int n, int d, int m) {
        if (m > n || m < 0) {
            throw new IllegalArgumentException("cannot take " + m + " rows of " + n);
        }
        if (m == n) {
            return x;
        }
        double[] out = new double[m * d];
        for (int i = 0; i < m; i++) {
            int row = (int) ((long) i * n / m);
            System.arraycopy(x, row * d, out, i * d, d);
        }
        return out;
    }
}
