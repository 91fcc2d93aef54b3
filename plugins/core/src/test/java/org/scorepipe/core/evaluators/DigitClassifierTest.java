package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Noise;
import org.scorepipe.core.sources.ImageSource;
import org.scorepipe.runtime.noise.PhiloxBuildNoise;

class DigitClassifierTest {
    private static final DigitClassifier.Settings SETTINGS = new DigitClassifier.Settings(64, 10, 0.05, 0.1);

    private static DigitClassifier shared() {
        return DigitClassifier.of(DigitImages.TARGET, DigitImages.BUILD_NOISE, SETTINGS, "data");
    }

    /** The share of {@code source}'s images the classifier labels as their label. */
    private static double accuracy(DigitClassifier classifier, ImageSource source) {
        double[] x = source.points().orElseThrow();
        int[] labels = source.labels().orElseThrow();
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            correct += classifier.classOf(x, i * DigitImages.D) == labels[i] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /**
     * On the 1000 images of the pipeline's held-out part, never trained on, the classifier gets
     * digits right in both modes: MNIST at 14 x 14 is about 90% for a linear classifier of one mode;
     * 0.85 in each mode is a floor a working network clears (the standard error of an accuracy
     * near 0.9 over 1000 images is 0.01). Its own test split says the same.
     */
    @Test
    void classifiesOriginalAndFlippedDigitsOfUnseenImages() {
        DigitClassifier classifier = shared();
        assertEquals(10, classifier.classes());
        assertEquals(DigitImages.D, classifier.dimension());
        assertEquals(900, classifier.heldOutCount(), "10% of the 9000 training images");
        double originals = accuracy(classifier, DigitImages.HELD_OUT_ORIGINALS);
        double flipped = accuracy(classifier, DigitImages.source(1.0, ImageSource.Part.HELD_OUT, "labels"));
        assertTrue(originals > 0.85, "accuracy on original digits " + originals);
        assertTrue(flipped > 0.85, "accuracy on flipped digits " + flipped);
        assertTrue(classifier.accuracy() > 0.85, "accuracy on its held-out split " + classifier.accuracy());
    }

    /** Trained twice from scratch with the same seed, the networks agree on every feature bit. */
    @Test
    void trainingIsDeterministicAndSharedWithinARun() {
        DigitClassifier.Settings small = new DigitClassifier.Settings(8, 1, 0.05, 0.1);
        DigitClassifier a = new DigitClassifier(DigitImages.TARGET, new PhiloxBuildNoise(3), small, "data");
        DigitClassifier b = new DigitClassifier(DigitImages.TARGET, new PhiloxBuildNoise(3), small, "data");
        double[] x = DigitImages.HELD_OUT.points().orElseThrow();
        assertArrayEquals(a.features(x, 0, 50), b.features(x, 0, 50), 0.0);
        assertSame(shared(), shared(), "one network per source, build noise and settings");
    }

    @Test
    void refusesDataWithoutLabelsOrWithoutImages() {
        ImageSource unlabelled = DigitImages.source(0.5, ImageSource.Part.TRAIN, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DigitClassifier(unlabelled, DigitImages.BUILD_NOISE, SETTINGS, "data"));
        assertTrue(e.getMessage().startsWith("data names images without labels"), e.getMessage());
        assertTrue(e.getMessage().contains("labels:"), e.getMessage());
        DataSource distribution = new DataSource() {
            @Override
            public int dimension() {
                return DigitImages.D;
            }

            @Override
            public void sample(Block block, Noise noise) {
                throw new AssertionError("not drawn");
            }
        };
        e = assertThrows(IllegalArgumentException.class,
                () -> new DigitClassifier(distribution, DigitImages.BUILD_NOISE, SETTINGS, "data"));
        assertTrue(e.getMessage().startsWith("data must name a finite labelled image dataset"), e.getMessage());
    }
}
