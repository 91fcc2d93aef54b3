package org.scorepipe.core.grids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.paths.VpPath;

class NoiseLevelGridsTest {
    static final NoisingPath VE = new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50.0));
    static final NoisingPath VP = new VpPath(new VpPath.Params(0.1, 20.0));
    static final NoisingPath OU = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());

    @Test
    void exponentialDecayGridIsUniformThenGeometric() {
        for (double horizon : new double[] {1.5, 3.0, 10.0}) {
            for (double delta : new double[] {1e-3, 0.1}) {
                for (int steps : new int[] {2, 20, 200}) {
                    double[] t = new ExponentialDecayGrid(new ExponentialDecayGrid.Params(horizon, delta, steps)).times();
                    int half = steps / 2;
                    assertEquals(steps + 1, t.length);
                    assertEquals(horizon, t[0], 0.0);
                    assertEquals(1.0, t[half], 0.0);
                    assertEquals(delta, t[steps], 0.0);
                    for (int k = 1; k <= half; k++) {
                        assertEquals((horizon - 1) / half, t[k - 1] - t[k], 1e-14 * horizon, "uniform interval " + k);
                    }
                    double ratio = Math.pow(delta, 1.0 / half);
                    for (int k = half + 1; k <= steps; k++) {
                        assertEquals(ratio, t[k] / t[k - 1], 1e-13, "geometric interval " + k);
                    }
                }
            }
        }
    }

    @Test
    void exponentialDecayParametersAreValidated() {
        assertEquals("steps must be even and >= 2 (half uniform, half exponential), got 7", assertThrows(
                IllegalArgumentException.class, () -> new ExponentialDecayGrid.Params(3, 1e-3, 7)).getMessage());
        assertEquals("horizon must be a finite number > 1, got 1.0", assertThrows(
                IllegalArgumentException.class, () -> new ExponentialDecayGrid.Params(1, 1e-3, 10)).getMessage());
        assertEquals("delta must be in (0, 1), got 1.0", assertThrows(
                IllegalArgumentException.class, () -> new ExponentialDecayGrid.Params(3, 1, 10)).getMessage());
    }

    /** On the VE path the time of sigma is known in closed form: t = ln(sigma / sigmaMin) / ln(sigmaMax / sigmaMin). */
    @Test
    void geometricLevelsOnTheVarianceExplodingPath() {
        GeometricGrid grid = new GeometricGrid(new GeometricGrid.Params(20.0, 0.01, 10), VE);
        double[] sigmas = grid.noiseLevels();
        double[] times = grid.times();
        assertEquals(10, times.length);
        assertEquals(20.0, sigmas[0], 0.0);
        assertEquals(0.01, sigmas[9], 0.0);
        double ratio = Math.pow(0.01 / 20.0, 1.0 / 9);
        for (int l = 0; l < 10; l++) {
            if (l > 0) {
                assertEquals(ratio, sigmas[l] / sigmas[l - 1], 1e-14, "ratio at " + l);
                assertTrue(times[l] < times[l - 1]);
            }
            assertEquals(Math.log(sigmas[l] / 0.01) / Math.log(5000), times[l], 1e-15, "time of level " + l);
        }
    }

    /** On VP and OU paths the times are where the noise scale reaches each level, to the bisection's last bit. */
    @Test
    void geometricLevelsOnGaussianPaths() {
        for (NoisingPath path : new NoisingPath[] {VP, OU}) {
            GeometricGrid grid = new GeometricGrid(new GeometricGrid.Params(0.999, 0.001, 25), path);
            double[] sigmas = grid.noiseLevels();
            double[] times = grid.times();
            for (int l = 0; l < sigmas.length; l++) {
                assertEquals(sigmas[l], path.noiseScale(times[l]), 1e-14 * sigmas[l] + 1e-15, "level " + l);
            }
        }
        // OU: sigma_t^2 = 1 - e^{-2t}, so t = -ln(1 - sigma^2) / 2.
        double[] times = new GeometricGrid(new GeometricGrid.Params(0.9, 0.1, 2), OU).times();
        assertEquals(-Math.log(1 - 0.81) / 2, times[0], 1e-14);
        assertEquals(-Math.log(1 - 0.01) / 2, times[1], 1e-15);
    }

    /** Karras: sigma^{1/rho} is uniformly spaced from sigmaMax^{1/rho} to sigmaMin^{1/rho}, both ends exact. */
    @Test
    void karrasLevelsAreUniformInTheRhoRoot() {
        NoisingPath ve = new VarianceExplodingPath(new VarianceExplodingPath.Params(0.001, 100.0));
        KarrasGrid grid = new KarrasGrid(new KarrasGrid.Params(50.0, 0.002, 18, 7.0), ve);
        double[] sigmas = grid.noiseLevels();
        assertEquals(19, sigmas.length);
        assertEquals(50.0, sigmas[0], 0.0);
        assertEquals(0.002, sigmas[18], 0.0);
        double spacing = (Math.pow(0.002, 1 / 7.0) - Math.pow(50.0, 1 / 7.0)) / 18;
        for (int i = 1; i < 19; i++) {
            assertEquals(spacing, Math.pow(sigmas[i], 1 / 7.0) - Math.pow(sigmas[i - 1], 1 / 7.0), 1e-14, "interval " + i);
        }
        // Karras et al.'s own formula at i = 9 of N = 19 levels.
        double expected = Math.pow(Math.pow(50.0, 1 / 7.0) + 9.0 / 18 * (Math.pow(0.002, 1 / 7.0) - Math.pow(50.0, 1 / 7.0)), 7);
        assertEquals(expected, sigmas[9], 1e-13 * expected);
        double[] times = grid.times();
        for (int i = 0; i < 19; i++) {
            assertEquals(sigmas[i], ve.noiseScale(times[i]), 1e-13 * sigmas[i], "level " + i);
        }
    }

    @Test
    void levelsOutsideThePathAreClearErrors() {
        IllegalArgumentException above = assertThrows(IllegalArgumentException.class,
                () -> new GeometricGrid(new GeometricGrid.Params(2.0, 0.01, 5), VP));
        assertTrue(above.getMessage().startsWith("noise level 2.0 is above every noise scale the path reaches"),
                above.getMessage());
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> new GeometricGrid(new GeometricGrid.Params(20.0, 0.001, 5), VE));
        assertEquals("noise level 0.001 is below the path's noise scale at t = 0, sigma(0) = 0.01; give noise levels >= 0.01",
                below.getMessage());
        assertEquals("first must be a finite number > last = 1.0, got 0.5", assertThrows(IllegalArgumentException.class,
                () -> new GeometricGrid.Params(0.5, 1.0, 5)).getMessage());
        assertEquals("levels must be >= 2, got 1", assertThrows(IllegalArgumentException.class,
                () -> new GeometricGrid.Params(5, 1.0, 1)).getMessage());
        assertEquals("sigma-max must be a finite number > sigma-min = 1.0, got 0.5", assertThrows(IllegalArgumentException.class,
                () -> new KarrasGrid.Params(0.5, 1.0, 5, 7)).getMessage());
    }
}
