package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

/**
 * An ensemble of {@code n} particles in {@code d} dimensions, stored row-major in one flat
 * {@code double[]}, together with the time {@code t} of the path they are at.
 *
 * <p>Row {@code r} occupies {@code data()[r * d .. r * d + d)}. Its global particle index is
 * {@code firstIndex() + r}: a runner that holds only a range of a larger ensemble (a Spark
 * partition) keeps the indices, so every particle draws the same noise wherever it runs.
 * Stages mutate the array in place; there are no per-particle objects.
 */
public final class Particles {
    private final int n;
    private final int dimension;
    private final long firstIndex;
    private final double[] data;
    private double time;

    /** Zero-filled particles {@code 0 .. n-1} at time 0. */
    public Particles(int n, int dimension) {
        this(n, dimension, 0L, new double[checkedSize(n, dimension)], 0.0);
    }

    /**
     * Wraps {@code data} (not copied) as particles {@code firstIndex .. firstIndex + n - 1}.
     */
    public Particles(int n, int dimension, long firstIndex, double[] data, double time) {
        requireNonNull(data, "data is null");
        if (data.length != checkedSize(n, dimension)) {
            throw new IllegalArgumentException("data has " + data.length + " values, expected n * d = "
                    + (long) n * dimension);
        }
        if (firstIndex < 0) {
            throw new IllegalArgumentException("firstIndex is negative: " + firstIndex);
        }
        this.n = n;
        this.dimension = dimension;
        this.firstIndex = firstIndex;
        this.data = data;
        this.time = time;
    }

    private static int checkedSize(int n, int dimension) {
        if (n < 0 || dimension <= 0) {
            throw new IllegalArgumentException("need n >= 0 and d > 0, got n = " + n + ", d = " + dimension);
        }
        long size = (long) n * dimension;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("n * d = " + size + " does not fit one Java array;"
                    + " split the ensemble (the Spark runner does)");
        }
        return (int) size;
    }

    /** Number of particles. */
    public int size() {
        return n;
    }

    public int dimension() {
        return dimension;
    }

    /** Global index of row 0. */
    public long firstIndex() {
        return firstIndex;
    }

    /** The row-major coordinates, shared, not copied. */
    public double[] data() {
        return data;
    }

    /** The time of the path the particles are at. */
    public double time() {
        return time;
    }

    public void setTime(double time) {
        this.time = time;
    }

    /** A view of rows {@code [from, to)}. */
    public Block block(int from, int to) {
        return new Block(this, from, to);
    }

    /** A view of every row. */
    public Block all() {
        return new Block(this, 0, n);
    }
}
