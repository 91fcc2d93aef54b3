package org.scorepipe.core.grids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UniformGridTest {

    @Test
    void endPointsAreExactAndSpacingUniform() {
        for (double[] ends : new double[][] {{1.0, 1e-3}, {0.0, 0.7}, {3.0, 0.01}}) {
            for (int steps : new int[] {1, 3, 7, 1000}) {
                double[] times = new UniformGrid(new UniformGrid.Params(ends[0], ends[1], steps)).times();
                assertEquals(steps + 1, times.length);
                assertEquals(ends[0], times[0], 0.0);
                assertEquals(ends[1], times[steps], 0.0);
                double spacing = (ends[1] - ends[0]) / steps;
                for (int i = 1; i <= steps; i++) {
                    // Each time is computed from i directly, so it carries a few ulps of |from| + |to|, no drift.
                    assertEquals(spacing, times[i] - times[i - 1], 1e-14 * (Math.abs(ends[0]) + Math.abs(ends[1])),
                            "interval " + i);
                }
            }
        }
    }

    @Test
    void eachCallReturnsAFreshArray() {
        UniformGrid grid = new UniformGrid(new UniformGrid.Params(1.0, 0.0, 4));
        grid.times()[0] = 42;
        assertEquals(1.0, grid.times()[0], 0.0);
    }

    @Test
    void parametersAreValidated() {
        assertEquals("steps must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new UniformGrid.Params(1.0, 0.0, 0)).getMessage());
        assertEquals("from and to are both 0.5; give two different times", assertThrows(IllegalArgumentException.class,
                () -> new UniformGrid(new UniformGrid.Params(0.5, 0.5, 3))).getMessage());
        assertEquals("to must be a finite number, got NaN",
                assertThrows(IllegalArgumentException.class, () -> new UniformGrid.Params(1.0, Double.NaN, 3)).getMessage());
    }
}
