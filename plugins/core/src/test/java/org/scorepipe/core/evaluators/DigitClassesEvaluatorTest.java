package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;

class DigitClassesEvaluatorTest {
    private static DigitClassesEvaluator evaluator() {
        return new DigitClassesEvaluator(new DigitClassesEvaluator.Params(0.5, 64, 10, 0.05, 0.1), DigitImages.TARGET,
                DigitImages.BUILD_NOISE);
    }

    /**
     * Real images the classifier never saw sit at the floor. Both sides are n = 300 images drawn
     * with replacement from pools of about 1000 (the pipeline's held-out part; the classifier's own
     * 900), so each share differs from the pool law by a variance of r (1 - r) (1/1000 + 1/300)
     * per side, 1.3 times the 2 r (1 - r) / 300 that digit-shares-tv-noise assumes: the expected
     * total variation is about 1.15 digit-shares-tv-noise, its standard deviation about 0.3 of it
     * (sum of ten half-normals). Three times digit-shares-tv-noise is then over 5 standard deviations
     * above the expectation. Every digit is covered: the rarest, 5, has a share near 0.086, twice
     * the threshold 0.05 and more than 3 standard errors (0.019) above it.
     */
    @Test
    void heldOutImagesSitAtTheFloor() {
        Metrics m = evaluator().evaluate(DigitImages.draw(DigitImages.HELD_OUT, 300), DigitImages.context(3));
        double tv = m.number("digit-shares-tv");
        double noise = m.number("digit-shares-tv-noise");
        assertTrue(tv < 3 * noise, m.toString());
        assertEquals(10.0, m.number("digits-covered"), m.toString());
        assertEquals(10.0, m.number("digits-covered-floor"), m.toString());
        assertEquals(1.0, sum(m.vector("digit-shares")), 1e-12);
        assertEquals(1.0, sum(m.vector("digit-shares-floor")), 1e-12);
    }

    /**
     * Samples of one digit only, 3, one of MNIST's hardest (mistaken for 5 and 8): even if the
     * classifier got two in five of them wrong, class 3 keeps over 0.6 of the samples, the total
     * variation to the floor is over 0.5 (the floor gives 3 about 0.1), many times its noise
     * level, and the errors, concentrated on a few look-alike digits, leave at most 4 of the 10
     * digits at the threshold 0.05, where real images cover all 10.
     */
    @Test
    void oneDigitIsFlagged() {
        Metrics m = evaluator().evaluate(DigitImages.digit(DigitImages.HELD_OUT, 3, 300), DigitImages.context(3));
        assertTrue(m.vector("digit-shares")[3] > 0.6, m.toString());
        assertTrue(m.number("digits-covered") <= 4, m.toString());
        assertEquals(10.0, m.number("digits-covered-floor"), m.toString());
        assertTrue(m.number("digit-shares-tv") > 0.5, m.toString());
        assertTrue(m.number("digit-shares-tv") > 5 * m.number("digit-shares-tv-noise"), m.toString());
    }

    /** The floor depends on the count and the evaluation's noise only, not on the samples. */
    @Test
    void theFloorIsTheSameForAnySamples() {
        DigitClassesEvaluator e = evaluator();
        Metrics a = e.evaluate(DigitImages.draw(DigitImages.HELD_OUT, 300), DigitImages.context(3));
        Metrics b = e.evaluate(DigitImages.digit(DigitImages.HELD_OUT, 3, 300), DigitImages.context(3));
        assertArrayEquals(a.vector("digit-shares-floor"), b.vector("digit-shares-floor"), 0.0);
    }

    /** Chunk counts add up to the whole measure, as a distributed runner merges them. */
    @Test
    void partialsOfChunksCombineToTheWholeMeasure() {
        Particles particles = DigitImages.draw(DigitImages.HELD_OUT, 600);
        DigitClassesEvaluator e = evaluator();
        double[] sum = new double[10];
        for (int start = 0; start < 600; start += 256) {
            double[] part = e.partial(particles.block(start, Math.min(600, start + 256)), DigitImages.context(3));
            for (int c = 0; c < 10; c++) {
                sum[c] += part[c];
            }
        }
        assertEquals(600.0, sum(sum));
        Metrics whole = e.evaluate(particles, DigitImages.context(3));
        assertEquals(whole.toString(), e.combine(sum, 600, DigitImages.context(3)).toString());
    }

    @Test
    void refusesParticlesOfAnotherDimension() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> evaluator().evaluate(new Particles(5, 4), DigitImages.context(3)));
        assertEquals("the classifier of digit-classes was trained on images of d = 196 pixels (its data:), but the"
                + " particles have d = 4; give it labelled images of the particles' shape", e.getMessage());
    }

    @Test
    void refusesACoverageOutsideTheUnitInterval() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DigitClassesEvaluator.Params(0, 64, 10, 0.05, 0.1));
        assertTrue(e.getMessage().startsWith("coverage is a fraction"), e.getMessage());
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }
}
