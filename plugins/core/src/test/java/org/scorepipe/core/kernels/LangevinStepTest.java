package org.scorepipe.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The kernel against the update written out row by row with {@code Noise.normals}: the same bits,
 * over blocks of several tiles, a block that does not start at particle 0, and a patch of the
 * coordinates. The score is a fixed linear map, so the expected numbers are known exactly.
 */
class LangevinStepTest {
    static final int N = 2 * LangevinStep.TILE + 37;
    static final int D = 5;

    /** s(x)_i = -0.5 x_i + 0.1 i on coordinates [from, to). */
    static final LangevinStep.TileScore SCORE = (x, offset, rows, from, to, t, out) -> {
        int d = D;
        int w = to - from;
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < w; i++) {
                out[r * w + i] = -0.5 * x[offset + r * d + from + i] + 0.1 * (from + i) + t;
            }
        }
    };

    static Particles start() {
        Particles particles = new Particles(N + 100, D);
        PhiloxNoise.of(2, 0, 0).normals(0, 0, particles.data(), 0, (N + 100) * D);
        return particles;
    }

    /** x += h s + sqrt(2h) xi with xi from normals(particle, stream) row by row: the kernel's contract. */
    static double[] byRows(double[] x, int firstRow, int rows, int from, int width, double t, double[] h, int stream,
            PhiloxNoise noise) {
        double[] y = x.clone();
        double[] s = new double[width];
        double[] xi = new double[width];
        for (int r = firstRow; r < firstRow + rows; r++) {
            SCORE.score(y, r * D, 1, from, from + width, t, s);
            noise.normals(r, stream, xi, 0, width);
            double rowH = h[r];
            double scale = Math.sqrt(2.0 * rowH);
            for (int i = 0; i < width; i++) {
                y[r * D + from + i] += rowH * s[i] + scale * xi[i];
            }
        }
        return y;
    }

    @Test
    void aFixedStepIsTheRowByRowUpdateWithBlockNoise() {
        for (int[] patch : new int[][] {{0, D}, {1, 3}}) {
            Particles particles = start();
            double[] h = new double[N + 100];
            Arrays.fill(h, 0.03);
            double[] expected = byRows(particles.data(), 50, N, patch[0], patch[1], 0.7, h, 3, PhiloxNoise.of(4, 1, 9));
            Block block = particles.block(50, 50 + N);
            double[] work = new double[LangevinStep.workspace(N, patch[1])];
            LangevinStep.step(block, patch[0], patch[1], 0.7, SCORE, 0.03, PhiloxNoise.of(4, 1, 9), 3, work);
            assertArrayEquals(expected, particles.data(), "patch " + patch[0] + " + " + patch[1]);
        }
    }

    /** A per-row rule: h = 0.01 (1 + |xi_0|), so the rule must see the row's own noise. */
    @Test
    void aRowRuleGetsEachRowsScoreAndNoise() {
        Particles particles = start();
        PhiloxNoise noise = PhiloxNoise.of(4, 1, 9);
        double[] h = new double[N + 100];
        double[] xi = new double[D];
        for (int r = 50; r < 50 + N; r++) {
            noise.normals(r, 0, xi, 0, D);
            h[r] = 0.01 * (1 + Math.abs(xi[0]));
        }
        double[] expected = byRows(particles.data(), 50, N, 0, D, 0.2, h, 0, noise);
        double[] work = new double[LangevinStep.workspace(N, D)];
        LangevinStep.step(particles.block(50, 50 + N), 0, D, 0.2, SCORE,
                (tile, s, z, width) -> 0.01 * (1 + Math.abs(tile[z])), PhiloxNoise.of(4, 1, 9), 0, work);
        assertArrayEquals(expected, particles.data());
    }

    @Test
    void theProposalIsXPlusHsPlusTheScaledNoise() {
        double[] x = {1.0, -2.0, 0.5};
        double[] s = {0, 0.5, -1.0, 2.0};
        double[] xi = {0.25, -1.0, 3.0};
        double[] y = new double[4];
        LangevinStep.propose(x, 0, s, 1, xi, 0, y, 1, 3, 0.125);
        // sqrt(2 * 0.125) = 0.5 exactly.
        assertArrayEquals(new double[] {0, 1.0 + 0.125 * 0.5 + 0.5 * 0.25, -2.0 - 0.125 - 0.5,
                0.5 + 0.125 * 2.0 + 0.5 * 3.0}, y);
    }
}
