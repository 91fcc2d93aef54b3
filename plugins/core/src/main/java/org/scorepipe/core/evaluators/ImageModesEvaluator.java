package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;

/**
 * The mode measure of the Chained-LD paper's image experiment (Section 5 and Appendix B.2),
 * whose target mixes MNIST digits (dark background) with the same digits flipped
 * {@code x -> 1 - x} (light background): each image is assigned to a mode by its mean intensity
 * {@code m(x) = (1/d) sum_j x_j}, dark if {@code m(x) < threshold}, light otherwise, and
 * <pre>
 *   mode-shares    = [#dark / n, #light / n]
 *   flipped-share  = #light / n
 * </pre>
 * A digit covers a small part of its image (MNIST's mean intensity is about 0.13, its flip's
 * about 0.87), so the midpoint of the intensity range separates the modes: 0.5 for images in
 * {@code [0, 1]}, 0 for {@code [-1, 1]}.
 *
 * <p><b>Its floor.</b> With {@code data} naming a source of real images (an {@code images}
 * source with {@code part: held-out}, say), the same measure on {@code n} images drawn from it
 * with the evaluation's noise gives {@code flipped-share-floor}; {@code flipped-share-error} is
 * {@code |flipped-share - flipped-share-floor|} and {@code flipped-share-se}
 * {@code sqrt(p (1 - p) 2 / n)} at the floor's share {@code p}, the standard error of the
 * difference of two independent shares of {@code n}. Samples of the target's two modes in its
 * proportions sit within a few standard errors of the floor; samples stuck in one mode sit
 * {@code min(p, 1 - p)} away.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "image-modes",
        doc = "Shares of images in the dark (original) and light (flipped) modes by mean intensity; with data: the same on real images, the floor.")
public final class ImageModesEvaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("mean intensity at or above which an image is in the light (flipped) mode: 0.5 for images in [0, 1],"
                    + " 0 for range: symmetric") @Default("0.5") double threshold) {
        public Params {
            if (!Double.isFinite(threshold)) {
                throw new IllegalArgumentException("threshold must be a finite mean intensity, got " + threshold);
            }
        }
    }

    private final Params params;
    private final Optional<DataSource> floor;

    @Inject
    public ImageModesEvaluator(Params params, Optional<DataSource> data) {
        this.params = requireNonNull(params, "params is null");
        this.floor = requireNonNull(data, "data is null");
    }

    /** The block's counts of dark and light images: exact integers, so any grouping sums to the same. */
    @Override
    public double[] partial(Block block, EvalContext context) {
        double[] counts = new double[2];
        double[] x = block.data();
        int d = block.dimension();
        for (int r = 0; r < block.size(); r++) {
            counts[mode(x, block.offset() + r * d, d)]++;
        }
        return counts;
    }

    @Override
    public Metrics combine(double[] counts, long n, EvalContext context) {
        if (n == 0) {
            throw new IllegalArgumentException("the image-modes evaluator needs at least one particle");
        }
        double flipped = counts[1] / n;
        Metrics.Builder metrics = Metrics.builder()
                .put("mode-shares", new double[] {counts[0] / n, flipped})
                .put("flipped-share", flipped);
        if (floor.isPresent()) {
            DataSource data = floor.get();
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the image-modes floor draws as many images as there are particles; "
                        + n + " are too many");
            }
            int d = data.dimension();
            Particles real = new Particles((int) n, d);
            data.sample(real.all(), context.noise());
            double[] realCounts = partial(real.all(), context);
            double p = realCounts[1] / n;
            metrics.put("flipped-share-floor", p)
                    .put("flipped-share-error", Math.abs(flipped - p))
                    .put("flipped-share-se", Math.sqrt(p * (1 - p) * 2.0 / n));
        }
        return metrics.build();
    }

    /** 0 (dark) or 1 (light) for the image at {@code x[offset .. offset + d)}. */
    private int mode(double[] x, int offset, int d) {
        double sum = 0.0;
        for (int j = offset; j < offset + d; j++) {
            sum += x[j];
        }
        return sum / d < params.threshold() ? 0 : 1;
    }
}
