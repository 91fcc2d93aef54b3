package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Noise;

/**
 * A small classifier of labelled images (MNIST's digits), trained once from a finite labelled
 * data source when an image evaluator is built: the argmax of its class probabilities sorts
 * samples into classes ({@link DigitClassesEvaluator}) and its hidden layer is the feature space
 * of a Fréchet distance ({@link DigitFrechetEvaluator}), the MNIST stand-in for the Inception
 * network of FID.
 *
 * <p><b>The network.</b> One hidden layer of {@code H} tanh units and a softmax over the
 * {@code K = max label + 1} classes:
 * <pre>
 *   h(x) = tanh( W_1^T (x - xbar) + b_1 )            the features, H values
 *   p(x) = softmax( W_2^T h(x) + b_2 )               the class probabilities, K values
 *   class(x) = argmax_c p_c(x)                       (the first of equal maxima)
 * </pre>
 * with {@code xbar} the mean training image. A linear classifier cannot serve a target of two
 * modes: a flip {@code x -> 1 - x} turns {@code w . x} into {@code w . 1 - w . x}, so the hidden
 * layer is what lets one network classify digits and flipped digits alike; it is trained on
 * images as the source gives them (flipped with the source's probability).
 *
 * <p><b>Training.</b> The mean cross-entropy {@code -(1/m) sum_i log p_{y_i}(x_i)} is minimised
 * by mini-batch gradient descent with momentum ({@code v <- mu v - eta g}, {@code w <- w + v},
 * {@code mu = 0.9}, batches of {@link #BATCH}), a fixed number of epochs, the learning rate
 * halved for the last quarter of them. Nothing is random but keyed: the initial weights are
 * normals {@code N(0, 1/fan_in)} and each epoch's order of the images a keyed permutation, both
 * from the run's {@link BuildNoise} in the domain {@link #DOMAIN}; biases start at 0. Transcendental
 * functions are {@link StrictMath}'s, so the weights are the same bytes on every JVM and machine
 * (a Spark executor trains the same network as the driver).
 *
 * <p><b>Held-out images.</b> A keyed fraction of the source's images (the {@code holdout} smallest
 * keys of stream 0) is kept out of training: the classifier's {@link #accuracy()} is measured on
 * them, and they are the real images of the evaluators' floors, images the network never saw.
 * The evaluators take one data source, the labelled training images, and hold out the floor's
 * images from it themselves (rather than naming a second, held-out source as {@code image-modes}
 * does): a component is given one collaborator per kind, under the kind's key {@code data}.
 */
final class DigitClassifier {
    /** {@link BuildNoise} domain of the split, the initial weights and the epochs' orders ("digitcls" in ASCII). */
    static final long DOMAIN = 0x6469676974636C73L;
    /** Images per gradient step. */
    static final int BATCH = 32;
    private static final double MOMENTUM = 0.9;

    /** What a classifier is trained with: the evaluators' shared parameters. */
    record Settings(int hidden, int epochs, double learningRate, double holdout) {
        Settings {
            if (hidden < 1) {
                throw new IllegalArgumentException("hidden must be >= 1 (units of the classifier's hidden layer), got " + hidden);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1 (passes over the training images), got " + epochs);
            }
            if (!(learningRate > 0 && Double.isFinite(learningRate))) {
                throw new IllegalArgumentException("learning-rate must be a positive number, got " + learningRate);
            }
            if (!(holdout > 0 && holdout < 1)) {
                throw new IllegalArgumentException("holdout is the fraction of the labelled images kept out of training"
                        + " for the floor, in (0, 1); got " + holdout);
            }
        }
    }

    /** One network per data source and settings in a run: the two evaluators of one pipeline train it once. */
    private static final Map<DataSource, Map<BuildNoise, Map<Settings, DigitClassifier>>> TRAINED = new WeakHashMap<>();

    private final int d;
    private final int hidden;
    private final int classes;
    private final double[] mean;
    /** {@code d x H}, row-major: input pixel k's weights to every hidden unit, contiguous. */
    private final double[] w1;
    private final double[] b1;
    /** {@code H x K}, row-major. */
    private final double[] w2;
    private final double[] b2;
    private final double[] trainImages;
    private final double[] heldOutImages;
    private final double accuracy;

