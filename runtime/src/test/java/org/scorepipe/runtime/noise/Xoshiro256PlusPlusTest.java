package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Our settable xoshiro256++ and its SIMD lanes must produce exactly Commons RNG's words. */
class Xoshiro256PlusPlusTest {

    @ParameterizedTest
    @ValueSource(longs = {1L, 42L, -1L, Long.MIN_VALUE})
    void matchesCommonsRngForTheSameState(long salt) {
        long[] state = {salt, ~salt, salt * 31, salt ^ 0x5555};
        UniformRandomProvider reference = RandomSource.XO_SHI_RO_256_PP.create(state.clone());
        Xoshiro256PlusPlus ours = new Xoshiro256PlusPlus();
        ours.reset(7, 7, 7, 7);
        ours.nextLong();  // a used generator must forget everything on reset
        ours.reset(state[0], state[1], state[2], state[3]);
        for (int i = 0; i < 1000; i++) {
            assertEquals(reference.nextLong(), ours.nextLong(), "word " + i);
        }
    }

    /** The reference C code's first word for the state {1, 2, 3, 4}: rotl(1 + 4, 23) + 1. */
    @Test
    void firstWordIsTheReferenceFormula() {
        Xoshiro256PlusPlus ours = new Xoshiro256PlusPlus();
        ours.reset(1, 2, 3, 4);
        assertEquals((5L << 23) + 1, ours.nextLong());
    }

    @Test
    void anAllZeroStateBecomesTheStandIn() {
        long[] standIn = Xoshiro256PlusPlus.ZERO_STATE_STANDIN;
        UniformRandomProvider reference = RandomSource.XO_SHI_RO_256_PP.create(standIn.clone());
        Xoshiro256PlusPlus ours = new Xoshiro256PlusPlus();
        ours.reset(0, 0, 0, 0);
        for (int i = 0; i < 10; i++) {
            assertEquals(reference.nextLong(), ours.nextLong(), "word " + i);
        }
    }

    @Test
    void skipLandsOnTheSameWordAsDrawing() {
        Xoshiro256PlusPlus drawn = new Xoshiro256PlusPlus();
        Xoshiro256PlusPlus skipped = new Xoshiro256PlusPlus();
        drawn.reset(5, 6, 7, 8);
        skipped.reset(5, 6, 7, 8);
        for (int i = 0; i < 67; i++) {
            drawn.nextLong();
        }
        skipped.skip(67);
        assertEquals(drawn.nextLong(), skipped.nextLong());
    }

    /**
     * Every lane is the scalar generator on its own state (an all-zero one too, and a partial last
     * vector), through the ziggurat's common path, with the words off it listed.
     */
    @Test
    void normalLanesAreTheScalarGeneratorThroughTheCommonPath() {
        assertTrue(PhiloxNoise.VECTORISED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        int rows = 21;
        int stride = 40;  // room for whole vectors past the last row
        int count = 300;  // 6300 words: about 74 off the common path
        int outStride = 24;
        long[] state = new long[4 * stride];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < state.length; i++) {
            state[i] = random.nextLong();
        }
        for (int w = 0; w < 4; w++) {
            state[w * stride + 5] = 0;  // row 5: the fixed point
        }
        double[] out = new double[count * outStride];
        NormalLanes lanes = new NormalLanes(PhiloxNoise.ZIGGURAT_X);
        int off = lanes.normals(state, stride, rows, count, out, outStride);
        java.util.Map<Integer, Long> listed = new java.util.HashMap<>();
        for (int e = 0; e < off; e++) {
            listed.put(lanes.offIndex[e], lanes.offWord[e]);
        }
        assertEquals(off, listed.size(), "each word listed once");
        Xoshiro256PlusPlus scalar = new Xoshiro256PlusPlus();
        int expectedOff = 0;
        for (int r = 0; r < rows; r++) {
            scalar.reset(state[r], state[stride + r], state[2 * stride + r], state[3 * stride + r]);
            for (int q = 0; q < count; q++) {
                long word = scalar.nextLong();
                int layer = (int) word & 0xFF;
                int at = q * outStride + r;
                if (layer < PhiloxNoise.ZIGGURAT_FAST) {
                    long bits = word;
                    double common = ZigguratSampler.NormalizedGaussian.of(() -> bits).sample();
                    assertEquals(common, out[at], "row " + r + " normal " + q);
                } else {
                    expectedOff++;
                    assertEquals(Long.valueOf(word), listed.get(at), "row " + r + " word " + q + " listed");
                }
            }
        }
        assertEquals(expectedOff, off);
        assertTrue(off > 30, off + " words off the common path");
    }
}
