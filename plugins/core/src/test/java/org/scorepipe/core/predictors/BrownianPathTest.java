package org.scorepipe.core.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Noise;
import org.scorepipe.core.grids.UniformGrid;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * {@link BrownianPath}: its law is Brownian motion's, exactly; increments add up under refinement
 * to rounding; a query answers the same bits whatever came before it.
 */
class BrownianPathTest {

    /** Times across binades: zero, powers of two, full 52-bit fractions, tiny and large ones. */
    static final double[] TIMES = {0.0, 1.0, 0.5, 2.0, 0.3, 0.7, 0.0625, 1e-5, 3.0e-3, 0.999999, 1.000001, 1.75,
        2.9, 3.0, 37.3, 0.1 + 0.2, Math.nextUp(0.3)};

    /**
     * A noise that hands out path normals as unit coefficients: 1 for the node {@code active}, 0 for
     * all others, and records every node asked for. {@code W(u)} is linear in the normals, so
     * probing each node gives its coefficient, and the covariance of two values is the sum of the
     * products of their coefficients, exactly, with no sampling.
     */
    static final class ProbeNoise implements Noise {
        final Set<Long> nodes = new LinkedHashSet<>();
        long active;
        boolean any;

        @Override
        public void pathNormals(long particle, int stream, long node, double[] out, int offset, int count) {
            nodes.add(node);
            Arrays.fill(out, offset, offset + count, any && node == active ? 1.0 : 0.0);
        }

        @Override
        public void normals(long particle, int stream, double[] out, int offset, int count) {
            throw new AssertionError("a Brownian path draws no step normals");
        }

        @Override
        public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            throw new AssertionError("a Brownian path draws no uniforms");
        }

