package org.scorepipe.core.predictors;

import org.scorepipe.api.Noise;

/**
 * A particle's Brownian path {@code W: [0, 2^1023) -> R^d} over a stage, as a pure function of
 * {@code (seed, stage, particle, stream, u)}: every value {@code W(u)} is computed afresh from the
 * stage's {@link Noise#pathNormals}, so the increment {@code W(t) - W(s)} a step uses is the same
 * whichever grid the step belongs to. The same seed on a grid of 20 steps and on its refinement
 * of 40 follows one path, and the strong error of a scheme can be measured against a finer grid.
 *
 * <h2>Construction: Lévy's, over the binary expansion of a double</h2>
 * Every finite double is a dyadic rational, so a Brownian motion needs values only at dyadic
 * times, and those Lévy's construction gives exactly (P. Lévy, 1939; e.g. Karatzas and Shreve,
 * <i>Brownian motion and stochastic calculus</i>, 2.3): the value at the midpoint {@code m} of
 * {@code [a, b]} given the ends is the Brownian bridge's
 * <pre>
 *   W(m)  =  (W(a) + W(b)) / 2  +  sqrt((b - a) / 4) Z_m,         Z_m ~ N(0, I) keyed by m
 * </pre>
 * independent of everything outside {@code [a, b]} given {@code W(a), W(b)} (the Markov property).
 * Here:
 * <ol>
 * <li>the spine, the powers of two: {@code W(0) = 0}, {@code W(1) = Z_1}; upwards
 * {@code W(2^{j+1}) = W(2^j) + sqrt(2^j) Z_{2^{j+1}}} (independent increments); downwards the
 * bridge on {@code [0, 2^{j+1}]}, {@code W(2^j) = W(2^{j+1}) / 2 + sqrt(2^{j-1}) Z_{2^j}};
 * <li>a time {@code u} in the binade {@code [2^e, 2^{e+1})} is {@code 2^e (1 + f)} with a 52-bit
 * fraction {@code f}: bisect the binade, each midpoint by the bridge above, going left or right by
 * the next bit of {@code f}, until the left end is {@code u}. That takes at most 52 midpoints
 * (fewer when {@code f} has trailing zeros), every one of them a double, exactly.
 * </ol>
 * Each normal {@code Z_m} is the {@code d} path normals of the node named by the bits of
 * {@code m}, {@code Double.doubleToRawLongBits(m)}: the spine's points are powers of two and the
 * midpoints never are, so every node has its own name. A query costs {@code |e| + 52} normal
 * vectors at most, {@code O(log)} in the time's resolution, and keeps nothing between queries.
 *
 * <p>What this gives, by construction rather than by approximation:
 * <ul>
 * <li>the values at any finite set of doubles have exactly the joint law of Brownian motion at
 * those times (to the rounding of the arithmetic above), so {@code W(t) - W(s) ~ N(0, (t - s) I)}
 * for any {@code s < t}, and increments over disjoint intervals are independent;
 * <li>{@code [W(a) - W(b)] + [W(b) - W(c)] = W(a) - W(c)} to rounding, since an increment is a
 * difference of values and a value is one number whichever increment asks for it;
 * <li>a query answers the same bits whatever was queried before: there is no cache and no state,
 * only a fixed chain of operations per time.
 * </ul>
 * This is the role of the virtual Brownian tree of Li, Wong, Chen and Duvenaud, "Scalable
 * gradients for stochastic differential equations" (AISTATS 2020; torchsde's
 * {@code BrownianTree}, diffrax's {@code VirtualBrownianTree}) and of the Brownian interval of
 * Kidger, Foster, Li and Lyons, "Efficient and accurate gradients for neural SDEs" (NeurIPS 2021).
 * The virtual tree bisects a fixed interval down to a tolerance and answers within it
 * approximately; the Brownian interval is exact but splits its tree at the points queried and keeps
 * it in a cache to be fast. Bisecting the double's own binary expansion needs neither a tolerance
 * nor a cache, and no interval fixed in advance: the tree is the same whoever queries it.
 *
 * <p>Times must be {@code 0} or normal doubles in {@code [2^-1022, 2^1023)}; a query at
 * {@code 2^-k} walks {@code k} spine nodes down, at {@code 2^k} {@code k} up.
 */
public final class BrownianPath {
    /** Scratch doubles {@link #value} needs per call, per dimension. */
    public static final int VALUE_SCRATCH = 2;
    /** Scratch doubles {@link #increment} needs per call, per dimension. */
    public static final int INCREMENT_SCRATCH = 3;

    private static final long FRACTION_BITS = (1L << 52) - 1;

    private BrownianPath() {
    }

