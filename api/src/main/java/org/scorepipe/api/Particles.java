package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ensemble of {@code n} particles in {@code d} dimensions, stored row-major in one flat
 * {@code double[]}, together with the time {@code t} of the path they are at.
 *
 * <p>Row {@code r} occupies {@code data()[r * d .. r * d + d)}. Its global particle index is
 * {@code firstIndex() + r}: a runner that holds only a range of a larger ensemble (a Spark
 * partition) keeps the indices, so every particle draws the same noise wherever it runs.
 * Stages mutate the array in place; there are no per-particle objects.
 *
 * <p>The particles also carry the rows of the {@link RowMemory} components that work on them,
 * one flat array per component, {@code n * width} doubles, by the component's key path: what
 * the particles remember travels with them (a Spark range, a checkpoint), never in a component.
 */
public final class Particles {
    private final int n;
    private final int dimension;
    private final long firstIndex;
    private final double[] data;
    private double time;
    /** Row states by key; a key is a component's key path, or a made-up one for a component no runner named. */
    private final Map<String, double[]> rowStates = new LinkedHashMap<>();
    private final Map<RowMemory, String> rowStateKeys = new IdentityHashMap<>();

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

    /**
     * The rows of {@code owner}: {@code size() * owner.rowWidth(dimension())} doubles, row
     * {@code r} at {@code r * width}, all NaN until a step writes them; the same array on every
     * call. Blocks of the ensemble write disjoint rows of it.
     *
     * @throws IllegalStateException if the rows restored under the owner's key have another width
     */
    public synchronized double[] rowState(RowMemory owner) {
        requireNonNull(owner, "owner is null");
        String key = rowStateKeys.get(owner);
        if (key == null) {
            // Not named by a runner (a component stepped by hand, as in a unit test): a key no pipeline uses.
            key = "#" + owner.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(owner));
            rowStateKeys.put(owner, key);
        }
        int width = owner.rowWidth(dimension);
        double[] rows = rowStates.get(key);
        if (rows == null) {
            rows = new double[Math.multiplyExact(n, width)];
            Arrays.fill(rows, Double.NaN);
            rowStates.put(key, rows);
        } else if (rows.length != (long) n * width) {
            throw new IllegalStateException(key + ": the particles hold " + rows.length + " doubles of its row state, but "
                    + owner.getClass().getSimpleName() + " keeps " + width + " per particle for " + n + " particles");
        }
        return rows;
    }

    /**
     * Names {@code owner}'s rows {@code key} (its key path): what a runner does before a step, so
     * that rows restored under that key ({@link #putRowState}) are the owner's, and
     * {@link #rowStates} lists them under it.
     *
     * @throws IllegalStateException if the owner already has another key, or the key another owner
     */
    public synchronized void nameRowState(RowMemory owner, String key) {
        requireNonNull(owner, "owner is null");
        requireNonNull(key, "key is null");
        String had = rowStateKeys.get(owner);
        if (key.equals(had)) {
            return;
        }
        if (had != null) {
            throw new IllegalStateException(owner.getClass().getSimpleName() + " keeps its rows under " + had + ", not " + key);
        }
        for (Map.Entry<RowMemory, String> e : rowStateKeys.entrySet()) {
            if (e.getValue().equals(key)) {
                throw new IllegalStateException(key + " names the rows of another " + e.getKey().getClass().getSimpleName());
            }
        }
        rowStateKeys.put(owner, key);
    }

    /**
     * Takes {@code rows} (not copied) as the row state under {@code key}: a restored checkpoint's,
     * or a range's. Its length must be a multiple of the number of particles (any if there are none).
     */
    public synchronized void putRowState(String key, double[] rows) {
        requireNonNull(key, "key is null");
        requireNonNull(rows, "rows is null");
        if (n == 0 ? rows.length != 0 : rows.length % n != 0) {
            throw new IllegalArgumentException(key + ": " + rows.length + " doubles are no whole number of rows for " + n
                    + " particles");
        }
        rowStates.put(key, rows);
    }

    /** Every row state, by key, in the order they were made; the arrays are shared, not copied. */
    public synchronized Map<String, double[]> rowStates() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(rowStates));
    }
}
