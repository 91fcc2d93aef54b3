package org.scorepipe.core.scores;

/**
 * The product {@code Y = 1 b^T + X P} of a block of points with the stacked precisions of a
 * mixture: row {@code r} of {@code Y} is {@code b + sum_j x_rj P[j, .]}, with {@code X} of
 * {@code rows x d} and {@code P} of {@code d x w}, both row-major.
 *
 * <p>Every output is accumulated the same way, {@code y = b; y = fma(x_j, P[j], y)} for
 * {@code j = 0 .. d-1}: one exact sequence of fused multiply-adds per element, which
 * {@link FullScoreLanes} repeats lane by lane in its register tiles.
 */
final class PrecisionProduct {

    private PrecisionProduct() {
    }

    /**
     * {@code y[r*w + c] = b[c] + sum_j x[xo + r*d + j] p[j*w + c]} for {@code r < rows},
     * {@code c < w}, by fused multiply-adds in the order of {@code j}.
     */
    static void multiply(double[] x, int xo, int rows, int d, double[] p, int w, double[] b, double[] y) {
        for (int r = 0; r < rows; r++) {
            int yo = r * w;
            System.arraycopy(b, 0, y, yo, w);
            for (int j = 0; j < d; j++) {
                double xj = x[xo + r * d + j];
                int po = j * w;
                for (int c = 0; c < w; c++) {
                    y[yo + c] = Math.fma(xj, p[po + c], y[yo + c]);
                }
            }
        }
    }
}
