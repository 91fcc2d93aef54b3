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

    /** Words generated ahead: up to this many blocks of four are computed in one go. */
    private static final int CAPACITY = 64;

    private long key0;
    private long key1;
    private long counter0;
    private long counter1;
    private long counter2;
    private long counter3;
    /** Generated words; {@code buffer[position .. limit)} are not used yet. */
    private final long[] buffer = new long[CAPACITY];
    private int position;
    private int limit;

    /** Moves the generator to the given key and counter, as a freshly built Commons RNG one. */
    public void reset(long k0, long k1, long c0, long c1, long c2, long c3) {
        key0 = k0;
        key1 = k1;
        counter0 = c0;
        counter1 = c1;
        counter2 = c2;
        counter3 = c3;
        position = 0;
        limit = 0;
    }

    /**
     * Moves the generator, just {@link #reset}, forward past its first {@code words} words, as if
     * they had been drawn and thrown away: the next word is word {@code words} of the sequence.
     */
    public void skip(long words) {
        if (position != 0 || limit != 0) {
            throw new IllegalStateException("skip only right after reset");
        }
        // Block b of the sequence comes from the counter incremented b + 1 times: add the
        // whole blocks to the 256-bit counter, carrying.
        long before = counter0;
        counter0 += words >>> 2;
        if (Long.compareUnsigned(counter0, before) < 0 && ++counter1 == 0 && ++counter2 == 0) {
            ++counter3;
        }
        int within = (int) (words & 3);
        if (within != 0) {
            fill(1);
            position = within;
        }
    }

    /**
     * Computes the next {@code words} words now (at most {@value #CAPACITY}, rounded up to whole
     * blocks of four) if none are pending, so that {@link #next()} then only reads them. The
     * sequence is the same as without it; what changes is speed: the blocks are computed two
     * at a time, interleaved, so the multiplier latency of one hides behind the other's work.
     */
    public void prepare(int words) {
        if (position == limit && words > 0) {
            fill(Math.min(CAPACITY, words + 3) >>> 2);
        }
    }

    @Override
    public long next() {
        if (position == limit) {
            fill(1);
        }
        return buffer[position++];
    }

    private void increment() {
        if (++counter0 == 0 && ++counter1 == 0 && ++counter2 == 0) {
            ++counter3;
        }
    }

    /**
     * Replaces the buffer by the next {@code blocks} blocks: for each, the counter is incremented
     * and ten Philox rounds run over it, the key bumped by the Weyl constants between rounds.
     * Two counters go through the rounds together while at least two blocks are left.
     */
    private void fill(int blocks) {
        long[] out = buffer;
        int w = 0;
        for (int b = 0; b + 2 <= blocks; b += 2, w += 8) {
            increment();
            long x0 = counter0;
            long x1 = counter1;
            long x2 = counter2;
            long x3 = counter3;
            increment();
            long y0 = counter0;
            long y1 = counter1;
            long y2 = counter2;
            long y3 = counter3;
            long k0 = key0;
            long k1 = key1;
            for (int round = 0; round < 10; round++) {
                long xlo0 = M0 * x0;
                long xhi0 = Math.multiplyHigh(M0, x0) + x0 + ((x0 >> 63) & M0);
                long xlo1 = M1 * x2;
                long xhi1 = Math.multiplyHigh(M1, x2) + x2 + ((x2 >> 63) & M1);
                long ylo0 = M0 * y0;
                long yhi0 = Math.multiplyHigh(M0, y0) + y0 + ((y0 >> 63) & M0);
                long ylo1 = M1 * y2;
                long yhi1 = Math.multiplyHigh(M1, y2) + y2 + ((y2 >> 63) & M1);
                x0 = xhi1 ^ x1 ^ k0;
                x1 = xlo1;
                x2 = xhi0 ^ x3 ^ k1;
                x3 = xlo0;
                y0 = yhi1 ^ y1 ^ k0;
                y1 = ylo1;
                y2 = yhi0 ^ y3 ^ k1;
                y3 = ylo0;
                k0 += W0;
                k1 += W1;
            }
            out[w] = x0;
            out[w + 1] = x1;
            out[w + 2] = x2;
            out[w + 3] = x3;
            out[w + 4] = y0;
            out[w + 5] = y1;
            out[w + 6] = y2;
            out[w + 7] = y3;
        }
        if ((blocks & 1) != 0) {
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
            out[w] = x0;
            out[w + 1] = x1;
            out[w + 2] = x2;
            out[w + 3] = x3;
            w += 4;
        }
        position = 0;
        limit = w;
    }
}
