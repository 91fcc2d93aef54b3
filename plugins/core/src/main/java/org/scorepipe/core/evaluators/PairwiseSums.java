package org.scorepipe.core.evaluators;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Sums over pairs of points, the inner loops of the quadratic metrics. Rows are processed in
 * parallel (the common fork-join pool), each row's partial sum into its own slot, and the slots
 * are added in row order afterwards: the result is the same bits for any number of threads.
 */
final class PairwiseSums {
    /** A function of the squared distance of a pair; summed over pairs. */
    @FunctionalInterface
    interface Kernel {
        double of(double squaredDistance);
    }

    private PairwiseSums() {
    }

    /** {@code |x_a - y_b|^2} for rows {@code a} of {@code x} and {@code b} of {@code y}. */
    static double squaredDistance(double[] x, int a, double[] y, int b, int d) {
        int xo = a * d;
        int yo = b * d;
        double s = 0.0;
        for (int j = 0; j < d; j++) {
            double diff = x[xo + j] - y[yo + j];
            s += diff * diff;
        }
        return s;
    }

    /** {@code sum_{a < b} k(|x_a - x_b|^2)} over the {@code n} rows of {@code x}. */
    static double within(double[] x, int n, int d, Kernel k) {
        double[] rowSums = new double[n];
        IntStream.range(0, n).parallel().forEach(a -> {
            double s = 0.0;
            for (int b = a + 1; b < n; b++) {
                s += k.of(squaredDistance(x, a, x, b, d));
            }
            rowSums[a] = s;
        });
        return inOrder(rowSums);
    }

    /** {@code sum_{a, b} k(|x_a - y_b|^2)} over the {@code n} rows of {@code x} and {@code m} rows of {@code y}. */
    static double between(double[] x, int n, double[] y, int m, int d, Kernel k) {
        double[] rowSums = new double[n];
        IntStream.range(0, n).parallel().forEach(a -> {
            double s = 0.0;
            for (int b = 0; b < m; b++) {
                s += k.of(squaredDistance(x, a, y, b, d));
            }
            rowSums[a] = s;
        });
        return inOrder(rowSums);
    }

    private static double inOrder(double[] values) {
        double s = 0.0;
        for (double v : values) {
            s += v;
        }
        return s;
    }

    /**
     * The median of the pairwise Euclidean distances {@code |z_a - z_b|}, {@code a < b}, among at
     * most {@code cap} evenly spaced rows of {@code z} (all {@code O(cap^2)} pairs, sorted).
     */
    static double medianDistance(double[] z, int n, int d, int cap) {
        int m = Subsample.size(n, cap);
        double[] rows = Subsample.rows(z, n, d, m);
        if (m < 2) {
            throw new IllegalArgumentException("the median heuristic needs at least two points, got " + m);
        }
        double[] distances = new double[m * (m - 1) / 2];
        int p = 0;
        for (int a = 0; a < m; a++) {
            for (int b = a + 1; b < m; b++) {
                distances[p++] = Math.sqrt(squaredDistance(rows, a, rows, b, d));
            }
        }
        Arrays.sort(distances);
        int c = distances.length;
        return c % 2 == 1 ? distances[c / 2] : 0.5 * (distances[c / 2 - 1] + distances[c / 2]);
    }
}
