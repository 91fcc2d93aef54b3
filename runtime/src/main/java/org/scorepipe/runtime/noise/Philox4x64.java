package org.scorepipe.runtime.noise;

import org.apache.commons.rng.core.source64.LongProvider;

/**
 * Philox4x64-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) that
 * can be moved to any key and counter without allocating.
 *
 * <p>Commons RNG 1.7's {@code Philox4x64} produces the same numbers, but its counter can only be
 * set by constructing a new instance; the noise of every particle at every step starts at a
 * counter of its own, so the hot loop needs this repositionable twin. It follows Commons RNG
 * exactly: after {@link #reset} with key {@code (k0, k1)} and counter {@code (c0, c1, c2, c3)},
 * {@link #nextLong()} returns what {@code new Philox4x64(new long[] {k0, k1, c0, c1, c2, c3})}
 * returns, including its convention that the first block of output is computed from the
 * counter incremented once. {@code Philox4x64Test} checks this against the library.
 *
 * <p>It extends {@link LongProvider} only to inherit the conversions from 64-bit words to
 * other types; {@code nextBoolean} and {@code nextInt} cache half-used words in the base class,
 * so the noise code calls nothing but {@link #nextLong()} and {@link #nextDouble()}.
 */
public final class Philox4x64 extends LongProvider {
    private static final long M0 = 0xD2E7470EE14C6C93L;
    private static final long M1 = 0xCA5A826395121157L;
    private static final long W0 = 0x9E3779B97F4A7C15L;
    private static final long W1 = 0xBB67AE8584CAA73BL;
    // Unsigned high product: multiplyHigh(a, b) + (a < 0 ? b : 0) + (b < 0 ? a : 0); M0 and M1
    // are negative, so the first correction is always the other factor.

    private long key0;
    private long key1;
    private long counter0;
    private long counter1;
    private long counter2;
    private long counter3;
    /** The current block; {@code block[position ..]} are not used yet. */
    private final long[] block = new long[4];
    private int position = 4;

    /** Moves the generator to the given key and counter, as a freshly built Commons RNG one. */
    public void reset(long k0, long k1, long c0, long c1, long c2, long c3) {
        key0 = k0;
        key1 = k1;
        counter0 = c0;
        counter1 = c1;
        counter2 = c2;
        counter3 = c3;
        position = 4;
    }

    @Override
    public long next() {
        if (position == 4) {
            fill();
            position = 0;
        }
        return block[position++];
    }

    private void increment() {
        if (++counter0 == 0 && ++counter1 == 0 && ++counter2 == 0) {
            ++counter3;
        }
    }

    /** The next block: the counter is incremented and ten rounds run over it, the key bumped by the Weyl constants between rounds. */
    private void fill() {
        increment();
        long x0 = counter0;
        long x1 = counter1;
        long x2 = counter2;
        long x3 = counter3;
        long k0 = key0;
        long k1 = key1;
        for (int round = 0; round < 10; round++) {
            long lo0 = M0 * x0;
            long hi0 = Math.multiplyHigh(M0, x0) + x0 + ((x0 >> 63) & M0);
            long lo1 = M1 * x2;
            long hi1 = Math.multiplyHigh(M1, x2) + x2 + ((x2 >> 63) & M1);
            x0 = hi1 ^ x1 ^ k0;
            x1 = lo1;
            x2 = hi0 ^ x3 ^ k1;
            x3 = lo0;
            k0 += W0;
            k1 += W1;
        }
        block[0] = x0;
        block[1] = x1;
        block[2] = x2;
        block[3] = x3;
    }
}
