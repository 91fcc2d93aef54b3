package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.sources.ImageSource;
import org.scorepipe.runtime.noise.PhiloxBuildNoise;
import org.scorepipe.runtime.noise.PhiloxNoise;

class ImageModesEvaluatorTest {
    /** The 10 000 MNIST digits the repository ships (pipelines/data/mnist). */
    private static final Path MNIST = Path.of("../../pipelines/data/mnist/mnist-10k.npz");
    private static final long SEED = 7;
    /** 14 x 14 after pooling by 2. */
    private static final int D = 196;

    private static ImageModesEvaluator evaluator(Optional<org.scorepipe.api.DataSource> floor) {
        return new ImageModesEvaluator(new ImageModesEvaluator.Params(0.5), floor);
    }

    private static EvalContext context() {
        return new EvalContext("eval", 0.0, PhiloxNoise.of(SEED, 3, 0).streams(1 << 20));
    }

    private static ImageSource mnist(double flip, ImageSource.Part part) {
        ImageSource.Params p = new ImageSource.Params(MNIST.toString(), "images", "labels", ImageSource.Range.UNIT, 2, flip,
                0.2, ImageSource.Split.PERMUTATION, part);
        return new ImageSource(p, new PipelineSpec("t", SEED, 1, D), new PhiloxBuildNoise(SEED));
    }

    /** n images drawn from {@code source} with particle noise of their own (not the evaluation's). */
    private static Particles draw(ImageSource source, int n) {
        Particles particles = new Particles(n, D);
        Noise noise = PhiloxNoise.of(SEED + 1, 0, 0);
        source.sample(particles.all(), noise);
        return particles;
    }

    @Test
    void eachImageGoesToTheModeOfItsMeanIntensity() {
        // d = 4: three light images (means 0.8, 0.5 exactly: the threshold belongs to the light mode,
        // and 0.9), five dark ones (means 0.1, 0.2, 0, 0.45, 0.49).
        double[][] images = {{0.8, 0.8, 0.8, 0.8}, {0.1, 0.1, 0.1, 0.1}, {0.5, 0.5, 0.5, 0.5}, {0.2, 0.2, 0.2, 0.2},
                {0, 0, 0, 0}, {1, 1, 0.6, 1}, {0.45, 0.45, 0.45, 0.45}, {0.96, 0, 0, 1}};
        Particles particles = new Particles(images.length, 4);
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(images[i], 0, particles.data(), 4 * i, 4);
        }
        Metrics m = evaluator(Optional.empty()).evaluate(particles, context());
        assertArrayEquals(new double[] {5.0 / 8, 3.0 / 8}, m.vector("mode-shares"));
        assertEquals(3.0 / 8, m.number("flipped-share"));
        assertFalse(m.values().containsKey("flipped-share-floor"), "no floor without data");
    }

    /**
     * MNIST images sit in the dark mode and their flips in the light one: with flip 0 every image
     * is dark, with flip 1 every one is light (the measure separates the modes on real digits).
     */
    @Test
    void realDigitsAndTheirFlipsAreSeparatedCompletely() {
        ImageModesEvaluator e = evaluator(Optional.empty());
        assertEquals(0.0, e.evaluate(draw(mnist(0, ImageSource.Part.TRAIN), 4000), context()).number("flipped-share"));
        assertEquals(1.0, e.evaluate(draw(mnist(1, ImageSource.Part.TRAIN), 4000), context()).number("flipped-share"));
    }

    /**
     * The floor: training images of the flipped mixture measured against held-out ones sit within
     * 4 standard errors of the floor (a false alarm has probability about 6e-5 for a normal
     * difference); images of one mode only are flagged, 0.5 away, more than 20 standard errors.
     */
    @Test
    void heldOutImagesSitAtTheFloorAndOneModeIsFlagged() {
        ImageModesEvaluator e = evaluator(Optional.of(mnist(0.5, ImageSource.Part.HELD_OUT)));
        int n = 4000;
        Metrics mixed = e.evaluate(draw(mnist(0.5, ImageSource.Part.TRAIN), n), context());
        double floor = mixed.number("flipped-share-floor");
        double se = mixed.number("flipped-share-se");
        assertEquals(0.5, floor, 0.05, "the held-out images are flipped with probability 1/2");
        assertEquals(Math.sqrt(floor * (1 - floor) * 2.0 / n), se, 1e-15);
        assertTrue(mixed.number("flipped-share-error") < 4 * se, mixed.toString());
        Metrics stuck = e.evaluate(draw(mnist(0, ImageSource.Part.TRAIN), n), context());
        assertEquals(floor, stuck.number("flipped-share-floor"), "the floor depends on the evaluation's noise only");
        assertEquals(floor, stuck.number("flipped-share-error"));
        assertTrue(stuck.number("flipped-share-error") > 20 * se, stuck.toString());
    }

    /** Chunk counts add up: the measure of a whole ensemble equals the sum of its chunks' partials. */
    @Test
    void partialsOfChunksCombineToTheWholeMeasure() {
        Particles particles = draw(mnist(0.3, ImageSource.Part.TRAIN), 1000);
        ImageModesEvaluator e = evaluator(Optional.empty());
        double[] sum = new double[2];
        for (int start = 0; start < 1000; start += 256) {
            double[] part = e.partial(particles.block(start, Math.min(1000, start + 256)), context());
            sum[0] += part[0];
            sum[1] += part[1];
        }
        assertEquals(1000.0, sum[0] + sum[1]);
        assertEquals(e.evaluate(particles, context()).number("flipped-share"), sum[1] / 1000);
    }
}