    /**
     * The classifier of {@code data}'s labelled images with {@code settings}, trained on first use
     * and shared by every evaluator of the same source, noise and settings.
     *
     * @param key the config key naming {@code data}, for messages
     */
    static DigitClassifier of(DataSource data, BuildNoise noise, Settings settings, String key) {
        requireNonNull(data, "data is null");
        requireNonNull(noise, "noise is null");
        synchronized (TRAINED) {
            Map<Settings, DigitClassifier> trained = TRAINED.computeIfAbsent(data, s -> new WeakHashMap<>())
                    .computeIfAbsent(noise, s -> new java.util.HashMap<>());
            DigitClassifier classifier = trained.get(settings);
            if (classifier == null) {
                classifier = new DigitClassifier(data, noise, settings, key);
                trained.put(settings, classifier);
            }
            return classifier;
        }
    }

    DigitClassifier(DataSource data, BuildNoise buildNoise, Settings settings, String key) {
        double[] points = data.points().orElseThrow(() -> new IllegalArgumentException(key + " must name a finite"
                + " labelled image dataset (an images source with labels:) to train the classifier on; this data source"
                + " draws from a distribution and has no images of its own"));
        int[] labels = data.labels().orElseThrow(() -> new IllegalArgumentException(key + " names images without labels;"
                + " the classifier needs one label per image: give the images source `labels:` (the shipped MNIST file's"
                + " array is `labels`)"));
        this.d = data.dimension();
        int m = labels.length;
        if (points.length != (long) m * d) {
            throw new IllegalArgumentException(key + " has " + points.length / d + " images but " + m + " labels");
        }
        int max = 0;
        for (int y : labels) {
            if (y < 0) {
                throw new IllegalArgumentException(key + " has the label " + y + "; class labels must be >= 0");
            }
            max = Math.max(max, y);
        }
        this.classes = max + 1;
        if (classes < 2) {
            throw new IllegalArgumentException(key + " has images of one class only (label 0); a classifier needs two or more");
        }
        this.hidden = settings.hidden();
        Noise noise = buildNoise.forDomain(DOMAIN);

        int held = (int) Math.round(settings.holdout() * m);
        if (held < 2 || m - held < 2) {
            throw new IllegalArgumentException(key + " has " + m + " images; holdout: " + settings.holdout() + " leaves "
                    + held + " for the floor and " + (m - held) + " for training, and each needs at least 2");
        }
        int[] order = keyedOrder(noise, 0, m);
        int[] heldIdx = Arrays.copyOfRange(order, 0, held);
        int[] trainIdx = Arrays.copyOfRange(order, held, m);
        Arrays.sort(heldIdx);
        Arrays.sort(trainIdx);
        this.heldOutImages = rows(points, heldIdx, d);
        this.trainImages = rows(points, trainIdx, d);
        int[] trainLabels = new int[trainIdx.length];
        for (int i = 0; i < trainIdx.length; i++) {
            trainLabels[i] = labels[trainIdx[i]];
        }

        int n = trainIdx.length;
        this.mean = new double[d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                mean[k] += trainImages[i * d + k];
            }
        }
        for (int k = 0; k < d; k++) {
            mean[k] /= n;
        }
        this.w1 = new double[d * hidden];
        this.b1 = new double[hidden];
        this.w2 = new double[hidden * classes];
        this.b2 = new double[classes];
        // Stream 1 (the split is stream 0, the epochs' orders 2, 3, ...): row k is input k's weights, row d + j hidden unit j's.
        double[] row = new double[Math.max(hidden, classes)];
        for (int k = 0; k < d; k++) {
            noise.normals(k, 1, row, 0, hidden);
            for (int j = 0; j < hidden; j++) {
                w1[k * hidden + j] = row[j] / Math.sqrt(d);
            }
        }
        for (int j = 0; j < hidden; j++) {
            noise.normals(d + j, 1, row, 0, classes);
            for (int c = 0; c < classes; c++) {
                w2[j * classes + c] = row[c] / Math.sqrt(hidden);
            }
        }
        train(trainLabels, n, noise, settings);

