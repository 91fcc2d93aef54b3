package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ZigguratLanes} on words chosen so that the words off the common path fall where the vector
 * code has to split: first and last lane of a vector, several in one vector, back to back, in the tail
 * after the last whole vector, and a row whose words run out.
 */
class ZigguratLanesTest {
    private static final int STRIDE = 64;
    private static final int BLOCKS_PER_ROW = 5;
    private static final int AVAILABLE = 4 * BLOCKS_PER_ROW;

    /** The full sampler's stand-in: records where it was called and takes two words. */
    private record Call(int row, int next) {
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 8, 9, 16, 17, 19})
    void offPathWordsGoToTheSamplerAndTheRestAreTheCommonPath(int count) {
        assertTrue(PhiloxNoise.VECTORISED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        int rows = 3;
        long[] words = new long[4 * STRIDE];
        long[][] row = new long[rows][AVAILABLE];
        SplittableRandom random = new SplittableRandom(count);
        for (int r = 0; r < rows; r++) {
            for (int q = 0; q < AVAILABLE; q++) {
                long word = random.nextLong();
                row[r][q] = (word & ~0xFFL) | random.nextInt(PhiloxNoise.ZIGGURAT_FAST);  // on the common path
            }
        }
        // Row 0: off the path at words 0 and 7 (a vector's first and last lanes) and at 17 (the tail).
        // Row 1: three in a row from word 3. Row 2: off the path at word 15, whose sampler call then
        // takes words 15 and 16, and the row's words run out before its normals do when count > 18.
        int[][] off = {{0, 7, 17}, {3, 4, 5}, {15}};
        for (int r = 0; r < rows; r++) {
            for (int q : off[r]) {
                row[r][q] = (row[r][q] & ~0xFFL) | (PhiloxNoise.ZIGGURAT_FAST + q % 3);
            }
            for (int q = 0; q < AVAILABLE; q++) {
                words[(q & 3) * STRIDE + r * BLOCKS_PER_ROW + (q >>> 2)] = row[r][q];
            }
        }

        List<Call> calls = new ArrayList<>();
        double marker = -1e300;
        double[] out = new double[2 + rows * count];
        new ZigguratLanes(words, STRIDE, PhiloxNoise.ZIGGURAT_X).rows(rows, BLOCKS_PER_ROW, AVAILABLE, count, out, 2,
                (r, next, o, index) -> {
                    calls.add(new Call(r, next));
                    o[index] = marker;
                    return next + 2;
                });

        // What the scalar code does, word by word: Commons RNG's sampler on a common-path word, or
        // the stand-in taking two words.
        List<Call> expectedCalls = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int next = 0;
            for (int j = 0; j < count; j++) {
                double expected;
                if (next < AVAILABLE && (int) (row[r][next] & 0xFF) < PhiloxNoise.ZIGGURAT_FAST) {
                    long word = row[r][next++];
                    expected = ZigguratSampler.NormalizedGaussian.of(() -> word).sample();
                } else {
                    expectedCalls.add(new Call(r, next));
                    next += 2;
                    expected = marker;
                }
                assertEquals(expected, out[2 + r * count + j], "row " + r + " normal " + j);
            }
        }
        assertEquals(expectedCalls, calls);
        assertEquals(0.0, out[0]);
        assertEquals(0.0, out[1]);
    }
}
