package org.scorepipe.core.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubVpPathTest {

    @Test
    void closedForms() {
        SubVpPath path = new SubVpPath(new SubVpPath.Params(0.1, 20.0));
        VpPath vp = new VpPath(new VpPath.Params(0.1, 20.0));
        for (double t : new double[] {0.05, 0.3, 0.5, 1.0}) {
            double b = 0.1 * t + 19.9 * t * t / 2;
            double beta = 0.1 + 19.9 * t;
            assertEquals(Math.exp(-b / 2), path.meanScale(t), 1e-15);
            assertEquals(vp.meanScale(t), path.meanScale(t), 0.0);
            assertEquals(1 - Math.exp(-b), path.noiseScale(t), 1e-15);
            assertEquals(-beta / 2, path.drift(t), 1e-14);
            assertEquals(beta * (1 - Math.exp(-2 * b)), path.diffusionSquared(t), 1e-13);
            // Never above the VP's variance 1 - e^{-B}.
            assertTrue(path.noiseScale(t) <= vp.noiseScale(t));
        }
        assertEquals(0.0, path.noiseScale(0.0));
        assertEquals(0.0, path.diffusionSquared(0.0));
        // sigma = 1 - e^{-B} = B - B^2 / 2 + ... to full relative precision for tiny t.
        double t = 1e-10;
        double b = 0.1 * t + 19.9 * t * t / 2;
        assertEquals(b - b * b / 2, path.noiseScale(t), 1e-15 * b);
    }

    @Test
    void parametersAreValidated() {
        assertEquals("beta-max = 1.0 is below beta-min = 2.0; give beta-min <= beta-max",
                assertThrows(IllegalArgumentException.class, () -> new SubVpPath(new SubVpPath.Params(2.0, 1.0)))
                        .getMessage());
        assertEquals("beta-min must be a finite number > 0, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new SubVpPath.Params(0.0, 1.0)).getMessage());
    }
}
