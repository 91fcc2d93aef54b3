package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Block;
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
 * A dataset read from a NumPy {@code .npy} file, or from one array of an {@code .npz} archive
 * ({@code key}), sampled with replacement: each particle takes the row {@code floor(u n)},
 * {@code u} a uniform of its own stream 0 (see {@link DataRows}). A relative path is resolved
 * against the pipeline file's folder (the working directory for {@code --set}; see {@link FilePath}).
 *
 * <p>The array is float64 or float32 (PyTorch's default, widened exactly), C order, of shape
 * {@code [n, d]} or {@code [n, s_1, ..., s_k]}: row {@code i} is sample {@code i} flattened in C
 * order to {@code d = s_1 ... s_k} values, and {@link #shape()} keeps {@code [s_1, ..., s_k]}.
 * The file is read by {@link NumpyArray} (the format, and what is refused, is described there).
 * For uint8 images with scaling, pooling and flips, see {@link ImageSource}.
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "npy",
        doc = "Rows of a float64/float32 .npy file (or an .npz array by key), [n, d] or [n, ...] flattened,"
                + " each particle taking a uniformly chosen row.")
public final class NpySource implements DataSource {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the .npy or .npz file (relative: to the pipeline file's folder,"
                    + " or to the working directory when given with --set)") @FilePath String path,
            @Doc("the array's name in an .npz file (np.savez's keyword); none for a .npy") @Default("") String key) {
        public Params {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path is empty; give the .npy file to read");
            }
        }

        /** A {@code .npy} file. */
        public Params(String path) {
            this(path, null);
        }
    }

    private final int dimension;
    private final List<Integer> shape;
    private final DataRows rows;

    @Inject
    public NpySource(Params params, PipelineSpec pipeline) {
        this.dimension = pipeline.dimension();
        Path file = Path.of(params.path()).toAbsolutePath();
        NumpyArray array = FileArrays.read(file, params.key());
        if (array.dtype() == NumpyArray.Dtype.UINT8) {
            throw new IllegalArgumentException(array.source() + " holds uint8 values; for images use the data source"
                    + " type: images (it scales them), or save the array with array.astype(np.float32)");
        }
        int[] s = array.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException(array.source() + " holds an array of shape " + FileArrays.shape(s)
                    + ", not [n, d] (rows of samples); reshape it, e.g. array.reshape(-1, 1) for one column");
        }
        this.shape = FileArrays.sampleShape(s);
        long d = FileArrays.product(shape);
        if (d != dimension) {
            throw new IllegalArgumentException("dimension mismatch: " + array.source() + " has rows of d = " + d
                    + " values" + (shape.size() > 1 ? " (samples of shape " + shape + ")" : "")
                    + " but the pipeline's dimension is " + dimension);
        }
        this.rows = new DataRows(array.source(), s[0], dimension, array.values());
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public List<Integer> shape() {
        return shape;
    }

    /** Number of rows in the file. */
    public int size() {
        return rows.size();
    }

    /** A copy of the file's rows, row-major. */
    public double[] rows() {
        return rows.rows();
    }

    /** The file's rows themselves: an empirical score uses them as they are. */
    @Override
    public Optional<double[]> points() {
        return Optional.of(rows.rows());
    }

    @Override
    public void sample(Block block, Noise noise) {
        rows.sample(block, noise, this);
    }
}
