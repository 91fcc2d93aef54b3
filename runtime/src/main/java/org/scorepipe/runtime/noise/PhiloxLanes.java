package org.scorepipe.runtime.noise;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Philox4x64-10 of many counters at once, one counter per SIMD lane, through the Vector API
 * ({@code jdk.incubator.vector}); {@link Philox4x64} is its scalar twin and the reference.
 *
 * <p>The lanes differ in counter words 0 and 1 (the draw block and the particle) and share the key
 * and words 2 and 3. A round is the scalar one, lane by lane:
 * <pre>
 *   (x0, x1, x2, x3)  &lt;-  (hi(M1 x2) ^ x1 ^ k0,  lo(M1 x2),  hi(M0 x0) ^ x3 ^ k1,  lo(M0 x0))
 * </pre>
 * SIMD units have no 64 x 64 -&gt; 128-bit multiply, so each product {@code a m} is assembled from
 * four 32 x 32 -&gt; 64-bit ones of the halves {@code a = a1 2^32 + a0}, {@code m = m1 2^32 + m0},
 * none of whose sums can overflow a 64-bit lane:
 * <pre>
 *   t = a1 m0 + (a0 m0 &gt;&gt;&gt; 32),   u = lo32(t) + a0 m1
 *   hi = a1 m1 + (t &gt;&gt;&gt; 32) + (u &gt;&gt;&gt; 32),   lo = (u &lt;&lt; 32) | lo32(a0 m0)
 * </pre>
 * Integer arithmetic is exact, so the words are those of the scalar generator bit for bit
 * ({@code PhiloxNoiseTest}). Only loaded when the module is present ({@link PhiloxNoise#VECTORISED}).
 */
final class PhiloxLanes {
    private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
    private static final long LOW = 0xFFFFFFFFL;
    private static final long M0 = 0xD2E7470EE14C6C93L;
    private static final long M1 = 0xCA5A826395121157L;
    private static final long W0 = 0x9E3779B97F4A7C15L;
    private static final long W1 = 0xBB67AE8584CAA73BL;

    private PhiloxLanes() {
    }

    /** Lanes per vector: arrays passed to {@link #blocks} hold a multiple of this many. */
    static int width() {
        return SPECIES.length();
    }

    /**
     * For each lane {@code f < lanes} (rounded up to whole vectors, which the arrays must hold),
     * the Philox4x64-10 block of key {@code (k0, k1)} and counter
     * {@code (c0[f], c1[f], c2, c3)} into {@code out[w * stride + f]}, {@code w = 0 .. 3}.
     */
    static void blocks(long k0, long k1, long[] c0, long[] c1, long c2, long c3, int lanes, long[] out, int stride) {
        int step = SPECIES.length();
        for (int f = 0; f < lanes; f += step) {
            LongVector x0 = LongVector.fromArray(SPECIES, c0, f);
            LongVector x1 = LongVector.fromArray(SPECIES, c1, f);
            LongVector x2 = LongVector.broadcast(SPECIES, c2);
            LongVector x3 = LongVector.broadcast(SPECIES, c3);
            long key0 = k0;
            long key1 = k1;
            for (int round = 0; round < 10; round++) {
                LongVector a0 = x0.and(LOW);
                LongVector a1 = x0.lanewise(VectorOperators.LSHR, 32);
                LongVector p00 = a0.mul(M0 & LOW);
                LongVector t = a1.mul(M0 & LOW).add(p00.lanewise(VectorOperators.LSHR, 32));
                LongVector u = t.and(LOW).add(a0.mul(M0 >>> 32));
                LongVector hi0 = a1.mul(M0 >>> 32).add(t.lanewise(VectorOperators.LSHR, 32))
                        .add(u.lanewise(VectorOperators.LSHR, 32));
                LongVector lo0 = u.lanewise(VectorOperators.LSHL, 32).or(p00.and(LOW));
                LongVector b0 = x2.and(LOW);
                LongVector b1 = x2.lanewise(VectorOperators.LSHR, 32);
                LongVector q00 = b0.mul(M1 & LOW);
                LongVector v = b1.mul(M1 & LOW).add(q00.lanewise(VectorOperators.LSHR, 32));
                LongVector w = v.and(LOW).add(b0.mul(M1 >>> 32));
                LongVector hi1 = b1.mul(M1 >>> 32).add(v.lanewise(VectorOperators.LSHR, 32))
                        .add(w.lanewise(VectorOperators.LSHR, 32));
                LongVector lo1 = w.lanewise(VectorOperators.LSHL, 32).or(q00.and(LOW));
                x0 = hi1.lanewise(VectorOperators.XOR, x1).lanewise(VectorOperators.XOR, key0);
                x1 = lo1;
                x2 = hi0.lanewise(VectorOperators.XOR, x3).lanewise(VectorOperators.XOR, key1);
                x3 = lo0;
                key0 += W0;
                key1 += W1;
            }
            x0.intoArray(out, f);
            x1.intoArray(out, stride + f);
            x2.intoArray(out, 2 * stride + f);
            x3.intoArray(out, 3 * stride + f);
        }
    }
}
