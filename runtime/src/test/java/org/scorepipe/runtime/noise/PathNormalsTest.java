package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Noise;

/**
 * {@link PhiloxNoise#pathNormals}: the stage-level numbers on key {@code (seed, 1)}, and the
 * step-keyed numbers left as they were. The references are computed here from Commons RNG's own
 * Philox4x64 and xoshiro256++ on the counters the Javadoc documents, not copied from a run.
 */
class PathNormalsTest {

    /** Commons RNG's xoshiro256++ started at the first block of its Philox4x64 with the given key and counter. */
    static UniformRandomProvider words(long k0, long k1, long c1, long c2, long c3) {
        UniformRandomProvider philox = RandomSource.PHILOX_4X64.create(new long[] {k0, k1, 0L, c1, c2, c3});
        return RandomSource.XO_SHI_RO_256_PP.create(
                new long[] {philox.nextLong(), philox.nextLong(), philox.nextLong(), philox.nextLong()});
    }

    /**
     * Normals as the class Javadoc defines them: normal j is Commons RNG's ziggurat reading word j of
     * {@link #words}, then, if it needs more, Commons RNG's Philox4x64 on key {@code (k0, k1 + 2)} and
     * counter {@code (j << 32, c1, c2, c3)}.
     */
    static double[] reference(long k0, long k1, long c1, long c2, long c3, int count) {
        UniformRandomProvider words = words(k0, k1, c1, c2, c3);
        double[] out = new double[count];
        for (int j = 0; j < count; j++) {
            long word = words.nextLong();
            UniformRandomProvider edge = RandomSource.PHILOX_4X64.create(new long[] {k0, k1 + 2, (long) j << 32, c1, c2, c3});
            boolean[] firstRead = {false};
            UniformRandomProvider normalWords = () -> {
                if (!firstRead[0]) {
                    firstRead[0] = true;
                    return word;
                }
                return edge.nextLong();
            };
            out[j] = ZigguratSampler.NormalizedGaussian.of(normalWords).sample();
        }
        return out;
    }

    @Test
    void pathNormalsAreCommonsRngZigguratOnTheDocumentedCounter() {
        long seed = 7, particle = 12345, node = Double.doubleToRawLongBits(0.3);
        int stage = 3, stream = 2;
        double[] ours = new double[50];
        PhiloxNoise.of(seed, stage, 88).pathNormals(particle, stream, node, ours, 0, 50);
        assertArrayEquals(reference(seed, 1L, particle, node, ((long) stage << 32) | stream, 50), ours);
    }

    @Test
    void pathNormalsDoNotDependOnTheStep() {
        double[] atStep3 = new double[6];
        double[] atStep900 = new double[6];
        PhiloxNoise noise = PhiloxNoise.of(5, 2, 3);
        noise.pathNormals(4, 0, 77, atStep3, 0, 6);
        noise.position(2, 900);
        noise.pathNormals(4, 0, 77, atStep900, 0, 6);
        assertArrayEquals(atStep3, atStep900);
    }

    @Test
    void everyPathCoordinateChangesTheNumbers() {
        double[] base = path(1, 2, 3, 0, 4);
        assertFalse(Arrays.equals(base, path(2, 2, 3, 0, 4)), "seed");
        assertFalse(Arrays.equals(base, path(1, 3, 3, 0, 4)), "stage");
        assertFalse(Arrays.equals(base, path(1, 2, 4, 0, 4)), "particle");
        assertFalse(Arrays.equals(base, path(1, 2, 3, 1, 4)), "stream");
        assertFalse(Arrays.equals(base, path(1, 2, 3, 0, 5)), "node");
    }

    static double[] path(long seed, int stage, long particle, int stream, long node) {
        double[] out = new double[4];
        PhiloxNoise.of(seed, stage, 0).pathNormals(particle, stream, node, out, 0, 4);
        return out;
    }

    /**
     * Path normals are on a key of their own: with the node equal to the step (the counter words
     * then coincide), they are still other numbers than the step's, and drawing them between two
     * draws of the step-keyed numbers leaves those exactly the documented Commons RNG ones, scalar,
     * row by row and in SIMD lanes alike.
     */
    @Test
    void stepKeyedNumbersAreUnchanged() {
        long seed = 19, step = 41;
        int stage = 2, stream = 1, count = 7, rows = 5;
        PhiloxNoise noise = PhiloxNoise.of(seed, stage, step);
        double[] path = new double[count];
        noise.pathNormals(3, stream, step, path, 0, count);
        double[] normals = new double[count];
        noise.normals(3, stream, normals, 0, count);
        long counter3 = ((long) stage << 32) | stream;
        assertArrayEquals(reference(seed, 0L, 3, step, counter3, count), normals);
        assertFalse(Arrays.equals(path, normals), "path normals are on another key");

        double[] rowsOut = new double[rows * count];
        noise.pathNormals(0, stream, 5, path, 0, count);
        noise.normalRows(10, rows, stream, rowsOut, 0, count);
        for (int r = 0; r < rows; r++) {
            assertArrayEquals(reference(seed, 0L, 10 + r, step, counter3, count),
                    Arrays.copyOfRange(rowsOut, r * count, (r + 1) * count), "row " + r);
        }

        double[] uniforms = new double[count];
        noise.pathNormals(0, stream, 6, path, 0, count);
        noise.uniforms(3, stream, uniforms, 0, count);
        UniformRandomProvider rng = words(seed, 0L, 3, step, counter3);
        for (int j = 0; j < count; j++) {
            assertEquals((rng.nextLong() >>> 11) * 0x1.0p-53, uniforms[j], "uniform " + j);
        }
    }

    @Test
    void shiftedStreamsShiftPathNormalsToo() {
        PhiloxNoise noise = PhiloxNoise.of(5, 1, 0);
        double[] a = new double[4];
        double[] b = new double[4];
        noise.streams(10).streams(5).pathNormals(1, 2, 99, a, 0, 4);
        noise.pathNormals(1, 17, 99, b, 0, 4);
        assertArrayEquals(b, a);
        double[] c = new double[4];
        noise.pathNormals(1, 2, 99, c, 0, 4);
        assertFalse(Arrays.equals(a, c));
    }

    /** A noise written before path normals existed refuses them, naming what needs them. */
    @Test
    void aNoiseWithoutPathNormalsRefuses() {
        Noise old = new Noise() {
            @Override
            public void normals(long particle, int stream, double[] out, int offset, int count) {
            }

            @Override
            public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            }

            @Override
            public Noise streams(int first) {
                return this;
            }
        };
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> old.pathNormals(0, 0, 0, new double[1], 0, 1));
        assertTrue(e.getMessage().contains("noise: brownian"), e.getMessage());
    }
}