    /**
     * {@code W(u)} of {@code particle}'s path on {@code stream} of the stage's path normals, into
     * {@code out[offset, offset + d)}; {@code scratch[so, so + 2d)} is overwritten.
     */
    public static void value(Noise noise, long particle, int stream, double u, int d, double[] out, int offset,
            double[] scratch, int so) {
        if (!(u >= 0 && u < 0x1p1023) || (u > 0 && u < Double.MIN_NORMAL)) {
            throw new IllegalArgumentException("a Brownian path is defined at times 0 and [2^-1022, 2^1023), got " + u);
        }
        if (u == 0) {
            java.util.Arrays.fill(out, offset, offset + d, 0.0);
            return;
        }
        // out holds W at the left end a of the current interval, scratch[so, so + d) W at its right end b,
        // scratch[so + d, so + 2d) the normals of the node being placed.
        int hi = so;
        int z = so + d;
        int e = Math.getExponent(u);
        boolean dyadicPower = (Double.doubleToRawLongBits(u) & FRACTION_BITS) == 0;
        noise.pathNormals(particle, stream, Double.doubleToRawLongBits(1.0), out, offset, d);
        if (e >= 0) {
            // W(2^{j+1}) = W(2^j) + sqrt(2^j) Z, from j = 0 until out = W(2^e), scratch = W(2^{e+1}).
            for (int j = 0; j < e; j++) {
                double sd = Math.sqrt(Math.scalb(1.0, j));
                noise.pathNormals(particle, stream, Double.doubleToRawLongBits(Math.scalb(1.0, j + 1)), scratch, z, d);
                for (int i = 0; i < d; i++) {
                    out[offset + i] += sd * scratch[z + i];
                }
            }
            if (dyadicPower) {
                return;
            }
            double sd = Math.sqrt(Math.scalb(1.0, e));
            noise.pathNormals(particle, stream, Double.doubleToRawLongBits(Math.scalb(1.0, e + 1)), scratch, z, d);
            for (int i = 0; i < d; i++) {
                scratch[hi + i] = out[offset + i] + sd * scratch[z + i];
            }
        } else {
            // W(2^j) = W(2^{j+1}) / 2 + sqrt(2^{j-1}) Z, from j = -1 down until W(2^e), the right end W(2^{e+1}).
            System.arraycopy(out, offset, scratch, hi, d);
            for (int j = -1; j >= e; j--) {
                double sd = Math.sqrt(Math.scalb(1.0, j - 1));
                noise.pathNormals(particle, stream, Double.doubleToRawLongBits(Math.scalb(1.0, j)), scratch, z, d);
                if (j > e) {
                    for (int i = 0; i < d; i++) {
                        scratch[hi + i] = 0.5 * scratch[hi + i] + sd * scratch[z + i];
                    }
                } else {
                    for (int i = 0; i < d; i++) {
                        out[offset + i] = 0.5 * scratch[hi + i] + sd * scratch[z + i];
                    }
                }
            }
        }
        if (dyadicPower) {
            return;
        }
        // Bisect [a, b] = [2^e, 2^{e+1}] by the bits of u's fraction: every midpoint is a double, exactly.
        double a = Math.scalb(1.0, e);
        double b = Math.scalb(1.0, e + 1);
        while (a != u) {
            double half = 0.5 * (b - a);
            double m = a + half;
            double sd = Math.sqrt(0.5 * half);
            noise.pathNormals(particle, stream, Double.doubleToRawLongBits(m), scratch, z, d);
            if (u < m) {
                for (int i = 0; i < d; i++) {
                    scratch[hi + i] = 0.5 * (out[offset + i] + scratch[hi + i]) + sd * scratch[z + i];
                }
                b = m;
            } else {
                for (int i = 0; i < d; i++) {
                    out[offset + i] = 0.5 * (out[offset + i] + scratch[hi + i]) + sd * scratch[z + i];
                }
                a = m;
            }
        }
    }

    /**
     * The increment {@code W(t) - W(s)}, {@code s < t}, into {@code out[offset, offset + d)}: distributed
     * {@code N(0, (t - s) I)}; {@code scratch[so, so + 3d)} is overwritten.
     */
    public static void increment(Noise noise, long particle, int stream, double s, double t, int d, double[] out,
            int offset, double[] scratch, int so) {
        if (!(s < t)) {
            throw new IllegalArgumentException("a Brownian increment W(t) - W(s) needs s < t, got s = " + s + ", t = " + t);
        }
        int earlier = so + 2 * d;
        value(noise, particle, stream, s, d, scratch, earlier, scratch, so);
        value(noise, particle, stream, t, d, out, offset, scratch, so);
        for (int i = 0; i < d; i++) {
            out[offset + i] -= scratch[earlier + i];
        }
    }
}
