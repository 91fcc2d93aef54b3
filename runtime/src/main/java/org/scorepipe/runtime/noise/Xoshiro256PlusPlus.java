package org.scorepipe.runtime.noise;

import org.apache.commons.rng.core.source64.LongProvider;

/**
 * xoshiro256++ (Blackman and Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
 * 47(4), 2021) whose state can be set without allocating:
 * <pre>
 *   out = rotl(s0 + s3, 23) + s0
 *   t = s1 &lt;&lt; 17;  s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3;  s2 ^= t;  s3 = rotl(s3, 45)
 * </pre>
 * Commons RNG's {@code XoShiRo256PlusPlus} is the same generator, but its state is set only by
 * constructing it; the noise sets a new state for every particle at every step.
 * {@code Xoshiro256PlusPlusTest} checks the words against the library's for the same state.
 *
 * <p>Like {@link Philox4x64} it extends {@link LongProvider} only for the conversions from words;
 * the noise calls nothing but {@link #nextLong()}.
 */
public final class Xoshiro256PlusPlus extends LongProvider {
    /**
     * The state {@link #reset} sets for an all-zero one, the generator's fixed point (it would give
     * zeros forever): the first words of the fractional parts of the square roots of 2, 3, 5 and 7
     * (SHA-512's initial hash values).
     */
    static final long[] ZERO_STATE_STANDIN = {
        0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL, 0x3c6ef372fe94f82bL, 0xa54ff53a5f1d36f1L};

    private long s0;
    private long s1;
    private long s2;
    private long s3;

    /** Sets the state, or {@link #ZERO_STATE_STANDIN} for an all-zero one. */
    public void reset(long a, long b, long c, long d) {
        if ((a | b | c | d) == 0) {
            a = ZERO_STATE_STANDIN[0];
            b = ZERO_STATE_STANDIN[1];
            c = ZERO_STATE_STANDIN[2];
            d = ZERO_STATE_STANDIN[3];
        }
        s0 = a;
        s1 = b;
        s2 = c;
        s3 = d;
    }

    @Override
    public long next() {
        long out = Long.rotateLeft(s0 + s3, 23) + s0;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return out;
    }

    /** Throws away the next {@code words} words. */
    public void skip(int words) {
        for (int i = 0; i < words; i++) {
            next();
        }
    }
}
