package org.scorepipe.spark;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.scorepipe.api.Particles;

/**
 * The Parquet layout of a saved ensemble: one row per particle, {@code index} (int64, the
 * particle's global index) and {@code x} (a list of float64, its coordinates), as Spark SQL
 * writes it. Reading uses Parquet's own reader, so it works on the driver, in a task, or in a
 * plain JVM with the Hadoop and Parquet jars, with no Spark session.
 */
public final class ParquetDatasets {
    /** The schema the Spark runner writes. */
    public static final StructType SCHEMA = new StructType()
            .add("index", DataTypes.LongType, false)
            .add("x", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

    private ParquetDatasets() {
    }

    /**
     * Reads a dataset (a folder of part files, or one file) into particles ordered by index;
     * the indices must be exactly {@code 0 .. n-1}, each once.
     *
     * @param location a path or a Hadoop URI
     */
    public static Particles read(String location, Configuration conf) throws IOException {
        Path path = location.contains(":") && !location.startsWith("/") ? new Path(URI.create(location)) : new Path(location);
        long[] indices = new long[1024];
        double[] values = new double[1024];
        int rows = 0;
        int d = -1;
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), path).withConf(conf).build()) {
            for (Group g = reader.read(); g != null; g = reader.read()) {
                Group x = g.getGroup("x", 0);
                int count = x.getFieldRepetitionCount("list");
                if (d < 0) {
                    d = count;
                    if (d < 1) {
                        throw new IOException(location + ": row " + rows + " has no coordinates");
                    }
                } else if (count != d) {
                    throw new IOException(location + ": rows of " + d + " and of " + count + " coordinates; every row must have"
                            + " the same number");
                }
                if (rows == indices.length) {
                    indices = java.util.Arrays.copyOf(indices, rows * 2);
                }
                if ((long) (rows + 1) * d > values.length) {
                    values = java.util.Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * values.length,
                            (long) (rows + 1) * d)));
                }
                indices[rows] = g.getLong("index", 0);
                for (int j = 0; j < d; j++) {
                    values[rows * d + j] = x.getGroup("list", j).getDouble("element", 0);
                }
                rows++;
            }
        }
        if (rows == 0) {
            throw new IOException(location + " holds no rows");
        }
        double[] ordered = new double[rows * d];
        boolean[] seen = new boolean[rows];
        for (int r = 0; r < rows; r++) {
            long i = indices[r];
            if (i < 0 || i >= rows || seen[(int) i]) {
                throw new IOException(location + ": particle index " + i + " is " + (i < 0 || i >= rows ? "outside 0.." + (rows - 1)
                        : "there twice") + "; a saved ensemble holds every index from 0 to n-1 once");
            }
            seen[(int) i] = true;
            System.arraycopy(values, r * d, ordered, (int) i * d, d);
        }
        return new Particles(rows, d, 0, ordered, 0.0);
    }
}
