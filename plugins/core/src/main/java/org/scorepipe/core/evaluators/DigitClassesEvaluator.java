package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.Metrics;

/**
 * Mode coverage over the classes of a labelled image dataset (MNIST's ten digits), the digit
 * measure of the Chained-LD paper's image experiment: a {@link DigitClassifier} trained on the
 * {@code data} source's labelled images when the evaluator is built puts each sample in the class
 * {@code c(x) = argmax_c p_c(x)}, and with {@code K} classes and {@code n} samples
 * <pre>
 *   digit-shares   q_c = #{i : c(x_i) = c} / n                    c = 0 .. K-1
 *   digits-covered #{c : q_c >= coverage / K}
 * </pre>
 * A sampler that collapses onto a few digits covers few of them; one that stays in one mode of
 * a flipped target is the {@code image-modes} evaluator's to flag (the classifier, trained on both
 * modes, sorts flipped digits by digit too).
 *
 * <p><b>Its floor.</b> The same measure on {@code n} real images the classifier never saw (the
 * {@code holdout} fraction of {@code data}'s images kept out of training, drawn with the
 * evaluation's noise), as {@code digit-shares-floor} {@code r_c} and {@code digits-covered-floor};
 * the misclassified images count as the classifier counts them, in both. Then
 * <pre>
 *   digit-shares-tv        = (1/2) sum_c |q_c - r_c|                    total variation to the floor
 *   digit-shares-tv-noise  = sum_c sqrt( r_c (1 - r_c) / (pi n) )
 * </pre>
 * the second the expected total variation between two independent samples of {@code n} images
 * with shares {@code r} (each difference {@code q_c - r_c} about normal with variance
 * {@code 2 r_c (1 - r_c) / n}, and {@code E|Z| = sigma sqrt(2 / pi)}): samples of the data's law
 * sit near it, a sampler that misses digits far above. {@code classifier-accuracy} is the share
 * of held-out images classified as their label, for reading the rest.
 *
 * <p>The counts of a block are exact integers, so the evaluator merges: a distributed runner
 * sums {@code K} numbers per chunk.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "digit-classes",
        doc = "Shares of the ten digits (the classes of data's labelled images) among the samples by a small classifier"
                + " trained on data, digits covered, total variation to the floor: the same on held-out real images.")
public final class DigitClassesEvaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section; {@code data:} names the labelled training images. */
    public record Params(
            @Doc("a digit is covered when its share is at least coverage / K (K classes, 10 digits)") @Default("0.5")
            double coverage,
            @Doc("units of the classifier's hidden layer") @Default("64") int hidden,
            @Doc("passes of mini-batch gradient descent over the training images") @Default("10") int epochs,
            @Doc("the classifier's learning rate (halved for the last quarter of the epochs)") @Default("0.05")
            double learningRate,
            @Doc("fraction of data's images kept out of training: the accuracy's test set and the floor's real images")
            @Default("0.1") double holdout) {
        public Params {
            if (!(coverage > 0 && coverage <= 1)) {
                throw new IllegalArgumentException("coverage is a fraction of the uniform share 1/K, in (0, 1]; got "
                        + coverage);
            }
            new DigitClassifier.Settings(hidden, epochs, learningRate, holdout);
        }

        DigitClassifier.Settings settings() {
            return new DigitClassifier.Settings(hidden, epochs, learningRate, holdout);
        }
    }

    private final Params params;
    private final DigitClassifier classifier;

    @Inject
    public DigitClassesEvaluator(Params params, DataSource data, BuildNoise noise) {
        this.params = requireNonNull(params, "params is null");
        this.classifier = DigitClassifier.of(data, noise, params.settings(), "data");
    }

    /** The block's count of samples in each class. */
    @Override
    public double[] partial(Block block, EvalContext context) {
        classifier.checkDimension(block.dimension(), "digit-classes");
        return counts(block.data(), block.offset(), block.size());
    }

    private double[] counts(double[] x, int offset, int n) {
        double[] counts = new double[classifier.classes()];
        int d = classifier.dimension();
        for (int r = 0; r < n; r++) {
            counts[classifier.classOf(x, offset + r * d)]++;
        }
        return counts;
    }

    @Override
    public Metrics combine(double[] counts, long n, EvalContext context) {
        if (n == 0) {
            throw new IllegalArgumentException("the digit-classes evaluator needs at least one particle");
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the digit-classes floor classifies as many real images as there are"
                    + " particles; " + n + " are too many");
        }
        int k = classifier.classes();
        double[] shares = shares(counts, n);
        double[] floor = shares(counts(classifier.drawHeldOut(context.noise(), (int) n), 0, (int) n), n);
        double tv = 0.0;
        double tvNoise = 0.0;
        for (int c = 0; c < k; c++) {
            tv += 0.5 * Math.abs(shares[c] - floor[c]);
            tvNoise += Math.sqrt(floor[c] * (1 - floor[c]) / (Math.PI * n));
        }
        return Metrics.builder()
                .put("digit-shares", shares)
                .put("digits-covered", covered(shares))
                .put("digit-shares-floor", floor)
                .put("digits-covered-floor", covered(floor))
                .put("digit-shares-tv", tv)
                .put("digit-shares-tv-noise", tvNoise)
                .put("classifier-accuracy", classifier.accuracy())
                .build();
    }

    private static double[] shares(double[] counts, long n) {
        double[] shares = new double[counts.length];
        for (int c = 0; c < counts.length; c++) {
            shares[c] = counts[c] / n;
        }
        return shares;
    }

    private double covered(double[] shares) {
        int covered = 0;
        for (double share : shares) {
            covered += share >= params.coverage() / shares.length ? 1 : 0;
        }
        return covered;
    }
}
