package org.scorepipe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.GaussianMixture;

class ContoursTest {
    @Test
    void contoursOfARadialFunctionLieOnTheCircle() {
        int n = 81;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -2.0 + 4.0 * i / (n - 1);
        }
        double[][] values = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                values[i][j] = xs[i] * xs[i] + xs[j] * xs[j];
            }
        }
        Contours.Polyline line = Contours.at(xs, xs, values, 1.0);
        int points = 0;
        for (int p = 0; p < line.x().length; p++) {
            if (!Double.isNaN(line.y()[p])) {
                double r = Math.hypot(line.x()[p], line.y()[p]);
                // Linear interpolation of r^2 across a cell of width 0.05 errs by at most h^2 / 4 in r^2.
                assertEquals(1.0, r, 0.002);
                points++;
            }
        }
        // Every cell the unit circle crosses gives one segment: about 2 pi / 0.05 = 126 of them, more with corners.
        assertTrue(points > 2 * 120, "points " + points);
    }

    @Test
    void theHighestDensityLevelOfAStandardGaussianMatchesTheChiSquaredRadius() {
        GaussianMixture standard = new GaussianMixture(new double[] {1.0},
                List.of(new GaussianMixture.Gaussian(new double[2], GaussianMixture.Form.SCALAR, new double[] {1.0})));
        MixtureDensity density = new MixtureDensity(standard);
        int n = 301;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -5.0 + 10.0 * i / (n - 1);
        }
        double[][] values = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                values[i][j] = density.density(new double[] {xs[i], xs[j]});
            }
        }
        // The 90% region of N(0, I_2) is the disc of radius sqrt(-2 ln 0.1) = 2.146, where p = 0.1 / (2 pi).
        double level = Contours.highestDensityLevel(values, 0.9);
        assertEquals(0.1 / (2 * Math.PI), level, 0.002 / (2 * Math.PI));
        assertEquals(1.0 / (2 * Math.PI), density.density(new double[2]), 1e-15);
        assertEquals(Math.exp(-0.5) / Math.sqrt(2 * Math.PI), density.marginal(1, 1.0), 1e-15);
    }
}
