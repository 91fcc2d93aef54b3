package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Noise;

class PhiloxNoiseTest {

    @Test
    void normalsAreCommonsRngZigguratOnTheDocumentedCounter() {
        long seed = 7, particle = 12345;
        int stage = 3, stream = 2;
        long step = 88;
        double[] ours = new double[50];
        PhiloxNoise.of(seed, stage, step).normals(particle, stream, ours, 0, 50);

        UniformRandomProvider rng = RandomSource.PHILOX_4X64.create(
                new long[] {seed, 0L, 0L, particle, step, ((long) stage << 32) | stream});
        ZigguratSampler.NormalizedGaussian reference = ZigguratSampler.NormalizedGaussian.of(rng);
        for (int j = 0; j < ours.length; j++) {
            assertEquals(reference.sample(), ours[j], "draw " + j);
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

    private static double[] draw(long seed, int stage, long step, long particle, int stream) {
        double[] out = new double[6];
        PhiloxNoise.of(seed, stage, step).normals(particle, stream, out, 0, 6);
        return out;
    }
}