        int correct = 0;
        for (int i = 0; i < held; i++) {
            correct += classOf(heldOutImages, i * d) == labels[heldIdx[i]] ? 1 : 0;
        }
        this.accuracy = (double) correct / held;
    }

    private void train(int[] y, int n, Noise noise, Settings settings) {
        double[] vw1 = new double[w1.length];
        double[] vb1 = new double[hidden];
        double[] vw2 = new double[w2.length];
        double[] vb2 = new double[classes];
        double[] gw1 = new double[w1.length];
        double[] gb1 = new double[hidden];
        double[] gw2 = new double[w2.length];
        double[] gb2 = new double[classes];
        double[] xc = new double[d];
        double[] h = new double[hidden];
        double[] dz = new double[classes];
        double[] da = new double[hidden];
        int epochs = settings.epochs();
        for (int epoch = 0; epoch < epochs; epoch++) {
            double eta = epoch >= epochs - epochs / 4 ? settings.learningRate() / 2 : settings.learningRate();
            int[] order = keyedOrder(noise, 2 + epoch, n);
            for (int start = 0; start < n; start += BATCH) {
                int end = Math.min(n, start + BATCH);
                Arrays.fill(gw1, 0.0);
                Arrays.fill(gb1, 0.0);
                Arrays.fill(gw2, 0.0);
                Arrays.fill(gb2, 0.0);
                for (int s = start; s < end; s++) {
                    int i = order[s];
                    int o = i * d;
                    for (int k = 0; k < d; k++) {
                        xc[k] = trainImages[o + k] - mean[k];
                    }
                    hiddenOf(xc, h);
                    probabilities(h, dz);
                    // d(-log p_y)/dz_c = p_c - [c = y]
                    dz[y[i]] -= 1.0;
                    for (int j = 0; j < hidden; j++) {
                        double hj = h[j];
                        double back = 0.0;
                        int r = j * classes;
                        for (int c = 0; c < classes; c++) {
                            gw2[r + c] += hj * dz[c];
                            back += w2[r + c] * dz[c];
                        }
                        da[j] = back * (1.0 - hj * hj);
                    }
                    for (int c = 0; c < classes; c++) {
                        gb2[c] += dz[c];
                    }
                    for (int k = 0; k < d; k++) {
                        double xk = xc[k];
                        int r = k * hidden;
                        for (int j = 0; j < hidden; j++) {
                            gw1[r + j] += xk * da[j];
                        }
                    }
                    for (int j = 0; j < hidden; j++) {
                        gb1[j] += da[j];
                    }
                }
                double step = eta / (end - start);
                momentumStep(w1, vw1, gw1, step);
                momentumStep(b1, vb1, gb1, step);
                momentumStep(w2, vw2, gw2, step);
                momentumStep(b2, vb2, gb2, step);
            }
        }
    }

    private static void momentumStep(double[] w, double[] v, double[] g, double step) {
        for (int i = 0; i < w.length; i++) {
            v[i] = MOMENTUM * v[i] - step * g[i];
            w[i] += v[i];
        }
    }

    /** {@code h = tanh(W_1^T xc + b_1)} for a centred image {@code xc}. */
    private void hiddenOf(double[] xc, double[] h) {
        System.arraycopy(b1, 0, h, 0, hidden);
        for (int k = 0; k < d; k++) {
            double xk = xc[k];
            int r = k * hidden;
            for (int j = 0; j < hidden; j++) {
                h[j] += xk * w1[r + j];
            }
        }
        for (int j = 0; j < hidden; j++) {
            h[j] = StrictMath.tanh(h[j]);
        }
    }

    /** {@code p = softmax(W_2^T h + b_2)} into {@code p}, shifted by the largest logit against overflow. */
    private void probabilities(double[] h, double[] p) {
        System.arraycopy(b2, 0, p, 0, classes);
        for (int j = 0; j < hidden; j++) {
            double hj = h[j];
            int r = j * classes;
            for (int c = 0; c < classes; c++) {
                p[c] += hj * w2[r + c];
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, p[c]);
        }
        double sum = 0.0;
        for (int c = 0; c < classes; c++) {
            p[c] = StrictMath.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= sum;
        }
    }

    /** The features {@code h(x)} of the image at {@code x[offset .. offset + d)} into {@code out[outOffset ..)}. */
    void features(double[] x, int offset, double[] out, int outOffset) {
        double[] xc = new double[d];
        double[] h = new double[hidden];
        for (int k = 0; k < d; k++) {
            xc[k] = x[offset + k] - mean[k];
        }
        hiddenOf(xc, h);
        System.arraycopy(h, 0, out, outOffset, hidden);
    }

    /** The features of the {@code n} images of {@code x} from {@code offset}: {@code n x H}, row-major. */
    double[] features(double[] x, int offset, int n) {
        double[] out = new double[n * hidden];
        for (int i = 0; i < n; i++) {
            features(x, offset + i * d, out, i * hidden);
        }
        return out;
    }

    /** The class of the image at {@code x[offset .. offset + d)}: the argmax of its logits, the first of equal ones. */
    int classOf(double[] x, int offset) {
        double[] xc = new double[d];
        double[] h = new double[hidden];
        double[] p = new double[classes];
        for (int k = 0; k < d; k++) {
            xc[k] = x[offset + k] - mean[k];
        }
        hiddenOf(xc, h);
        probabilities(h, p);
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Pixels per image. */
    int dimension() {
        return d;
    }

    /** Units of the hidden layer: the dimension of the features. */
    int hidden() {
        return hidden;
    }

    /** Number of classes {@code K}. */
    int classes() {
        return classes;
    }

    /** Share of the held-out images classified as their label. */
    double accuracy() {
        return accuracy;
    }

    /** The training images, row-major (not a copy: read only). */
    double[] trainImages() {
        return trainImages;
    }

    /** The held-out images, row-major (not a copy: read only), the real images of the floors. */
    double[] heldOutImages() {
        return heldOutImages;
    }

    /** Number of held-out images. */
    int heldOutCount() {
        return heldOutImages.length / d;
    }

    /**
     * {@code n} held-out images drawn with the evaluation's noise, with replacement as a file
     * source samples: particle {@code i} takes image {@code floor(u_i m)}, {@code u_i} its first
     * uniform of stream 0. The same images for every evaluator given the same noise.
     */
    double[] drawHeldOut(Noise noise, int n) {
        int m = heldOutCount();
        double[] out = new double[n * d];
        double[] u = new double[1];
        for (int i = 0; i < n; i++) {
            noise.uniforms(i, 0, u, 0, 1);
            int row = Math.min(m - 1, (int) (u[0] * m));
            System.arraycopy(heldOutImages, row * d, out, i * d, d);
        }
        return out;
    }

    /** Throws, naming {@code what}, unless images of {@code dimension} pixels are what the classifier was trained on. */
    void checkDimension(int dimension, String what) {
        if (dimension != d) {
            throw new IllegalArgumentException("the classifier of " + what + " was trained on images of d = " + d
                    + " pixels (its data:), but the particles have d = " + dimension
                    + "; give it labelled images of the particles' shape");
        }
    }

    /** {@code 0 .. m-1} sorted by the first uniform of row {@code i}, stream {@code stream} (ties by index). */
    private static int[] keyedOrder(Noise noise, int stream, int m) {
        double[] v = new double[m];
        double[] u = new double[1];
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            noise.uniforms(i, stream, u, 0, 1);
            v[i] = u[0];
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> v[a] != v[b] ? Double.compare(v[a], v[b]) : Integer.compare(a, b));
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = order[i];
        }
        return out;
    }

    private static double[] rows(double[] points, int[] idx, int d) {
        double[] out = new double[idx.length * d];
        for (int i = 0; i < idx.length; i++) {
            System.arraycopy(points, idx[i] * d, out, i * d, d);
        }
        return out;
    }
}
