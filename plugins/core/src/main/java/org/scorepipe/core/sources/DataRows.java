package org.scorepipe.core.sources;

import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;

/**
 * A dataset of {@code n} rows in {@code d} dimensions, sampled with replacement: row {@code r}
 * of a block (particle {@code i}) becomes dataset row {@code floor(u n)}, {@code u} the first
 * uniform of stream 0 of {@code i}, so every row is equally likely and a particle's draw depends
 * on nothing but its index. The empirical distribution {@code (1/n) sum_k delta_{x_k}}.
 */
final class DataRows {
    /**
     * The largest |value| accepted: squared distances between such values over a million
     * dimensions, divided by a noise variance as small as 1e-100, stay below Double.MAX_VALUE
     * (about 1.8e308): (2e100)^2 * 1e6 / 1e-100 = 4e306.
     */
    static final double MAX_MAGNITUDE = 1e100;

    private final int size;
    private final int dimension;
    private final double[] rows;

    /**
     * Wraps {@code rows} ({@code size * dimension} values, row-major; not copied); {@code source}
     * names the dataset in messages.
     */
    DataRows(String source, int size, int dimension, double[] rows) {
        if (size < 1) {
            throw new IllegalArgumentException(source + " has no rows");
        }
        if (rows.length != (long) size * dimension) {
            throw new IllegalArgumentException(source + " has " + rows.length + " values, expected "
                    + (long) size * dimension);
        }
        for (int i = 0; i < rows.length; i++) {
            if (!Double.isFinite(rows[i])) {
                throw new IllegalArgumentException(source + ": row " + i / dimension + " (counting from 0) has the value "
                        + rows[i] + " in column " + i % dimension + "; every value must be a finite number");
            }
            if (Math.abs(rows[i]) > MAX_MAGNITUDE) {
                throw new IllegalArgumentException(source + ": row " + i / dimension + " (counting from 0) has the value "
                        + rows[i] + " in column " + i % dimension + "; values beyond +-" + MAX_MAGNITUDE + " overflow the"
                        + " squared distances a score computes: rescale the data (e.g. standardise each column)");
            }
        }
        this.size = size;
        this.dimension = dimension;
        this.rows = rows;
    }

    int size() {
        return size;
    }

    /** A copy of the rows, row-major. */
    double[] rows() {
        return rows.clone();
    }

    void sample(Block block, Noise noise, Object owner) {
        int d = dimension;
        double[] x = block.data();
        int offset = block.offset();
        double[] u = block.workspace(owner, 1);
        for (int r = 0; r < block.size(); r++) {
            noise.uniforms(block.particleIndex(r), 0, u, 0, 1);
            // u < 1, so the index is at most n - 1; the min guards the rounding of u * n.
            int k = Math.min((int) (u[0] * size), size - 1);
            System.arraycopy(rows, k * d, x, offset + r * d, d);
        }
    }
}
