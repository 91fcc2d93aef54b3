package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.Noise;
import org.scorepipe.api.PipelineSpec;

/**
 * A dataset read from a CSV file of numbers, one row of {@code d} comma-separated values per line
 * (blank lines and lines starting with {@code #} skipped, an optional header line), sampled with
 * replacement: each particle takes the row {@code floor(u n)}, {@code u} a uniform of its own
 * stream 0 (see {@link DataRows}). A relative path is resolved against the pipeline file's folder
 * (the working directory for {@code --set}; see {@link FilePath}).
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "csv",
        doc = "Rows of a CSV file of numbers (optional header line), each particle taking a uniformly chosen row.")
public final class CsvSource implements DataSource {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the .csv file (relative: to the pipeline file's folder,"
                    + " or to the working directory when given with --set)") @FilePath String path,
            @Doc("whether the first line is a header of column names, skipped") @Default("false") boolean header) {
        public Params {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path is empty; give the .csv file to read");
            }
        }
    }

    private final int dimension;
    private final DataRows rows;

    @Inject
    public CsvSource(Params params, PipelineSpec pipeline) {
        int d = pipeline.dimension();
        this.dimension = d;
        Path file = Path.of(params.path()).toAbsolutePath();
        String what = "the .csv file " + file;
        double[] data = new double[Math.max(16, 64 * d)];
        int n = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            boolean skipHeader = params.header();
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                String trimmed = line.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                    continue;
                }
                if (skipHeader) {
                    skipHeader = false;
                    continue;
                }
                String[] fields = trimmed.split(",", -1);
                if (fields.length != d) {
                    throw new IllegalArgumentException("dimension mismatch: line " + lineNumber + " of " + what + " has "
                            + fields.length + " values but the pipeline's dimension is " + d);
                }
                if ((long) (n + 1) * d > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(what + " holds more values than one Java array can");
                }
                if ((n + 1) * d > data.length) {
                    data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 8, 2L * data.length));
                }
                for (int j = 0; j < d; j++) {
                    String field = fields[j].strip();
                    try {
                        data[n * d + j] = Double.parseDouble(field);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("line " + lineNumber + ", column " + (j + 1) + " of " + what
                                + " is '" + field + "', not a number" + (n == 0 && !params.header()
                                        ? "; if the first line is a header, set header: true" : ""));
                    }
                }
                n++;
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(what + " does not exist; check path (" + FileArrays.RELATIVE + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + ": " + e.getMessage());
        }
        if (n == 0) {
            throw new IllegalArgumentException(what + " has no rows of numbers");
        }
        this.rows = new DataRows(what, n, d, Arrays.copyOf(data, n * d));
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
