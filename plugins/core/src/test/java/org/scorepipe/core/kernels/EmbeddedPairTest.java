package org.scorepipe.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The tableaux against the Runge-Kutta order conditions (Butcher; Hairer, Norsett and Wanner,
 * "Solving ODEs I", section II.2), which hold exactly for a correct tableau and fail for any
 * mistyped coefficient: the propagated weights {@code b} to the pair's order, the embedded
 * weights {@code b - e} to one order less, and the row sums {@code c_i = sum_j a_ij}.
 */
class EmbeddedPairTest {
    /** Rounding of sums of a few dozen rationals near 1. */
    private static final double EXACT = 1e-14;

    @Test
    void dormandPrinceIsFifthOrderWithAFourthOrderEmbeddedSolution() {
        check(EmbeddedPair.DOPRI5);
    }

    @Test
    void bogackiShampineIsThirdOrderWithASecondOrderEmbeddedSolution() {
        check(EmbeddedPair.BOSH3);
    }

    private static void check(EmbeddedPair pair) {
        int s = pair.stages();
        for (int i = 0; i < s; i++) {
            double row = 0.0;
            for (double a : pair.a()[i]) {
                row += a;
            }
            assertEquals(pair.c()[i], row, EXACT, pair.name() + ": c_" + i + " is the row sum of a");
        }
        double[] embedded = new double[s];
        for (int i = 0; i < s; i++) {
            embedded[i] = pair.b()[i] - pair.e()[i];
        }
        conditions(pair, pair.b(), pair.order(), "b");
        conditions(pair, embedded, pair.order() - 1, "b - e");
        // First same as last: the last stage is evaluated at the propagated solution.
        for (int j = 0; j < s - 1; j++) {
            assertEquals(pair.b()[j], pair.a()[s - 1][j], 0.0, pair.name() + ": the last row of a is b");
        }
        assertEquals(1.0, pair.c()[s - 1], 0.0);
    }

    /** The order conditions of the trees up to {@code order} (at most 5), for weights {@code w}. */
    private static void conditions(EmbeddedPair pair, double[] w, int order, String which) {
        double[] c = pair.c();
        double[][] a = pair.a();
        int s = c.length;
        double[] ac = new double[s]; // (A c)_i
        double[] ac2 = new double[s]; // (A c^2)_i
        double[] aac = new double[s]; // (A A c)_i
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < a[i].length; j++) {
                ac[i] += a[i][j] * c[j];
                ac2[i] += a[i][j] * c[j] * c[j];
            }
        }
        for (int i = 0; i < s; i++) {
            for (int j = 0; j < a[i].length; j++) {
                aac[i] += a[i][j] * ac[j];
            }
        }
        String where = pair.name() + " " + which + ": ";
        for (int q = 1; q <= order; q++) {
            double sum = 0.0;
            for (int i = 0; i < s; i++) {
                sum += w[i] * Math.pow(c[i], q - 1);
            }
            assertEquals(1.0 / q, sum, EXACT, where + "sum w c^" + (q - 1));
        }
        if (order >= 3) {
            assertEquals(1.0 / 6, dot(w, ac), EXACT, where + "sum w A c");
        }
        if (order >= 4) {
            double wcac = 0.0;
            for (int i = 0; i < s; i++) {
                wcac += w[i] * c[i] * ac[i];
            }
            assertEquals(1.0 / 8, wcac, EXACT, where + "sum w c A c");
            assertEquals(1.0 / 12, dot(w, ac2), EXACT, where + "sum w A c^2");
            assertEquals(1.0 / 24, dot(w, aac), EXACT, where + "sum w A A c");
        }
    }

    private static double dot(double[] x, double[] y) {
        double sum = 0.0;
        for (int i = 0; i < x.length; i++) {
            sum += x[i] * y[i];
        }
        return sum;
    }
}
