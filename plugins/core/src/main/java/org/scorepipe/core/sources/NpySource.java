package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.PipelineSpec;

/**
 * A dataset read from a NumPy {@code .npy} file holding a float64 {@code [n, d]} array (C order,
 * little-endian, as {@code np.save} writes {@code np.float64} data), sampled with replacement: each
 * particle takes the row {@code floor(u n)}, {@code u} a uniform of its own stream 0 (see
 * {@link DataRows}). The path is resolved against the working directory.
 *
 * <p>The format (numpy.lib.format): the magic {@code \x93NUMPY}, a major and minor version, the
 * header length (2 bytes little-endian in version 1, 4 bytes in versions 2 and 3), a Python dict
 * literal with {@code descr}, {@code fortran_order} and {@code shape}, then the raw values.
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "npy",
        doc = "Rows of a float64 [n, d] .npy file, each particle taking a uniformly chosen row.")
public final class NpySource implements DataSource {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("the .npy file, relative to the working directory") String path) {
        public Params {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path is empty; give the .npy file to read");
            }
        }
    }

    private final int dimension;
    private final DataRows rows;

    @Inject
    public NpySource(Params params, PipelineSpec pipeline) {
        this.dimension = pipeline.dimension();
        Path file = Path.of(params.path()).toAbsolutePath();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("the .npy file " + file + " does not exist; check path (it is resolved"
                    + " against the working directory)");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the .npy file " + file + ": " + e.getMessage());
        }
        this.rows = parse(file, bytes, dimension);
    }

    static DataRows parse(Path file, byte[] bytes, int dimension) {
        String what = "the .npy file " + file;
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < MAGIC.length + 4) {
            throw new IllegalArgumentException(what + " is too short (" + bytes.length + " bytes) to be a .npy file");
        }
        for (byte b : MAGIC) {
            if (buffer.get() != b) {
                throw new IllegalArgumentException(what + " is not a .npy file (it does not start with \\x93NUMPY)");
            }
        }
        int major = buffer.get();
        buffer.get();
        long headerLength;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(buffer.getShort());
        } else if (major == 2 || major == 3) {
            if (buffer.remaining() < 4) {
                throw new IllegalArgumentException(what + " is truncated inside its header");
            }
            headerLength = Integer.toUnsignedLong(buffer.getInt());
        } else {
            throw new IllegalArgumentException(what + " has format version " + major + ", which is not 1, 2 or 3");
        }
        if (headerLength > buffer.remaining()) {
            throw new IllegalArgumentException(what + " is truncated inside its header");
        }
        String header = new String(bytes, buffer.position(), (int) headerLength, StandardCharsets.ISO_8859_1).trim();
        buffer.position(buffer.position() + (int) headerLength);
        Matcher descr = DESCR.matcher(header);
        if (!descr.find() || !descr.group(1).equals("<f8")) {
            throw new IllegalArgumentException(what + " does not hold little-endian float64 values ('descr': '<f8'), its"
                    + " header is " + header + "; save it with array.astype(np.float64)");
        }
        Matcher fortran = FORTRAN.matcher(header);
        if (!fortran.find() || !fortran.group(1).equals("False")) {
            throw new IllegalArgumentException(what + " is not in C order, its header is " + header
                    + "; save np.ascontiguousarray(array)");
        }
        Matcher shape = SHAPE.matcher(header);
        if (!shape.find()) {
            throw new IllegalArgumentException(what + " has no shape in its header " + header);
        }
        String[] sizes = shape.group(1).split(",");
        long n;
        long d;
        try {
            if (sizes.length != 2 || sizes[1].isBlank()) {
                throw new NumberFormatException();
            }
            n = Long.parseLong(sizes[0].trim());
            d = Long.parseLong(sizes[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " holds an array of shape (" + shape.group(1) + "), not [n, d]"
                    + " (two dimensions); reshape it, e.g. array.reshape(-1, 1) for one column");
        }
        if (d != dimension) {
            throw new IllegalArgumentException("dimension mismatch: " + what + " has rows of d = " + d
                    + " values but the pipeline's dimension is " + dimension);
        }
        if (n < 1) {
            throw new IllegalArgumentException(what + " has no rows");
        }
        long expected = n * d * Double.BYTES;
        if (n * d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " holds " + n * d + " values, more than one Java array can");
        }
        if (buffer.remaining() != expected) {
            throw new IllegalArgumentException(what + " is corrupt: its header promises " + n + " x " + d + " float64 values ("
                    + expected + " bytes) but " + buffer.remaining() + " bytes follow the header");
        }
        double[] data = new double[(int) (n * d)];
        buffer.asDoubleBuffer().get(data);
        return new DataRows(what, (int) n, (int) d, data);
    }

    @Override
    public int dimension() {
        return dimension;
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
