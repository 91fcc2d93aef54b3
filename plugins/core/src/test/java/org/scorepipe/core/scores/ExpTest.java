package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Simd;

class ExpTest {

    /** Within 2 ulps of Math.exp (itself within 1 ulp of e^x) over the whole range a softmax uses. */
    @Test
    void closeToMathExp() {
        SplittableRandom random = new SplittableRandom(1);
        double worst = 0;
        for (int n = 0; n < 1_000_000; n++) {
            double x = n % 2 == 0 ? -random.nextDouble(0, 708) : -random.nextDouble(0, 2);
            double ulps = Math.abs(Exp.negative(x) - Math.exp(x)) / Math.ulp(Math.exp(x));
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulps");
        assertEquals(1.0, Exp.negative(0.0));
        assertEquals(1.0, Exp.negative(-0.0));
        assertEquals(Math.exp(-708.0), Exp.negative(-1e6), Math.ulp(Math.exp(-708.0)) * 2, "floored at -708");
        assertEquals(Math.exp(-708.0), Exp.negative(Double.NEGATIVE_INFINITY), Math.ulp(Math.exp(-708.0)) * 2);
        assertTrue(Double.isNaN(Exp.negative(Double.NaN)));
    }

    /** The lane twin computes the same bits in every lane. */
    @Test
    void lanesEqualTheScalarBitForBit() {
        assertTrue(Simd.ENABLED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        int lanes = Lanes.LANES;
        SplittableRandom random = new SplittableRandom(2);
        double[] x = new double[lanes];
        double[] y = new double[lanes];
        for (int n = 0; n < 100_000; n++) {
            for (int q = 0; q < lanes; q++) {
                x[q] = switch ((n + q) % 4) {
                    case 0 -> -random.nextDouble(0, 800);
                    case 1 -> -random.nextDouble(0, 1);
                    case 2 -> -random.nextDouble(0, 1e-12);
                    default -> -0.0;
                };
            }
            Lanes.exp(DoubleVector.fromArray(Lanes.SPECIES, x, 0)).intoArray(y, 0);
            for (int q = 0; q < lanes; q++) {
                assertEquals(Double.doubleToRawLongBits(Exp.negative(x[q])), Double.doubleToRawLongBits(y[q]), "e^" + x[q]);
            }
        }
    }
}
