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
import org.scorepipe.api.Particles;

/**
 * The Fréchet distance between Gaussians fitted to classifier features of the samples and of
 * real images: the MNIST stand-in for FID (Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter,
 * "GANs trained by a two time-scale update rule converge to a local Nash equilibrium", NeurIPS
 * 2017), with the hidden layer {@code h(x)} of a {@link DigitClassifier} trained on the
 * {@code data} source's labelled images in place of Inception's pool features:
 * <pre>
 *   frechet = |mu_1 - mu_2|^2 + tr( S_1 + S_2 - 2 (S_2^{1/2} S_1 S_2^{1/2})^{1/2} )
 * </pre>
 * the squared 2-Wasserstein distance between {@code N(mu_1, S_1)}, the samples' feature mean and
 * unbiased covariance, and {@code N(mu_2, S_2)}, those of the classifier's training images (the
 * reference, fixed when the evaluator is built). {@code tr (S_2^{1/2} S_1 S_2^{1/2})^{1/2}} equals
 * {@code tr (S_1^{1/2} S_2 S_1^{1/2})^{1/2}} (both are the sum of the square roots of the
 * eigenvalues of {@code S_1 S_2}); the square roots come from symmetric eigen decompositions
 * (Hipparchus), as in {@link GaussianW2Evaluator}, whose closed form this shares.
 *
 * <p><b>Its floor.</b> Like FID, the number is biased upwards at small {@code n} (a sample
 * covariance of {@code n} points misses the reference's spread), so it is read against
 * {@code frechet-floor}: the same distance for {@code n} real images the classifier never saw
 * (the {@code holdout} fraction of {@code data}'s images, drawn with the evaluation's noise)
 * against the same reference. Samples of the data's law sit at the floor; noise, one mode of a
 * two-mode target, or collapsed digits sit above it.
 *
 * <p>The samples enter only through the additive sums {@code sum_i (h_i - mu_2)} and
 * {@code sum_i (h_i - mu_2)(h_i - mu_2)^T} ({@link Moments#sums}, shifted by the reference mean),
 * so the evaluator merges: {@code H + H^2} numbers per chunk, {@code H} the hidden units.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "digit-frechet",
        doc = "Frechet distance (FID-style) between Gaussian fits of the samples' and data's features in a small classifier"
                + " trained on data's labelled images; its floor: the same for held-out real images.")
public final class DigitFrechetEvaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section; {@code data:} names the labelled training images. */
    public record Params(
            @Doc("units of the classifier's hidden layer: the features' dimension") @Default("64") int hidden,
            @Doc("passes of mini-batch gradient descent over the training images") @Default("10") int epochs,
            @Doc("the classifier's learning rate (halved for the last quarter of the epochs)") @Default("0.05")
            double learningRate,
            @Doc("fraction of data's images kept out of training: the floor's real images") @Default("0.1")
            double holdout) {
        public Params {
            new DigitClassifier.Settings(hidden, epochs, learningRate, holdout);
        }

        DigitClassifier.Settings settings() {
            return new DigitClassifier.Settings(hidden, epochs, learningRate, holdout);
        }
    }

    private final DigitClassifier classifier;
    private final Moments reference;

    @Inject
    public DigitFrechetEvaluator(Params params, DataSource data, BuildNoise noise) {
        requireNonNull(params, "params is null");
        this.classifier = DigitClassifier.of(data, noise, params.settings(), "data");
        double[] train = classifier.trainImages();
        int m = train.length / classifier.dimension();
        this.reference = Moments.sample(classifier.features(train, 0, m), m, classifier.hidden());
    }

    /** {@code [sum_i (h_i - mu_2), sum_i (h_i - mu_2)(h_i - mu_2)^T]} of the block's features. */
    @Override
    public double[] partial(Block block, EvalContext context) {
        classifier.checkDimension(block.dimension(), "digit-frechet");
        return Moments.sums(featureBlock(block.data(), block.offset(), block.size()), reference.mean());
    }

    private Block featureBlock(double[] x, int offset, int n) {
        return new Particles(n, classifier.hidden(), 0, classifier.features(x, offset, n), 0.0).all();
    }

    @Override
    public Metrics combine(double[] stats, long n, EvalContext context) {
        if (n < 2) {
            throw new IllegalArgumentException("the digit-frechet evaluator needs at least 2 particles, got " + n);
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the digit-frechet floor draws as many real images as there are particles; "
                    + n + " are too many");
        }
        int h = classifier.hidden();
        Moments sample = Moments.fromSums(stats, n, reference.mean());
        Moments floor = Moments.sample(classifier.features(classifier.drawHeldOut(context.noise(), (int) n), 0, (int) n),
                (int) n, h);
        return Metrics.builder()
                .put("frechet", distance(sample))
                .put("frechet-floor", distance(floor))
                .build();
    }

    private double distance(Moments m) {
        return GaussianW2Evaluator.squared(m.mean(), m.covariance(), reference.mean(), reference.covariance(),
                classifier.hidden());
    }
}
