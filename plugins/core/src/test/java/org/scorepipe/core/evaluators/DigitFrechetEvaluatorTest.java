package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

class DigitFrechetEvaluatorTest {
    private static final int N = 300;

    private static DigitFrechetEvaluator evaluator() {
        return new DigitFrechetEvaluator(new DigitFrechetEvaluator.Params(64, 10, 0.05, 0.1), DigitImages.TARGET,
                DigitImages.BUILD_NOISE);
    }

    /**
     * Commuting covariances (both diagonal) have the closed form
     * {@code |m1 - m2|^2 + sum_j (sqrt(a_j) - sqrt(b_j))^2}.
     */
    @Test
    void theDistanceOfDiagonalGaussiansIsItsClosedForm() {
        double[] a = {4.0, 1.0, 0.25};
        double[] b = {1.0, 9.0, 0.25};
        double[] m1 = {1.0, 0.0, -2.0};
        double[] m2 = {0.0, 2.0, -2.0};
        double expected = 1 + 4 + 0 + Math.pow(2 - 1, 2) + Math.pow(1 - 3, 2) + 0;
        assertEquals(expected, GaussianW2Evaluator.squared(m1, diagonal(a), m2, diagonal(b), 3), 1e-12);
    }

    /**
     * Non-commuting covariances in d = 6 against SciPy's {@code sqrtm} (a Schur method, not an eigen
     * decomposition): src/test/resources/frechet/frechet-scipy.py wrote the fixture once. The
     * covariances' eigenvalues lie in [0.1, 30], so both methods agree to about 1e-12 relative.
     */
    @Test
    void theDistanceMatchesScipy() throws IOException {
        Map<String, double[]> f = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/frechet/frechet-scipy.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String[] parts = line.trim().split(" ");
                f.put(parts[0], Arrays.stream(parts, 1, parts.length).mapToDouble(Double::parseDouble).toArray());
            }
        }
        int d = (int) f.get("d")[0];
        double expected = f.get("frechet")[0];
        double actual = GaussianW2Evaluator.squared(f.get("m1"), f.get("s1"), f.get("m2"), f.get("s2"), d);
        assertEquals(expected, actual, 1e-10 * expected);
    }

    /**
     * Real images the classifier never saw sit at the floor: the floor is itself random (which n
     * held-out images it draws), so its spread is measured here, over 8 evaluation noises; the
     * samples' distance (another draw of unseen real images, from the pipeline's held-out part)
     * lies within 4 of those standard deviations of their mean, and the floor far above zero says
     * the bias of n = 300 is what the floor is for.
     */
    @Test
    void heldOutImagesSitAtTheFloor() {
        DigitFrechetEvaluator e = evaluator();
        Particles real = DigitImages.draw(DigitImages.HELD_OUT, N);
        double[] floors = floors(e, real);
        double mean = Arrays.stream(floors).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(floors).map(x -> (x - mean) * (x - mean)).sum() / (floors.length - 1));
        double fd = e.evaluate(real, DigitImages.context(3)).number("frechet");
        assertTrue(Math.abs(fd - mean) < 4 * sd, "frechet " + fd + ", floors " + Arrays.toString(floors));
    }

    /**
     * Uniform noise images, and real digits of one mode only (no flipped ones), are far from the
     * data's features: both sit more than 20 floor standard deviations above the floor's mean,
     * and the noise more than 5 times the floor.
     */
    @Test
    void noiseAndOneModeAreFlagged() {
        DigitFrechetEvaluator e = evaluator();
        double[] floors = floors(e, DigitImages.draw(DigitImages.HELD_OUT, N));
        double mean = Arrays.stream(floors).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(floors).map(x -> (x - mean) * (x - mean)).sum() / (floors.length - 1));
        Particles noise = new Particles(N, DigitImages.D);
        PhiloxNoise.of(11, 0, 0).uniforms(0, 0, noise.data(), 0, noise.data().length);
        Metrics m = e.evaluate(noise, DigitImages.context(3));
        assertTrue(m.number("frechet") > mean + 20 * sd, m + ", floors " + Arrays.toString(floors));
        assertTrue(m.number("frechet") > 5 * m.number("frechet-floor"), m.toString());
        Metrics originals = e.evaluate(DigitImages.draw(DigitImages.HELD_OUT_ORIGINALS, N), DigitImages.context(3));
        assertTrue(originals.number("frechet") > mean + 20 * sd, originals + ", floors " + Arrays.toString(floors));
    }

    /** Chunk sums add up to the whole measure, as a distributed runner merges them. */
    @Test
    void partialsOfChunksCombineToTheWholeMeasure() {
        DigitFrechetEvaluator e = evaluator();
        Particles particles = DigitImages.draw(DigitImages.HELD_OUT, 600);
        double[] sum = null;
        for (int start = 0; start < 600; start += 256) {
            double[] part = e.partial(particles.block(start, Math.min(600, start + 256)), DigitImages.context(3));
            if (sum == null) {
                sum = part;
            } else {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += part[i];
                }
            }
        }
        assertEquals(64 + 64 * 64, sum.length);
        assertEquals(e.evaluate(particles, DigitImages.context(3)).toString(), e.combine(sum, 600, DigitImages.context(3)).toString());
    }

    @Test
    void refusesParticlesOfAnotherDimension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluator().evaluate(new Particles(5, 4), DigitImages.context(3)));
        assertTrue(e.getMessage().startsWith("the classifier of digit-frechet was trained on images of d = 196 pixels"
                + " (its data:), but the particles have d = 4"), e.getMessage());
    }

    /** frechet-floor under 8 evaluation noises (stages 10 .. 17). */
    private static double[] floors(DigitFrechetEvaluator e, Particles any) {
        double[] floors = new double[8];
        for (int s = 0; s < floors.length; s++) {
            floors[s] = e.evaluate(any, DigitImages.context(10 + s)).number("frechet-floor");
        }
        return floors;
    }

    private static double[] diagonal(double[] v) {
        double[] m = new double[v.length * v.length];
        for (int i = 0; i < v.length; i++) {
            m[i * v.length + i] = v[i];
        }
        return m;
    }
}