        @Override
        public Noise streams(int first) {
            return this;
        }
    }

    /** The coefficient of every node in {@code W(u)}. */
    static Map<Long, Double> coefficients(double u) {
        ProbeNoise probe = new ProbeNoise();
        double[] w = new double[1];
        double[] scratch = new double[BrownianPath.VALUE_SCRATCH];
        BrownianPath.value(probe, 0, 0, u, 1, w, 0, scratch, 0);
        assertEquals(0.0, w[0]);
        Map<Long, Double> c = new HashMap<>();
        for (long node : new ArrayList<>(probe.nodes)) {
            probe.any = true;
            probe.active = node;
            BrownianPath.value(probe, 0, 0, u, 1, w, 0, scratch, 0);
            c.put(node, w[0]);
        }
        return c;
    }

    static double covariance(Map<Long, Double> a, Map<Long, Double> b) {
        double sum = 0;
        for (Map.Entry<Long, Double> e : a.entrySet()) {
            sum += e.getValue() * b.getOrDefault(e.getKey(), 0.0);
        }
        return sum;
    }

    /**
     * Brownian motion is the centred Gaussian process with {@code Cov(W(s), W(t)) = min(s, t)}; the
     * path is linear in iid standard normals, so checking that covariance for every pair of times
     * checks the whole joint law at those times, without sampling. So every increment is
     * {@code N(0, t - s)} and disjoint increments are independent. Tolerance: the coefficients are
     * products of at most ~80 factors each rounded once, so 1e-13 relative is far above the
     * rounding (~1e-14) and far below any wrong variance (a wrong bridge variance at one level moves
     * a covariance by at least 2^-54 of the span only at depth 52, but the shallow levels, which
     * any mistake in the formula would touch, by 1e-2 or more).
     */
    @Test
    void lawIsBrownianMotionExactly() {
        List<Map<Long, Double>> c = new ArrayList<>();
        for (double u : TIMES) {
            c.add(coefficients(u));
        }
        for (int a = 0; a < TIMES.length; a++) {
            for (int b = 0; b < TIMES.length; b++) {
                double expected = Math.min(TIMES[a], TIMES[b]);
                assertEquals(expected, covariance(c.get(a), c.get(b)), 1e-13 * Math.max(1.0, expected),
                        "Cov(W(" + TIMES[a] + "), W(" + TIMES[b] + "))");
            }
        }
        // Var(W(0.3 + ulp) - W(0.3)) is one ulp of 0.3, 5.6e-17: the two paths share all but their
        // last nodes. Compare the variance of the difference directly, not through the large covariances.
        Map<Long, Double> x = coefficients(0.3);
        Map<Long, Double> y = coefficients(Math.nextUp(0.3));
        Set<Long> all = new LinkedHashSet<>(x.keySet());
        all.addAll(y.keySet());
        double variance = 0;
        for (long node : all) {
            double diff = y.getOrDefault(node, 0.0) - x.getOrDefault(node, 0.0);
            variance += diff * diff;
        }
        assertEquals(Math.ulp(0.3), variance, 1e-3 * Math.ulp(0.3), "Var(W(nextUp(0.3)) - W(0.3))");
    }

    /** A query walks the spine (the root, |e| more nodes, and for e >= 0 the binade's right end) and at most 52 midpoints. */
    @Test
    void aQueryTakesAtMostTheSpineAndFiftyTwoMidpoints() {
        for (double u : TIMES) {
            if (u == 0) {
                continue;
            }
            int e = Math.getExponent(u);
            int nodes = coefficients(u).size();
            assertTrue(nodes <= Math.abs(e) + 2 + 52, u + ": " + nodes + " nodes");
        }
        assertEquals(1, coefficients(1.0).size(), "W(1) is the root's own normal");
        assertEquals(3, coefficients(0.25).size(), "W(1/4) from W(1), W(1/2)");
        assertEquals(3, coefficients(1.5).size(), "W(3/2) from W(1), W(2) and the midpoint");
        assertEquals(3, coefficients(4.0).size(), "W(4) from W(1), W(2)");
    }

    /**
     * Sampled with the run's noise: W(t) - W(s) over intervals within one binade, across binades and
     * from 0, for 20 000 particles in 2 dimensions, each standardised by sqrt(t - s). Mean and
     * variance within 5 standard errors (1/sqrt(N) and sqrt(2/N), N = 40 000 values), Kolmogorov-
     * Smirnov against N(0, 1) at p > 1e-3 (fixed seed; a 4% error in the scale would already move the
     * KS distance beyond the 1e-3 critical value 1.95 / sqrt(N) ~ 0.01), and the correlation of the
     * increments over two adjacent intervals within 5 / sqrt(N) of 0 (they are independent).
     */
    @Test
    void incrementsAreNormalWithVarianceDt() {
        int n = 20_000;
        int d = 2;
        double[][] intervals = {{0.3, 0.7}, {0.001, 0.0015}, {0.999, 1.003}, {2.5, 7.1}, {0.0, 1e-3}, {0.05, 0.05 + 1e-9}};
        PhiloxNoise noise = PhiloxNoise.of(23, 4, 0);
        double[] out = new double[d];
        double[] later = new double[d];
        double[] scratch = new double[BrownianPath.INCREMENT_SCRATCH * d];
        KolmogorovSmirnovTest ks = new KolmogorovSmirnovTest();
        int values = n * d;
        for (double[] interval : intervals) {
            double s = interval[0];
            double t = interval[1];
            double sd = Math.sqrt(t - s);
            // The next interval [t, t + (t - s)], to check independence.
            double u = t + (t - s);
            double[] z = new double[values];
            double[] next = new double[values];
            for (int r = 0; r < n; r++) {
                BrownianPath.increment(noise, r, 0, s, t, d, out, 0, scratch, 0);
                BrownianPath.increment(noise, r, 0, t, u, d, later, 0, scratch, 0);
                for (int i = 0; i < d; i++) {
                    z[r * d + i] = out[i] / sd;
                    next[r * d + i] = later[i] / Math.sqrt(u - t);
                }
            }
            String where = "[" + s + ", " + t + "]";
            double mean = Arrays.stream(z).average().orElseThrow();
            double variance = Arrays.stream(z).map(v -> (v - mean) * (v - mean)).sum() / (values - 1);
            assertEquals(0.0, mean, 5 / Math.sqrt(values), "mean " + where);
            assertEquals(1.0, variance, 5 * Math.sqrt(2.0 / values), "variance " + where);
            double p = ks.kolmogorovSmirnovTest(new NormalDistribution(0, 1), z);
            assertTrue(p > 1e-3, "KS " + where + ": p = " + p);
            double correlation = 0;
            for (int j = 0; j < values; j++) {
                correlation += z[j] * next[j] / values;
            }
            assertEquals(0.0, correlation, 5 / Math.sqrt(values), "correlation with the next interval " + where);
        }
    }

    /** The standardised increments of a wrong variance are rejected: the test above can fail. */
    @Test
    void theKolmogorovSmirnovCheckRejectsAFourPercentScaleError() {
        int n = 20_000;
        double[] z = new double[n];
        PhiloxNoise noise = PhiloxNoise.of(23, 4, 0);
        double[] out = new double[1];
        double[] scratch = new double[BrownianPath.INCREMENT_SCRATCH];
        for (int r = 0; r < n; r++) {
            BrownianPath.increment(noise, r, 0, 0.3, 0.7, 1, out, 0, scratch, 0);
            z[r] = out[0] / Math.sqrt(0.4) * 1.06;
        }
        assertTrue(new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new NormalDistribution(0, 1), z) < 1e-3);
    }

    /**
     * On a uniform grid of 20 steps and its refinement of 40 (whose even times are the coarse times,
     * bit for bit), the two fine increments inside a coarse step add up to the coarse increment to
     * rounding: each increment is one subtraction of values that are the same numbers in both, so
     * the sum differs from the whole by at most three roundings of numbers of size max |W|, bounded
     * here by 4 ulps of it.
     */
    @Test
    void theTwoHalvesAddUpToTheWhole() {
        int d = 3;
        double[] coarse = new UniformGrid(new UniformGrid.Params(1.0, 0.001, 20)).times();
        double[] fine = new UniformGrid(new UniformGrid.Params(1.0, 0.001, 40)).times();
        for (int k = 0; k < coarse.length; k++) {
            assertEquals(Double.doubleToRawLongBits(coarse[k]), Double.doubleToRawLongBits(fine[2 * k]), "time " + k);
        }
        PhiloxNoise noise = PhiloxNoise.of(3, 1, 0);
        double[] whole = new double[d];
        double[] first = new double[d];
        double[] second = new double[d];
        double[] w = new double[d];
        double[] scratch = new double[BrownianPath.INCREMENT_SCRATCH * d];
        for (long particle = 0; particle < 50; particle++) {
            for (int k = 0; k + 1 < coarse.length; k++) {
                BrownianPath.increment(noise, particle, 0, coarse[k + 1], coarse[k], d, whole, 0, scratch, 0);
                BrownianPath.increment(noise, particle, 0, fine[2 * k + 1], fine[2 * k], d, first, 0, scratch, 0);
                BrownianPath.increment(noise, particle, 0, fine[2 * k + 2], fine[2 * k + 1], d, second, 0, scratch, 0);
                double size = 0;
                for (int j = 2 * k; j <= 2 * k + 2; j++) {
                    BrownianPath.value(noise, particle, 0, fine[j], d, w, 0, scratch, 0);
                    for (double v : w) {
                        size = Math.max(size, Math.abs(v));
                    }
                }
                for (int i = 0; i < d; i++) {
                    assertEquals(whole[i], first[i] + second[i], 4 * Math.ulp(size),
                            "particle " + particle + ", coarse step " + k + ", coordinate " + i);
                }
            }
        }
    }

    /**
     * A value is the same bits whatever was queried before it, with whatever instance, at whatever
     * step of the stage: here the same times in order, then shuffled between unrelated queries
     * (other particles, streams and times, step normals) on an instance moved to another step.
     */
    @Test
    void aQueryAnswersTheSameBitsWhateverCameBefore() {
        int d = 2;
        double[] scratch = new double[BrownianPath.VALUE_SCRATCH * d];
        double[][] first = new double[TIMES.length][d];
        PhiloxNoise noise = PhiloxNoise.of(8, 2, 0);
        for (int j = 0; j < TIMES.length; j++) {
            BrownianPath.value(noise, 5, 1, TIMES[j], d, first[j], 0, scratch, 0);
        }
        PhiloxNoise other = PhiloxNoise.of(8, 2, 0);
        other.position(2, 517);
        double[] junk = new double[64];
        double[] again = new double[d];
        for (int m = 0; m < TIMES.length; m++) {
            int j = (7 * m + 3) % TIMES.length;
            other.normals(5, 0, junk, 0, 64);
            BrownianPath.value(other, 4, 1, 0.123, d, junk, 0, scratch, 0);
            BrownianPath.value(other, 5, 0, TIMES[j], d, junk, 0, scratch, 0);
            BrownianPath.value(other, 5, 1, 0.5 * TIMES[j] + 0.01, d, junk, 0, scratch, 0);
            BrownianPath.value(other, 5, 1, TIMES[j], d, again, 0, scratch, 0);
            assertArrayEquals(first[j], again, "W(" + TIMES[j] + ")");
        }
        // And the path is the stage's: another stage has another path.
        double[] otherStage = new double[d];
        BrownianPath.value(PhiloxNoise.of(8, 3, 0), 5, 1, 0.3, d, otherStage, 0, scratch, 0);
        BrownianPath.value(noise, 5, 1, 0.3, d, again, 0, scratch, 0);
        assertTrue(otherStage[0] != again[0] && otherStage[1] != again[1], "stage 3 has a path of its own");
    }

    @Test
    void refusesTimesOutsideItsDomain() {
        Noise noise = PhiloxNoise.of(1, 0, 0);
        double[] out = new double[1];
        double[] scratch = new double[BrownianPath.INCREMENT_SCRATCH];
        for (double u : new double[] {-1e-3, Double.NaN, 0x1p1023, Double.POSITIVE_INFINITY, Double.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BrownianPath.value(noise, 0, 0, u, 1, out, 0, scratch, 0), "time " + u);
            assertEquals("a Brownian path is defined at times 0 and [2^-1022, 2^1023), got " + u, e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BrownianPath.increment(noise, 0, 0, 0.5, 0.5, 1, out, 0, scratch, 0));
        assertEquals("a Brownian increment W(t) - W(s) needs s < t, got s = 0.5, t = 0.5", e.getMessage());
    }
}
