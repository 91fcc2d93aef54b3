package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrecisionProductTest {

    /** The fused multiply-adds compute the product: within a few ulps of an exact sum. */
    @Test
    void productIsTheExactSumToAFewUlps() {
        SplittableRandom random = new SplittableRandom(5);
        for (int d : new int[] {1, 2, 3, 7, 13, 16, 64}) {
            for (int k : new int[] {1, 3, 8}) {
                int w = k * d;
                for (int rows : new int[] {1, 3}) {
                    int xo = 3;
                    double[] x = fill(random, xo + rows * d);
                    double[] p = fill(random, d * w);
                    double[] b = fill(random, w);
                    double[] plain = new double[rows * w];
                    PrecisionProduct.multiply(x, xo, rows, d, p, w, b, plain);
                    String shape = "d " + d + ", K " + k + ", rows " + rows;
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < w; c++) {
                            // Exact sum in BigDecimal; d + 1 rounded steps of terms below 4 (x, p, b are in
                            // [-1, 1)) are within (d + 1) * 4 * 2^-52 of it.
                            java.math.BigDecimal exact = new java.math.BigDecimal(b[c]);
                            for (int j = 0; j < d; j++) {
                                exact = exact.add(new java.math.BigDecimal(x[xo + r * d + j])
                                        .multiply(new java.math.BigDecimal(p[j * w + c])));
                            }
                            assertEquals(exact.doubleValue(), plain[r * w + c], (d + 1) * 4 * 0x1.0p-52 * d, shape);
                        }
                    }
                }
            }
        }
    }

    private static double[] fill(SplittableRandom random, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = random.nextDouble(-1, 1);
        }
        return a;
    }
}
