package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Noise;

class PhiloxNoiseTest {

    /** The step-keyed words of Commons RNG's generators for this counter ({@link PathNormalsTest#words}). */
    private static UniformRandomProvider reference(long seed, long particle, long step, int stage, int stream) {
        return PathNormalsTest.words(seed, PhiloxNoise.STEP_KEY, particle, step, ((long) stage << 32) | stream);
    }

    /**
     * 3000 normals: about 35 of their words are off the ziggurat's common path (3 in 256), so the
     * edge's own Philox stream is exercised too (none would be with probability e^-35).
     */
    @Test
    void normalsAreCommonsRngZigguratOnTheDocumentedGenerators() {
        long seed = 7, particle = 12345;
        int stage = 3, stream = 2;
        long step = 88;
        int count = 3000;
        double[] ours = new double[count];
        PhiloxNoise.of(seed, stage, step).normals(particle, stream, ours, 0, count);
        long counter3 = ((long) stage << 32) | stream;
        assertArrayEquals(PathNormalsTest.reference(seed, PhiloxNoise.STEP_KEY, particle, step, counter3, count), ours);

        UniformRandomProvider words = reference(seed, particle, step, stage, stream);
        long edges = java.util.stream.IntStream.range(0, count).filter(j -> (words.nextLong() & 0xFF) >= PhiloxNoise.ZIGGURAT_FAST).count();
        assertTrue(edges > 10, edges + " words off the common path");
    }

    @Test
    void uniformsAreTheTop53BitsOfTheDocumentedWords() {
        double[] ours = new double[20];
        PhiloxNoise.of(3, 1, 9).uniforms(-2L, 4, ours, 0, 20);
        UniformRandomProvider reference = reference(3, -2L, 9, 1, 4);
        for (int j = 0; j < ours.length; j++) {
            // Commons RNG's nextDouble() is the same conversion: (word >>> 11) * 2^-53.
            assertEquals(reference.nextDouble(), ours[j], "draw " + j);
        }
    }

    @Test
    void drawsArePureFunctionsOfTheirCoordinates() {
        PhiloxNoise noise = new PhiloxNoise(11);
        double[] first = new double[8];
        noise.position(1, 5);
        noise.normals(9, 0, first, 0, 8);
        // Draw lots of unrelated numbers in between, then come back.
        double[] junk = new double[100];
        noise.position(2, 6);
        noise.normals(3, 1, junk, 0, 100);
        noise.uniforms(4, 0, junk, 0, 100);
        double[] again = new double[8];
        noise.position(1, 5);
        noise.normals(9, 0, again, 0, 8);
        assertArrayEquals(first, again);

        // A prefix of a longer call is the shorter call.
        double[] longer = new double[20];
        noise.normals(9, 0, longer, 0, 20);
        assertArrayEquals(first, Arrays.copyOf(longer, 8));
    }

    @Test
    void everyCoordinateChangesTheNumbers() {
        double[] base = draw(1, 2, 3, 4, 0);
        assertFalse(Arrays.equals(base, draw(2, 2, 3, 4, 0)), "seed");
        assertFalse(Arrays.equals(base, draw(1, 3, 3, 4, 0)), "stage");
        assertFalse(Arrays.equals(base, draw(1, 2, 4, 4, 0)), "step");
        assertFalse(Arrays.equals(base, draw(1, 2, 3, 5, 0)), "particle");
        assertFalse(Arrays.equals(base, draw(1, 2, 3, 4, 1)), "stream");
    }

    @Test
    void shiftedStreamsAddUp() {
        PhiloxNoise noise = PhiloxNoise.of(5, 0, 0);
        Noise shifted = noise.streams(10).streams(5);
        double[] a = new double[4];
        double[] b = new double[4];
        shifted.normals(1, 2, a, 0, 4);
        noise.normals(1, 17, b, 0, 4);
        assertArrayEquals(b, a);
    }

    @Test
    void uniformsLieInTheUnitIntervalWithTheRightMean() {
        double[] u = new double[100_000];
        PhiloxNoise.of(1, 0, 0).uniforms(0, 0, u, 0, u.length);
        double mean = Arrays.stream(u).average().orElseThrow();
        // sd of the mean of 1e5 uniforms is sqrt(1/12/1e5) = 9.1e-4; 5 sd = 4.6e-3.
        assertEquals(0.5, mean, 4.6e-3);
        assertEquals(0, Arrays.stream(u).filter(x -> x < 0 || x >= 1).count());
    }

    /**
     * A block's rows drawn together (SIMD Philox and xoshiro lanes, the ziggurat's common path
     * inline) are the row-by-row numbers, for row counts that leave partial vectors and batches that
     * split, and row lengths from one normal to more than a batch's word budget.
     * With 300 rows of 64 normals, 19 200 words pass the ziggurat; each leaves its common path with
     * probability 3/256, so the fallback to the scalar sampler runs about 225 times here (never
     * would have probability e^-225).
     */
    @Test
    void normalRowsAreTheRowByRowNormals() {
        assertTrue(PhiloxNoise.VECTORISED, "the tests run with --add-modules jdk.incubator.vector (see the parent pom)");
        PhiloxNoise noise = PhiloxNoise.of(19, 4, 1234);
        Noise streams = noise.streams(3);
        for (int count : new int[] {1, 2, 3, 4, 5, 16, 17, 64, 784, 2047, 4200}) {
            for (int rows : new int[] {1, 7, 300, 513}) {
                long first = 1L << 40;
                double[] together = new double[rows * count + 5];
                double[] alone = new double[rows * count + 5];
                streams.normalRows(first, rows, 2, together, 5, count);
                for (int r = 0; r < rows; r++) {
                    noise.normals(first + r, 5, alone, 5 + r * count, count);
                }
                assertArrayEquals(alone, together, "rows " + rows + " of " + count);
            }
        }
    }

    private static double[] draw(long seed, int stage, long step, long particle, int stream) {
        double[] out = new double[6];
        PhiloxNoise.of(seed, stage, step).normals(particle, stream, out, 0, 6);
        return out;
    }
}
