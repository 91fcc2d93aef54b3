package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Rows {@code [from, to)} of a {@link Particles}: the unit of parallel work.
 *
 * <p>Coordinates are read and written in the shared array: row {@code r} of the block is at
 * {@code data()[offset(r) ..  offset(r) + d)}. A block is owned by one thread for a whole
 * segment of steps, so it also carries that thread's scratch space: {@link #workspace} hands a
 * component the same array at every step, and the hot loops allocate nothing.
 */
public final class Block {
    private final Particles particles;
    private final int from;
    private final int to;
    private final Map<Object, double[]> workspaces = new IdentityHashMap<>();
    private final Map<Object, long[]> counts = new IdentityHashMap<>();
    private Metrics report;

    public Block(Particles particles, int from, int to) {
        this.particles = requireNonNull(particles, "particles is null");
        if (from < 0 || to < from || to > particles.size()) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside [0, "
                    + particles.size() + ")");
        }
        this.from = from;
        this.to = to;
    }

    public Particles particles() {
        return particles;
    }

    /** First row (inclusive) in {@link #particles()}. */
    public int from() {
        return from;
    }

    /** Last row (exclusive) in {@link #particles()}. */
    public int to() {
        return to;
    }

    /** Number of rows. */
    public int size() {
        return to - from;
    }

    public int dimension() {
        return particles.dimension();
    }

    /** The whole ensemble's array; this block's rows start at {@link #offset()}. */
    public double[] data() {
        return particles.data();
    }

    /** Index in {@link #data()} of the block's first coordinate. */
    public int offset() {
        return from * particles.dimension();
    }

    /** Global particle index of the block's row {@code row} (0-based within the block). */
    public long particleIndex(int row) {
        return particles.firstIndex() + from + row;
    }

    /**
     * Scratch space of at least {@code length} doubles that belongs to {@code owner} for the
     * lifetime of this block. The same array comes back on every call with the same owner;
     * its contents are whatever the owner left there.
     */
    public double[] workspace(Object owner, int length) {
        double[] w = workspaces.get(owner);
        if (w == null || w.length < length) {
            w = new double[length];
            workspaces.put(owner, w);
        }
        return w;
    }

    /**
     * The counts that {@code owner}, a {@link Counting} component, has added in this block: an
     * array of {@code length} longs, zero when the block is made, the same array on every call.
     * The runner sums them over every block when a segment ends; they are the only place a
     * component's counts live.
     */
    public long[] counts(Counting owner, int length) {
        long[] c = counts.get(owner);
        if (c == null) {
            c = new long[length];
            counts.put(owner, c);
        } else if (c.length != length) {
            throw new IllegalArgumentException("counts of " + owner.getClass().getSimpleName() + " have length " + c.length
                    + ", asked for " + length);
        }
        return c;
    }

    /** What {@code owner} counted in this block, or null if it counted nothing. */
    public long[] countsOf(Counting owner) {
        return counts.get(owner);
    }

    /**
     * What {@code owner} remembers of every particle of the ensemble ({@link Particles#rowState}):
     * row {@code from() + r} of the array, at {@code (from() + r) * owner.rowWidth(dimension())},
     * is the block's row {@code r}. A step reads and writes only its block's rows.
     */
    public double[] rowState(RowMemory owner) {
        return particles.rowState(owner);
    }

    /**
     * Records what a {@link Stage#wholeEnsemble whole-ensemble} stage's segment did, such as an
     * adaptive integration's accepted step sizes: the runtime records it under the stage's name,
     * at the time the segment reaches, as an observer's metrics are. Only a whole-ensemble stage
     * reports, since its one block is the ensemble and its report is the same on every runner;
     * what the blocks of any other stage tally belongs in {@link #counts}. A second report in the
     * same segment replaces the first.
     */
    public void report(Metrics metrics) {
        this.report = requireNonNull(metrics, "metrics is null");
    }

    /** What the stage {@link #report reported} in this block, if anything. */
    public Optional<Metrics> reported() {
        return Optional.ofNullable(report);
    }
}
