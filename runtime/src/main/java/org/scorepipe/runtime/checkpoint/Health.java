package org.scorepipe.runtime.checkpoint;

/**
 * Whether an ensemble is worth keeping as a checkpoint: every coordinate finite, and the largest
 * |x| at most {@value #GROWTH} times its value at the start of the stage (or 1, whichever is
 * larger).
 *
 * <p>Why a bound on growth and not only finiteness: a diverging step size grows the particles
 * geometrically, so for many steps they are finite but useless (|x| ~ 1e150 before the first
 * infinity). A checkpoint of such particles diverges again whatever is changed on resume. A
 * sampler that works moves its particles by a bounded factor within a stage: the widest shipped
 * path (variance exploding, sigma up to a few hundred) grows them about 10^3-fold from data of
 * scale 1, and a heavy-tailed draw of 10^7 Cauchy coordinates reaches about 10^7. The factor
 * {@value #GROWTH} is far above both, and a geometric divergence passes it a few steps after it
 * starts.
 */
public final class Health {
    /** How many times its stage-start scale (at least 1) the largest |x| may grow. */
    public static final double GROWTH = 1e10;

    private Health() {
    }

    /** The largest |x| of any coordinate, or NaN if one is not finite. */
    public static double maxAbs(double[] x) {
        double max = 0;
        for (double v : x) {
            double a = Math.abs(v);
            if (!(a <= Double.MAX_VALUE)) {
                return Double.NaN;
            }
            max = Math.max(max, a);
        }
        return max;
    }

    /** The largest |x| a healthy ensemble may reach in a stage that began at scale {@code stageStartMaxAbs}. */
    public static double bound(double stageStartMaxAbs) {
        return GROWTH * Math.max(1, stageStartMaxAbs);
    }

    /** Whether an ensemble whose largest |x| is {@code maxAbs} is healthy (NaN: it is not). */
    public static boolean healthy(double maxAbs, double stageStartMaxAbs) {
        return maxAbs <= bound(stageStartMaxAbs);
    }
}
