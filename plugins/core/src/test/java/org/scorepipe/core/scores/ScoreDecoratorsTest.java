package org.scorepipe.core.scores;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** The truncated and perturbed decorators, checked exactly against what they promise. */
class ScoreDecoratorsTest {
    static final int D = 4;
    static final PipelineSpec SPEC = new PipelineSpec("t", 31, 1, D);

    /** A score that returns fixed vectors, one per row, whatever x is. */
    static ScoreProvider fixed(double[] values) {
        return (x, offset, rows, t, out) -> System.arraycopy(values, 0, out, 0, rows * D);
    }

    static double[] normals(long seed, int count) {
        double[] v = new double[count];
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, v, 0, count);
        return v;
    }

    static double norm(double[] v, int from, int length) {
        double s = 0.0;
        for (int i = from; i < from + length; i++) {
            s += v[i] * v[i];
        }
        return Math.sqrt(s);
    }

    @Test
    void truncationProjectsOntoTheBallAroundTheBaseScore() {
        NoisingPath path = NoisedMixtureTest.ou();
        double t = 0.5;
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        int rows = 30;
        double[] x = normals(1, rows * D);
        double radius = 0.8;
        double rho = radius * alpha / (sigma * sigma);
        // Raw scores at distances 0.1 rho, 0.2 rho, ..., 3 rho from the base score, in random directions.
        double[] raw = normals(2, rows * D);
        for (int r = 0; r < rows; r++) {
            double scale = 0.1 * (r + 1) * rho / norm(raw, r * D, D);
            for (int i = 0; i < D; i++) {
                raw[r * D + i] = -x[r * D + i] / (sigma * sigma) + scale * raw[r * D + i];
            }
        }
        TruncatedScore truncated = new TruncatedScore(new TruncatedScore.Params(radius, TruncatedScore.RadiusScaling.DATA),
                fixed(raw), path, SPEC);
        assertEquals(rho, truncated.radius(t), 1e-15 * rho);
        double[] out = new double[rows * D];
        truncated.score(x, 0, rows, t, out);
        int inside = 0;
        for (int r = 0; r < rows; r++) {
            double[] before = new double[D];
            double[] after = new double[D];
            for (int i = 0; i < D; i++) {
                double base = -x[r * D + i] / (sigma * sigma);
                before[i] = raw[r * D + i] - base;
                after[i] = out[r * D + i] - base;
            }
            double distance = norm(before, 0, D);
            if (distance <= rho) {
                inside++;
                for (int i = 0; i < D; i++) {
                    assertEquals(raw[r * D + i], out[r * D + i], 0.0, "inside the ball nothing changes");
                }
            } else {
                // On the sphere, in the same direction from the base score.
                assertEquals(rho, norm(after, 0, D), 1e-12 * rho);
                for (int i = 0; i < D; i++) {
                    assertEquals(before[i] * rho / distance, after[i], 1e-12 * rho);
                }
            }
        }
        assertTrue(inside > 0 && inside < rows, "the test points fall on both sides of the ball: " + inside);
    }

    @Test
    void theExactScoreOfDataInTheBallIsNeverTruncated() {
        // Data inside |x| <= R: grad log p_t - b_t = alpha E[X_0 | x] / sigma^2 has norm <= R alpha / sigma^2.
        double[] data = normals(3, 50 * D);
        double radius = 0.0;
        for (int j = 0; j < 50; j++) {
            radius = Math.max(radius, norm(data, j * D, D));
        }
        NoisingPath path = NoisedMixtureTest.ou();
        EmpiricalScore exact = new EmpiricalScore(data, D, path);
        // Far from the data the exact score sits on the sphere (the posterior is the outermost point), where
        // rounding may put it 1 ulp outside: a radius 1e-9 larger keeps the statement exact in floating point.
        TruncatedScore truncated = new TruncatedScore(new TruncatedScore.Params(radius * (1 + 1e-9),
                TruncatedScore.RadiusScaling.DATA), exact, path, SPEC);
        double[] x = normals(4, 40 * D);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 4.0;
        }
        for (double t : new double[] {0.05, 0.5, 2.0}) {
            double[] expected = new double[x.length];
            exact.score(x, 0, 40, t, expected);
            double[] actual = new double[x.length];
            truncated.score(x, 0, 40, t, actual);
            assertArrayEquals(expected, actual, "t = " + t);
        }
    }

    @Test
    void studentTNoiseUsesItsOwnBaseScoreAndAConstantRadius() {
        double nu = 3.0;
        NoisingPath path = EmpiricalScoreTest.path(nu);
        double t = 0.3;
        double sigma = path.noiseScale(t);
        double[] x = normals(5, D);
        double[] raw = normals(6, D);
        for (int i = 0; i < D; i++) {
            raw[i] *= 10.0;
        }
        TruncatedScore truncated = new TruncatedScore(
                new TruncatedScore.Params(0.5, TruncatedScore.RadiusScaling.CONSTANT), fixed(raw), path, SPEC);
        double[] out = new double[D];
        truncated.score(x, 0, 1, t, out);
        double xx = norm(x, 0, D) * norm(x, 0, D);
        double c = (nu + D) / (nu * sigma * sigma + xx);
        double[] after = new double[D];
        for (int i = 0; i < D; i++) {
            after[i] = out[i] + c * x[i];
        }
        assertEquals(0.5, norm(after, 0, D), 1e-12);
    }

    @Test
    void biasAddsTheSameVectorOfNormEpsilon() {
        int rows = 7;
        double[] raw = normals(7, rows * D);
        PerturbedScore given = new PerturbedScore(new PerturbedScore.Params(0.3, PerturbedScore.Mode.BIAS,
                new double[] {3.0, 0.0, -4.0, 0.0}), fixed(raw), SPEC);
        assertArrayEquals(new double[] {0.18, 0.0, -0.24, 0.0}, given.bias(), 1e-15);
        PerturbedScore seeded = new PerturbedScore(new PerturbedScore.Params(0.3, PerturbedScore.Mode.BIAS, new double[0]),
                fixed(raw), SPEC);
        assertEquals(0.3, norm(seeded.bias(), 0, D), 1e-15);
        double[] x = normals(8, rows * D);
        double[] out = new double[rows * D];
        seeded.score(x, 0, rows, 0.1, out);
        double[] u = seeded.bias();
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < D; i++) {
                assertEquals(raw[r * D + i] + u[i], out[r * D + i], 0.0);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PerturbedScore(
                new PerturbedScore.Params(0.3, PerturbedScore.Mode.BIAS, new double[] {1.0}), fixed(raw), SPEC));
        assertTrue(e.getMessage().contains("pipeline's dimension is 4"), e.getMessage());
    }

    @Test
    void noiseIsAFixedFunctionOfThePointWithMeanSquareEpsilonSquared() {
        int rows = 20_000;
        double epsilon = 0.5;
        double[] zero = new double[rows * D];
        PerturbedScore perturbed = new PerturbedScore(new PerturbedScore.Params(epsilon, PerturbedScore.Mode.NOISE,
                new double[0]), fixed(zero), SPEC);
        double[] x = normals(9, rows * D);
        double[] out = new double[rows * D];
        perturbed.score(x, 0, rows, 0.25, out);
        // The same points again, one at a time: the same bits (a function of (x, t), not of the call).
        double[] again = new double[D];
        for (int r = 0; r < 50; r++) {
            perturbed.score(x, r * D, 1, 0.25, again);
            for (int i = 0; i < D; i++) {
                assertEquals(out[r * D + i], again[i], 0.0);
            }
        }
        // Another time gives another error.
        double[] later = new double[D];
        perturbed.score(x, 0, 1, 0.26, later);
        assertFalse(later[0] == out[0]);
        // |e|^2 = epsilon^2 chi^2_d / d: mean epsilon^2, sd epsilon^2 sqrt(2/d) per point, so the mean over
        // 20 000 points is within 5 sd = 5 * 0.25 * 0.71 / 141 = 0.0063 of 0.25. The coordinates have mean 0.
        double squares = 0.0;
        double[] means = new double[D];
        for (int r = 0; r < rows; r++) {
            double n = norm(out, r * D, D);
            squares += n * n / rows;
            for (int i = 0; i < D; i++) {
                means[i] += out[r * D + i] / rows;
            }
        }
        assertEquals(epsilon * epsilon, squares, 5 * epsilon * epsilon * Math.sqrt(2.0 / D) / Math.sqrt(rows));
        for (int i = 0; i < D; i++) {
            // Each coordinate has variance epsilon^2 / d: 5 standard errors of the mean.
            assertEquals(0.0, means[i], 5 * epsilon / Math.sqrt(D) / Math.sqrt(rows));
        }
    }
}
