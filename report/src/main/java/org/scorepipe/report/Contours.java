package org.scorepipe.report;

import java.util.Arrays;

/**
 * Contour lines of a function sampled on a regular grid, by marching squares (Lorensen and
 * Cline's marching cubes in two dimensions): in each cell the level crosses the edges whose
 * corner values straddle it, at the linearly interpolated point, and the crossings are joined in
 * pairs; a saddle cell (four crossings) is resolved by the cell's mean value.
 *
 * <p>The segments of one level come back as one polyline with {@code NaN} in {@code y} between
 * segments, which a line series draws as gaps.
 */
final class Contours {
    /** A polyline: points {@code (x[i], y[i])}; a point with {@code y = NaN} breaks the line. */
    record Polyline(double[] x, double[] y) {
    }

    private Contours() {
    }

    /**
     * The level of {@code values} (a density on a grid of equal cells) whose super-level set
     * holds the fraction {@code mass} of the grid's total: the highest-density region's boundary.
     */
    static double highestDensityLevel(double[][] values, double mass) {
        int count = 0;
        for (double[] row : values) {
            count += row.length;
        }
        double[] all = new double[count];
        int p = 0;
        double total = 0.0;
        for (double[] row : values) {
            for (double v : row) {
                all[p++] = v;
                total += v;
            }
        }
        Arrays.sort(all);
        double sum = 0.0;
        for (int i = all.length - 1; i >= 0; i--) {
            sum += all[i];
            if (sum >= mass * total) {
                return all[i];
            }
        }
        return all[0];
    }

    /** The contour of {@code values[i][j]} (at {@code (xs[i], ys[j])}) at {@code level}. */
    static Polyline at(double[] xs, double[] ys, double[][] values, double level) {
        int nx = xs.length;
        int ny = ys.length;
        DoubleList outX = new DoubleList();
        DoubleList outY = new DoubleList();
        double[] cx = new double[4];
        double[] cy = new double[4];
        boolean[] has = new boolean[4];
        for (int i = 0; i + 1 < nx; i++) {
            for (int j = 0; j + 1 < ny; j++) {
                double v00 = values[i][j];
                double v10 = values[i + 1][j];
                double v11 = values[i + 1][j + 1];
                double v01 = values[i][j + 1];
                // Edges: 0 bottom (v00-v10), 1 right (v10-v11), 2 top (v01-v11), 3 left (v00-v01).
                has[0] = crossing(xs[i], ys[j], v00, xs[i + 1], ys[j], v10, level, cx, cy, 0);
                has[1] = crossing(xs[i + 1], ys[j], v10, xs[i + 1], ys[j + 1], v11, level, cx, cy, 1);
                has[2] = crossing(xs[i], ys[j + 1], v01, xs[i + 1], ys[j + 1], v11, level, cx, cy, 2);
                has[3] = crossing(xs[i], ys[j], v00, xs[i], ys[j + 1], v01, level, cx, cy, 3);
                int crossings = (has[0] ? 1 : 0) + (has[1] ? 1 : 0) + (has[2] ? 1 : 0) + (has[3] ? 1 : 0);
                if (crossings == 2) {
                    int a = -1;
                    int b = -1;
                    for (int e = 0; e < 4; e++) {
                        if (has[e]) {
                            if (a < 0) {
                                a = e;
                            } else {
                                b = e;
                            }
                        }
                    }
                    segment(outX, outY, cx[a], cy[a], cx[b], cy[b]);
                } else if (crossings == 4) {
                    boolean centreAbove = (v00 + v10 + v11 + v01) / 4 >= level;
                    boolean diagonalAbove = v00 >= level;
                    // Cut off the corners that are on the other side of the level from the centre.
                    if (centreAbove == diagonalAbove) {
                        segment(outX, outY, cx[0], cy[0], cx[1], cy[1]);
                        segment(outX, outY, cx[2], cy[2], cx[3], cy[3]);
                    } else {
                        segment(outX, outY, cx[3], cy[3], cx[0], cy[0]);
                        segment(outX, outY, cx[1], cy[1], cx[2], cy[2]);
                    }
                }
            }
        }
        return new Polyline(outX.toArray(), outY.toArray());
    }

    private static boolean crossing(double x0, double y0, double v0, double x1, double y1, double v1, double level,
            double[] cx, double[] cy, int edge) {
        if ((v0 >= level) == (v1 >= level)) {
            return false;
        }
        double f = (level - v0) / (v1 - v0);
        cx[edge] = x0 + f * (x1 - x0);
        cy[edge] = y0 + f * (y1 - y0);
        return true;
    }

    private static void segment(DoubleList xs, DoubleList ys, double x0, double y0, double x1, double y1) {
        xs.add(x0);
        ys.add(y0);
        xs.add(x1);
        ys.add(y1);
        // A gap: XChart ends a line at a NaN y.
        xs.add(x1);
        ys.add(Double.NaN);
    }

    /** A growable {@code double[]}. */
    private static final class DoubleList {
        private double[] values = new double[64];
        private int size;

        void add(double v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
