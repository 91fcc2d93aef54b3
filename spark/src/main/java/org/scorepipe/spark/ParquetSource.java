package org.scorepipe.spark;

import jakarta.inject.Inject;
import java.io.IOException;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;

import java.util.Optional;

/**
 * The rows of a Parquet dataset as a {@code save} stage with {@code format: parquet} writes it
 * ({@link ParquetDatasets}: {@code index}, {@code x}), sampled with replacement like the
 * {@code npy} source: particle {@code i} takes row {@code floor(u m)}, {@code u} the first
 * uniform of its stream 0. So a saved run can be the reference of a later run's
 * {@code evaluate} stage (or its empirical score's data), from any Hadoop file system.
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "parquet",
        doc = "Rows of a Parquet dataset written by `save` with format: parquet (columns index, x), each particle taking a uniformly"
                + " chosen row.")
public final class ParquetSource implements DataSource {
    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("the dataset: a folder of part files or one file, a local path (relative: to the pipeline"
            + " file's folder, or to the working directory when given with --set) or a Hadoop URI") @FilePath String path) {
        public Params {
            if (path == null || path.isBlank()) {
                throw new IllegalArgumentException("path is empty; give the Parquet dataset to read");
            }
        }
    }

    private final int dimension;
    private final int size;
    private final double[] rows;

    @Inject
    public ParquetSource(Params params, PipelineSpec pipeline) {
        this.dimension = pipeline.dimension();
        Particles data;
        try {
            data = ParquetDatasets.read(params.path(), SparkRunnerFactory.hadoopConf(java.util.Map.of()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read the Parquet dataset " + params.path() + ": " + e.getMessage());
        }
        if (data.dimension() != dimension) {
            throw new IllegalArgumentException("dimension mismatch: the Parquet dataset " + params.path() + " has rows of d = "
                    + data.dimension() + " values but the pipeline's dimension is " + dimension);
        }
        this.size = data.size();
        this.rows = data.data();
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Optional<double[]> points() {
        return Optional.of(rows.clone());
    }

    @Override
    public void sample(Block block, Noise noise) {
        int d = dimension;
        double[] x = block.data();
        int offset = block.offset();
        double[] u = block.workspace(this, 1);
        for (int r = 0; r < block.size(); r++) {
            noise.uniforms(block.particleIndex(r), 0, u, 0, 1);
            // u < 1, so the row is at most m - 1; the min guards the rounding of u * m.
            int k = Math.min((int) (u[0] * size), size - 1);
            System.arraycopy(rows, k * d, x, offset + r * d, d);
        }
    }
}
