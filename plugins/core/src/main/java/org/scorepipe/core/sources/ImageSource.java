package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NumpyArray;
import org.scorepipe.api.PipelineSpec;

/**
 * An image dataset read from a {@code .npy} file or an {@code .npz} array ({@code key}) of shape
 * {@code [n, h, w]} or {@code [n, c, h, w]}, transformed once when the source is built, then
 * sampled with replacement like every file source (particle {@code i} takes the row
 * {@code floor(u n)}, {@code u} its stream-0 uniform; see {@link DataRows}). Each image is
 * flattened in C order to {@code d = c h' w'} values; {@link #shape()} keeps {@code [c, h', w']}
 * ({@code [h', w']} for a file without channels) and {@link #labels()} the labels, for mode
 * measures. A relative path is resolved against the pipeline file's folder (the working directory
 * for {@code --set}; see {@link FilePath}).
 *
 * <p>The transforms, in this order, for image {@code i} (its index in the file) with
 * intensities {@code x} in {@code [0, 1]}:
 * <pre>
 *   x        = k / 255                          uint8 data (MNIST's bytes); float data must already lie in [0, 1]
 *   x'[a, b] = (1 / f^2) sum_{0 &lt;= p, q &lt; f} x[f a + p, f b + q]      average pooling by f (h, w divisible by f)
 *   x''      = 1 - x'   if u_i &lt; p_flip, else x'                 the flip into the second mode
 *   y        = x''  (range unit)   or   2 x'' - 1  (range symmetric)
 * </pre>
 * The flip {@code x -> 1 - x} in {@code [0, 1]} is {@code y -> -y} in {@code [-1, 1]}; it turns
 * MNIST's dark background light, the two-mode target of the Chained-LD paper (Section 5, which
 * flips each training image i.i.d. with probability 1/2). {@code u_i} is the first uniform of
 * row {@code i}, stream 0, of the run's {@link BuildNoise} in the domain {@link #FLIP_DOMAIN}: a
 * pure function of the seed and the image's index, so the same images are flipped in every run
 * with that seed, whatever the split, thread count or runner.
 *
 * <p><b>The held-out split.</b> {@code holdout} is the fraction {@code q} of the file's images,
 * {@code m = round(q n)} of them, kept apart; {@code part} says which side this source serves
 * (the training images, or the held-out ones as the floor of a measure). {@code split: last}
 * holds out the last {@code m} images, {@code first} the first {@code m}, {@code permutation}
 * the {@code m} whose keys {@code v_i} are smallest ({@code v_i} the first uniform of row
 * {@code i} of the domain {@link #SPLIT_DOMAIN}, ties broken by index): a uniformly random
 * subset, the same for every run with that seed. Either part keeps the file's order. A file
 * sorted by label (as the shipped MNIST file is) needs {@code permutation}.
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "images",
        doc = "Images [n, h, w] or [n, c, h, w] from a .npy/.npz (uint8 or float), scaled to [0,1] or [-1,1],"
                + " average-pooled, randomly flipped x -> 1 - x (keyed by seed and index), split into train/held-out;"
                + " flattened with the shape and labels kept.")
public final class ImageSource implements DataSource {
    /** {@link BuildNoise} domain of the flips ("imgflips" in ASCII). */
    public static final long FLIP_DOMAIN = 0x696D67666C697073L;
    /** {@link BuildNoise} domain of the held-out permutation ("imgsplit" in ASCII). */
    public static final long SPLIT_DOMAIN = 0x696D6773706C6974L;

    /** The intensity range of the samples. */
    public enum Range {
        /** {@code [0, 1]}. */
        UNIT,
        /** {@code [-1, 1]}: {@code 2 x - 1}. */
        SYMMETRIC
    }

    /** How the held-out images are chosen. */
    public enum Split {
        PERMUTATION, FIRST, LAST
    }

    /** Which part of the split a source serves. */
    public enum Part {
        TRAIN, HELD_OUT
    }

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the .npy or .npz file of images [n, h, w] or [n, c, h, w] (relative: to the pipeline file's folder,"
                    + " or to the working directory when given with --set)") @FilePath String path,
            @Doc("the images' array in an .npz file; none for a .npy") @Default("") String key,
            @Doc("the labels' array [n] in the same .npz file (integers); none: no labels") @Default("") String labels,
            @Doc("intensity range of the samples: unit = [0, 1], symmetric = [-1, 1]") @Default("unit") Range range,
            @Doc("average pooling factor f: f x f pixels become one (28 x 28 -> 14 x 14 with 2); 1 = none")
            @Default("1") int pool,
            @Doc("probability that an image is flipped, x -> 1 - x in [0, 1] (-x in [-1, 1]), keyed by seed and index")
            @Default("0") double flip,
            @Doc("fraction of the images held out") @Default("0") double holdout,
            @Doc("which images are held out: permutation (a keyed random subset), first or last") @Default("permutation")
            Split split,
            @Doc("the part this source serves: train or held-out") @Default("train") Part part) {
        public Params {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path is empty; give the .npy or .npz file of images");
            }
            if (pool < 1) {
                throw new IllegalArgumentException("pool must be >= 1 (1 = no pooling), got " + pool);
            }
            if (!(flip >= 0 && flip <= 1)) {
                throw new IllegalArgumentException("flip is a probability, in [0, 1]; got " + flip);
            }
            if (!(holdout >= 0 && holdout < 1)) {
                throw new IllegalArgumentException("holdout is the held-out fraction, in [0, 1); got " + holdout);
            }
        }
    }

    private final int dimension;
    private final List<Integer> shape;
    private final DataRows rows;
    private final int[] labels;
    private final int[] indices;
    private final boolean[] flipped;

    @Inject
    public ImageSource(Params params, PipelineSpec pipeline, BuildNoise buildNoise) {
        this.dimension = pipeline.dimension();
        Path file = Path.of(params.path()).toAbsolutePath();
        NumpyArray images = FileArrays.read(file, params.key());
        String what = images.source();
        int[] s = images.shape();
        if (s.length != 3 && s.length != 4) {
            throw new IllegalArgumentException(what + " holds an array of shape " + FileArrays.shape(s) + ", not images"
                    + " [n, h, w] or [n, c, h, w]; reshape it (e.g. array.reshape(-1, 28, 28)), or read [n, d] rows"
                    + " with the data source type: npy");
        }
        int n = s[0];
        int c = s.length == 4 ? s[1] : 1;
        int h = s[s.length - 2];
        int w = s[s.length - 1];
        if (n < 1 || c < 1 || h < 1 || w < 1) {
            throw new IllegalArgumentException(what + " has the shape " + FileArrays.shape(s) + ": no images");
        }
        int f = params.pool();
        if (h % f != 0 || w % f != 0) {
            throw new IllegalArgumentException(what + " holds images of " + h + " x " + w + " pixels, which pool: " + f
                    + " does not divide; choose a pool factor that divides both");
        }
        int ph = h / f;
        int pw = w / f;
        this.shape = s.length == 4 ? List.of(c, ph, pw) : List.of(ph, pw);
        int d = c * ph * pw;
        if (d != dimension) {
            throw new IllegalArgumentException("dimension mismatch: " + what + " holds images of shape "
                    + FileArrays.sampleShape(s) + (f > 1 ? ", pooled by " + f + " to " + shape : "") + ", d = " + d
                    + " values, but the pipeline's dimension is " + dimension + "; set pipeline.dimension: " + d);
        }
        int[] allLabels = params.labels() == null ? null : readLabels(file, params.labels(), n);
        double[] unit = checkedValues(images);

        int held = (int) Math.round(params.holdout() * n);
        boolean[] heldOut = heldOut(n, held, params.split(), buildNoise.forDomain(SPLIT_DOMAIN));
        boolean train = params.part() == Part.TRAIN;
        int size = 0;
        for (boolean x : heldOut) {
            size += x == train ? 0 : 1;
        }
        if (size == 0) {
            throw new IllegalArgumentException(what + " has " + n + " images; holdout: " + params.holdout() + " leaves none"
                    + " for the " + (train ? "train" : "held-out") + " part");
        }
        this.indices = new int[size];
        for (int i = 0, j = 0; i < n; i++) {
            if (heldOut[i] != train) {
                indices[j++] = i;
            }
        }

        Noise flips = buildNoise.forDomain(FLIP_DOMAIN);
        double[] u = new double[1];
        this.flipped = new boolean[size];
        double[] data = new double[size * d];
        int pixels = h * w;
        // One division per output pixel: (sum of the window's bytes) / (255 f^2), exact for f = 1.
        double divisor = (images.dtype() == NumpyArray.Dtype.UINT8 ? 255.0 : 1.0) * f * f;
        for (int j = 0; j < size; j++) {
            int i = indices[j];
            flips.uniforms(i, 0, u, 0, 1);
            boolean flip = u[0] < params.flip();
            flipped[j] = flip;
            int out = j * d;
            for (int ch = 0; ch < c; ch++) {
                int in = (i * c + ch) * pixels;
                for (int a = 0; a < ph; a++) {
                    for (int b = 0; b < pw; b++) {
                        double sum = 0;
                        for (int p = 0; p < f; p++) {
                            int rowStart = in + (f * a + p) * w + f * b;
                            for (int q = 0; q < f; q++) {
                                sum += unit[rowStart + q];
                            }
                        }
                        double x = sum / divisor;
                        if (flip) {
                            x = 1.0 - x;
                        }
                        data[out++] = params.range() == Range.SYMMETRIC ? 2.0 * x - 1.0 : x;
                    }
                }
            }
        }
        this.rows = new DataRows(what, size, d, data);
        if (allLabels == null) {
            this.labels = null;
        } else {
            this.labels = new int[size];
            for (int j = 0; j < size; j++) {
                labels[j] = allLabels[indices[j]];
            }
        }
    }

    /** The file's values; float data is checked to hold intensities in [0, 1] (uint8 bytes are scaled while pooling). */
    private static double[] checkedValues(NumpyArray images) {
        double[] v = images.values();
        if (images.dtype() != NumpyArray.Dtype.UINT8) {
            for (int i = 0; i < v.length; i++) {
                if (!(v[i] >= 0.0 && v[i] <= 1.0)) {
                    throw new IllegalArgumentException(images.source() + " has the value " + v[i] + " at flat index " + i
                            + "; float images must hold intensities in [0, 1] (uint8 images are divided by 255)");
                }
            }
        }
        return v;
    }

    private static int[] readLabels(Path file, String key, int n) {
        NumpyArray array = NumpyArray.read(file, key);
        int[] s = array.shape();
        if (s.length != 1 || s[0] != n) {
            throw new IllegalArgumentException(array.source() + " has the shape " + FileArrays.shape(s) + "; labels must"
                    + " be one integer per image, shape (" + n + ",)");
        }
        int[] labels = new int[n];
        double[] v = array.values();
        for (int i = 0; i < n; i++) {
            if (!(v[i] >= 0 && v[i] == Math.rint(v[i]) && v[i] <= Integer.MAX_VALUE)) {
                throw new IllegalArgumentException(array.source() + " has the label " + v[i] + " at index " + i
                        + "; labels must be non-negative integers");
            }
            labels[i] = (int) v[i];
        }
        return labels;
    }

    /** Which of the {@code n} images are held out: {@code held} of them, chosen by {@code split}. */
    static boolean[] heldOut(int n, int held, Split split, Noise keys) {
        boolean[] out = new boolean[n];
        switch (split) {
            case FIRST -> Arrays.fill(out, 0, held, true);
            case LAST -> Arrays.fill(out, n - held, n, true);
            case PERMUTATION -> {
                double[] v = new double[n];
                double[] u = new double[1];
                Integer[] order = new Integer[n];
                for (int i = 0; i < n; i++) {
                    keys.uniforms(i, 0, u, 0, 1);
                    v[i] = u[0];
                    order[i] = i;
                }
                Arrays.sort(order, (a, b) -> v[a] != v[b] ? Double.compare(v[a], v[b]) : Integer.compare(a, b));
                for (int k = 0; k < held; k++) {
                    out[order[k]] = true;
                }
            }
            default -> throw new AssertionError(split);
        }
        return out;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public List<Integer> shape() {
        return shape;
    }

    /** Number of images this source serves (its part of the split). */
    public int size() {
        return rows.size();
    }

    /** The index in the file of each image served, in order. */
    public int[] fileIndices() {
        return indices.clone();
    }

    /** Whether each image served was flipped (the second mode), in order. */
    public boolean[] flipped() {
        return flipped.clone();
    }

    /** The transformed images, row-major: an empirical score uses them as they are. */
    @Override
    public Optional<double[]> points() {
        return Optional.of(rows.rows());
    }

    @Override
    public Optional<int[]> labels() {
        return labels == null ? Optional.empty() : Optional.of(labels.clone());
    }

    @Override
    public void sample(Block block, Noise noise) {
        rows.sample(block, noise, this);
    }
}
