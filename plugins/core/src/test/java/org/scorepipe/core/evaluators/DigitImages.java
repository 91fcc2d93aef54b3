package org.scorepipe.core.evaluators;

import java.nio.file.Path;
import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.sources.ImageSource;
import org.scorepipe.runtime.noise.PhiloxBuildNoise;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The shipped MNIST digits as the digit evaluators' tests use them: 14 x 14, the pipeline's split
 * (10% held out by a keyed permutation), the training part flipped with probability 1/2 as
 * {@code pipelines/mnist-annealed-ld.yaml}'s {@code target}. One instance of each source and of
 * the build noise, so the evaluators of every test share one trained classifier.
 */
final class DigitImages {
    static final Path MNIST = Path.of("../../pipelines/data/mnist/mnist-10k.npz");
    static final long SEED = 7;
    static final int D = 196;
    static final BuildNoise BUILD_NOISE = new PhiloxBuildNoise(SEED);
    /** The classifier's data: 9000 training images, half of them flipped. */
    static final ImageSource TARGET = source(0.5, ImageSource.Part.TRAIN, "labels");
    /** The 1000 held-out images, flipped as the target: neither trained on nor in the floor's pool. */
    static final ImageSource HELD_OUT = source(0.5, ImageSource.Part.HELD_OUT, "labels");
    /** The same 1000 held-out images, none flipped: one mode only. */
    static final ImageSource HELD_OUT_ORIGINALS = source(0.0, ImageSource.Part.HELD_OUT, "labels");

    private DigitImages() {
    }

    static ImageSource source(double flip, ImageSource.Part part, String labels) {
        ImageSource.Params p = new ImageSource.Params(MNIST.toString(), "images", labels, ImageSource.Range.UNIT, 2, flip,
                0.1, ImageSource.Split.PERMUTATION, part);
        return new ImageSource(p, new PipelineSpec("t", SEED, 1, D), new PhiloxBuildNoise(SEED));
    }

    /** The evaluation's context; {@code stage} picks its noise, so different stages draw different floors. */
    static EvalContext context(int stage) {
        return new EvalContext("eval", 0.0, PhiloxNoise.of(SEED, stage, 0).streams(1 << 20));
    }

    /** n images drawn from {@code source} with particle noise of their own (not the evaluation's). */
    static Particles draw(ImageSource source, int n) {
        Particles particles = new Particles(n, D);
        source.sample(particles.all(), PhiloxNoise.of(SEED + 1, 0, 0));
        return particles;
    }

    /** n copies, in turn, of {@code source}'s images of digit {@code digit}. */
    static Particles digit(ImageSource source, int digit, int n) {
        double[] points = source.points().orElseThrow();
        int[] labels = source.labels().orElseThrow();
        Particles particles = new Particles(n, D);
        int row = 0;
        for (int filled = 0; filled < n; row = (row + 1) % labels.length) {
            if (labels[row] == digit) {
                System.arraycopy(points, row * D, particles.data(), filled * D, D);
                filled++;
            }
        }
        return particles;
    }
}
