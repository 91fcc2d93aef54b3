package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our repositionable Philox4x64 must produce exactly Commons RNG's numbers. */
class Philox4x64Test {

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 42L, -1L, Long.MIN_VALUE, 0x123456789ABCDEFL})
    void matchesCommonsRngForTheSameKeyAndCounter(long salt) {
        long[] state = {salt, ~salt, salt * 31, salt ^ 0x5555, -salt, salt >>> 3};
        // One of the words set to -1 exercises the carry from counter word 0 into word 1.
        if (salt == -1L) {
            state[2] = -2L;
        }
        UniformRandomProvider reference = RandomSource.PHILOX_4X64.create(state.clone());
        Philox4x64 ours = new Philox4x64();
        // A dirty generator must forget everything on reset.
        ours.reset(7, 7, 7, 7, 7, 7);
        ours.nextLong();
        ours.reset(state[0], state[1], state[2], state[3], state[4], state[5]);
        for (int i = 0; i < 1000; i++) {
            assertEquals(reference.nextLong(), ours.nextLong(), "word " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {3L, 99L})
    void doublesMatchCommonsRngToo(long seed) {
        UniformRandomProvider reference = RandomSource.PHILOX_4X64.create(new long[] {seed, 0, 0, 5, 6, 7});
        Philox4x64 ours = new Philox4x64();
        ours.reset(seed, 0, 0, 5, 6, 7);
        for (int i = 0; i < 100; i++) {
            assertEquals(reference.nextDouble(), ours.nextDouble());
        }
    }

    /** The SIMD lanes compute each lane's block exactly as the scalar generator does. */
    @ParameterizedTest
    @ValueSource(longs = {0L, 5L, -1L, 0x0123456789ABCDEFL})
    void simdLanesMatchTheScalarGenerator(long seed) {
        assertTrue(PhiloxNoise.VECTORISED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        int lanes = 37;  // not a whole number of vectors: the tail lanes are computed and ignored
        int capacity = (lanes + PhiloxLanes.width() - 1) / PhiloxLanes.width() * PhiloxLanes.width();
        long[] draws = new long[capacity];
        long[] particles = new long[capacity];
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int f = 0; f < lanes; f++) {
            draws[f] = random.nextLong();
            particles[f] = random.nextLong();
        }
        long[] out = new long[4 * capacity];
        PhiloxLanes.blocks(seed, ~seed, draws, particles, 77L, -5L, lanes, out, capacity);
        Philox4x64 scalar = new Philox4x64();
        for (int f = 0; f < lanes; f++) {
            // The generator increments its counter before the first block: start one below.
            scalar.reset(seed, ~seed, draws[f] - 1, particles[f], 77L, -5L);
            if (draws[f] == 0) {  // draws[f] - 1 wrapped: the increment carries into word 1
                scalar.reset(seed, ~seed, -1L, particles[f] - 1, 77L, -5L);
            }
            for (int w = 0; w < 4; w++) {
                assertEquals(scalar.nextLong(), out[w * capacity + f], "lane " + f + " word " + w);
            }
        }
    }
}
