package org.scorepipe.core.scores;

/**
 * {@code e^x} for {@code x <= 0}, the softmax's exponential, in operations a SIMD lane performs
 * identically ({@link Lanes#exp} is the lane twin, bit for bit):
 * <pre>
 *   k = rint(x / ln 2)                    (by adding and subtracting 1.5 * 2^52)
 *   r = x - k ln2_hi - k ln2_lo           (two fused multiply-adds; |r| &lt;= ln 2 / 2)
 *   e^x = 2^k * sum_{n=0}^{13} r^n / n!   (Horner in fused multiply-adds)
 * </pre>
 * The Taylor remainder after degree 13 on {@code |r| <= 0.347} is below {@code 2e-18}, so the
 * result is within a few ulps of {@code Math.exp} ({@code ExpTest}); {@code e^0 = 1} exactly, so the
 * largest logit's weight is exactly 1. Arguments below {@code -708} are raised to {@code -708}
 * (a weight of about {@code 3e-308} instead of a smaller one, which a softmax cannot tell apart);
 * NaN stays NaN.
 */
final class Exp {
    static final double FLOOR = -708.0;
    static final double LOG2_E = 1.4426950408889634;
    /** {@code 1.5 * 2^52}: adding it rounds to an integer, which the low bits of the sum then hold. */
    static final double SHIFTER = 0x1.8p52;
    static final long SHIFTER_BITS = Double.doubleToRawLongBits(SHIFTER);
    /** {@code ln 2} split so that {@code k * LN2_HI} is exact for the {@code |k| <= 1022} used here. */
    static final double LN2_HI = 0x1.62e42fee00000p-1;
    static final double LN2_LO = 0x1.a39ef35793c76p-33;
    /** {@code 1 / n!} for {@code n = 13 .. 0}, in Horner order. */
    static final double[] TAYLOR = taylor();

    private Exp() {
    }

    /** {@code e^x} for {@code x <= 0} (see the class comment). */
    static double negative(double x) {
        double y = Math.max(x, FLOOR);
        double t = y * LOG2_E + SHIFTER;
        double k = t - SHIFTER;
        double r = Math.fma(k, -LN2_HI, y);
        r = Math.fma(k, -LN2_LO, r);
        double[] c = TAYLOR;
        double p = c[0];
        for (int n = 1; n < c.length; n++) {
            p = Math.fma(p, r, c[n]);
        }
        double scale = Double.longBitsToDouble((Double.doubleToRawLongBits(t) - SHIFTER_BITS + 1023) << 52);
        return p * scale;
    }

    private static double[] taylor() {
        double[] c = new double[14];
        double factorial = 1.0;
        for (int n = 1; n <= 13; n++) {
            factorial *= n;  // exact up to 13! < 2^53
            c[13 - n] = 1.0 / factorial;
        }
        c[13] = 1.0;
        return c;
    }
}
