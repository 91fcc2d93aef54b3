package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

    /** Words computed ahead in bulk (two blocks interleaved, odd counts, refills) change nothing. */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 5, 8, 9, 17, 64, 1000})
    void preparedWordsMatchCommonsRng(int words) {
        long[] state = {11, -3, -2, -1, 4, 0};  // word 0 of the counter carries into words 1 and 2 at the second block
        UniformRandomProvider reference = RandomSource.PHILOX_4X64.create(state.clone());
        Philox4x64 ours = new Philox4x64();
        ours.reset(state[0], state[1], state[2], state[3], state[4], state[5]);
        ours.prepare(words);
        for (int i = 0; i < 300; i++) {
            if (i == 150) {
                ours.prepare(words);  // mid-buffer: must not skip or repeat anything
            }
            assertEquals(reference.nextLong(), ours.nextLong(), "word " + i);
        }
    }
}
