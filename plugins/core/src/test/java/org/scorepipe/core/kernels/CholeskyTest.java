package org.scorepipe.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CholeskyTest {
    /** A = [[4, 2], [2, 5]] = L L^T with L = [[2, 0], [1, 2]]; A^{-1} = [[5, -2], [-2, 4]] / 16: all exact in binary. */
    @Test
    void factorsInvertsAndTakesTheDeterminantOfAKnownMatrix() {
        double[] a = {4, 2, 2, 5};
        double[] l = Cholesky.lower(a, 2);
        assertArrayEquals(new double[] {2, 0, 1, 2}, l);
        assertArrayEquals(new double[] {0.5, 0, -0.25, 0.5}, Cholesky.lowerInverse(l, 2));
        assertArrayEquals(new double[] {5.0 / 16, -2.0 / 16, -2.0 / 16, 4.0 / 16}, Cholesky.inverse(l, 2));
        // 2 log 2 + 2 log 2 against log 16: a few roundings of numbers near 1, so 1e-15 relative.
        assertEquals(Math.log(16), Cholesky.logDeterminant(l, 2), 1e-15 * Math.log(16));
        assertEquals(1.0 + Math.log(16), Cholesky.addLogDeterminant(1.0, l, 2), 1e-15 * (1 + Math.log(16)));
    }

    @Test
    void refusesWhatIsNotPositiveDefinite() {
        assertNull(Cholesky.lower(new double[] {1, 2, 2, 1}, 2));
        assertNull(Cholesky.lower(new double[] {0, 0, 0, 1}, 2));
        assertNull(Cholesky.lower(new double[] {Double.NaN, 0, 0, 1}, 2));
        assertNull(Cholesky.lower(new double[] {Double.POSITIVE_INFINITY, 0, 0, 1}, 2));
    }

    /**
     * A random SPD matrix A = B B^T + d I (d = 7, condition number below ~50): L L^T reproduces A and
     * the inverse times A is I, each to 1e-13, some hundred roundings of numbers of order 10 and
     * the condition number above them; the inverse is exactly symmetric.
     */
    @Test
    void reconstructsARandomSpdMatrix() {
        int d = 7;
        SplittableRandom random = new SplittableRandom(3);
        double[] b = new double[d * d];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextDouble(-1, 1);
        }
        double[] a = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = i == j ? d : 0.0;
                for (int m = 0; m < d; m++) {
                    s += b[i * d + m] * b[j * d + m];
                }
                a[i * d + j] = s;
            }
        }
        double[] l = Cholesky.lower(a, d);
        double[] p = Cholesky.inverse(l, d);
        double logDet = 0.0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double llt = 0.0;
                double pa = 0.0;
                for (int m = 0; m < d; m++) {
                    llt += l[i * d + m] * l[j * d + m];
                    pa += p[i * d + m] * a[m * d + j];
                }
                assertEquals(a[i * d + j], llt, 1e-13 * d, "L L^T at " + i + ", " + j);
                assertEquals(i == j ? 1.0 : 0.0, pa, 1e-13, "A^{-1} A at " + i + ", " + j);
                assertEquals(p[i * d + j], p[j * d + i], 0.0);
            }
            for (int j = i + 1; j < d; j++) {
                assertEquals(0.0, l[i * d + j], 0.0, "upper triangle at " + i + ", " + j);
            }
            logDet += Math.log(l[i * d + i] * l[i * d + i]);
        }
        assertEquals(logDet, Cholesky.logDeterminant(l, d), 1e-14 * Math.abs(logDet));
    }
}
