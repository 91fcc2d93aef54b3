package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.continuous.UniformRealDistribution;
import org.hipparchus.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/**
 * The v3 stream as a sampler: its normals and uniforms against their laws, and no correlation
 * between the numbers of neighbouring particles, steps and draws. One fixed seed, so each test is
 * one deterministic draw; the moment and correlation checks allow 5 standard errors (a correct
 * stream fails one with probability 6e-7) and the Kolmogorov-Smirnov tests are at the 0.1% level.
 * Debian's dieharder reads the raw words in {@code benchmarks/noise-battery.sh}.
 */
class NoiseStatisticsTest {
    private static final KolmogorovSmirnovTest KS = new KolmogorovSmirnovTest();
    private static final int ROWS = 1 << 16;
    private static final int D = 64;

    /** 2^22 normals, as a run draws them: 65 536 particles' rows of 64 at one step, in SIMD lanes. */
    private static double[] normals(long seed, long step) {
        double[] z = new double[ROWS * D];
        PhiloxNoise.of(seed, 0, step).normalRows(0, ROWS, 0, z, 0, D);
        return z;
    }

    @Test
    void normalsHaveTheStandardNormalsMomentsAndTails() {
        double[] z = normals(7, 0);
        double n = z.length;
        double m1 = 0, m2 = 0, m3 = 0, m4 = 0;
        long beyond3 = 0, beyond4 = 0;
        for (double v : z) {
            double v2 = v * v;
            m1 += v;
            m2 += v2;
            m3 += v2 * v;
            m4 += v2 * v2;
            beyond3 += Math.abs(v) > 3 ? 1 : 0;
            beyond4 += Math.abs(v) > 4 ? 1 : 0;
        }
        // Standard errors of the sample moments of N(0, 1): sqrt(Var(Z^k) / n), Var = 1, 2, 15, 96.
        assertEquals(0, m1 / n, 5 * Math.sqrt(1 / n), "mean");
        assertEquals(1, m2 / n, 5 * Math.sqrt(2 / n), "second moment");
        assertEquals(0, m3 / n, 5 * Math.sqrt(15 / n), "third moment");
        assertEquals(3, m4 / n, 5 * Math.sqrt(96 / n), "fourth moment");
        // The tails, where the ziggurat's edge path (a word's own Philox stream) makes every value.
        NormalDistribution normal = new NormalDistribution();
        for (double[] tail : new double[][] {{3, beyond3}, {4, beyond4}}) {
            double p = 2 * normal.cumulativeProbability(-tail[0]);
            assertEquals(p * n, tail[1], 5 * Math.sqrt(n * p * (1 - p)), "|z| > " + tail[0]);
        }
    }

    @Test
    void normalsPassKolmogorovSmirnovOnEveryDrawIndexAndTheWhole() {
        double[] z = normals(11, 3);
        NormalDistribution normal = new NormalDistribution();
        double[] sample = new double[1 << 20];
        System.arraycopy(z, 0, sample, 0, sample.length);
        assertTrue(KS.kolmogorovSmirnovTest(normal, sample) > 1e-3, "the first 2^20");
        // Draw 0 and the last draw of every row: a row's generator starts at a Philox block, and
        // its first word is where a weak keying would show.
        for (int j : new int[] {0, D - 1}) {
            double[] column = new double[ROWS];
            for (int r = 0; r < ROWS; r++) {
                column[r] = z[r * D + j];
            }
            assertTrue(KS.kolmogorovSmirnovTest(normal, column) > 1e-3, "draw " + j);
        }
    }

    @Test
    void uniformsPassKolmogorovSmirnov() {
        double[] u = new double[1 << 20];
        PhiloxNoise noise = PhiloxNoise.of(5, 2, 9);
        for (int r = 0; r < u.length / 16; r++) {
            noise.uniforms(r, 1, u, r * 16, 16);
        }
        assertTrue(KS.kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), u) > 1e-3);
    }

    /** Neighbouring particles (Philox counters one apart), consecutive steps, consecutive draws. */
    @Test
    void neighbouringParticlesStepsAndDrawsAreUncorrelated() {
        double[] a = normals(13, 0);
        double[] b = normals(13, 1);
        double particles = 0, steps = 0, draws = 0;
        long pairsParticles = 0, pairsDraws = 0;
        for (int r = 0; r < ROWS; r++) {
            for (int j = 0; j < D; j++) {
                int i = r * D + j;
                steps += a[i] * b[i];
                if (r + 1 < ROWS) {
                    particles += a[i] * a[i + D];
                    pairsParticles++;
                }
                if (j + 1 < D) {
                    draws += a[i] * a[i + 1];
                    pairsDraws++;
                }
            }
        }
        // For independent N(0, 1) pairs the product has mean 0 and variance 1.
        assertEquals(0, particles / pairsParticles, 5 / Math.sqrt(pairsParticles), "particle i and i + 1");
        assertEquals(0, steps / a.length, 5 / Math.sqrt(a.length), "step k and k + 1");
        assertEquals(0, draws / pairsDraws, 5 / Math.sqrt(pairsDraws), "draw j and j + 1");
    }
}
