package org.scorepipe.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.checkpoint.CheckpointShard;
import org.scorepipe.runtime.run.Counts;

/**
 * One partition's particles: the contiguous range {@code [firstIndex, firstIndex + n)} of the
 * ensemble, row-major, with the rows they carry for {@link org.scorepipe.api.RowMemory}
 * components (a multistep solver's last estimates), by key path: what the range's particles
 * remember lives next to their coordinates, on the executor that holds the range. Immutable by
 * convention: a segment makes a new state from a copy, so a cached parent stays what it was and
 * a retried or recomputed task starts from the same bytes.
 *
 * @param error a deterministic failure of the segment that made it (a diverging step, a
 *     component that cannot be built), carried back to the driver instead of failing the task,
 *     which Spark would only retry to the same end; null when all went well
 * @param counts what the counting components counted in the segment that made this state
 * @param rows each row-memory component's rows of the range, {@code n * width} doubles, by key path
 * @param shard the checkpoint shard the task that made this state wrote of it, when the segment
 *     ended at a checkpoint ({@link SegmentTask}); null otherwise
 */
record RangeState(long firstIndex, int n, int dimension, double[] data, String error, Counts counts, Map<String, double[]> rows,
        CheckpointShard shard) implements Serializable {
    private static final long serialVersionUID = 4L;

    RangeState {
        rows = new TreeMap<>(rows);
    }

    RangeState(long firstIndex, int n, int dimension, double[] data, String error, Counts counts, Map<String, double[]> rows) {
        this(firstIndex, n, dimension, data, error, counts, rows, null);
    }

    /** This state, written as {@code shard} of a checkpoint by the task that made it. */
    RangeState writtenAs(CheckpointShard written) {
        return new RangeState(firstIndex, n, dimension, data, error, counts, rows, written);
    }

    RangeState(long firstIndex, int n, int dimension, double[] data, String error) {
        this(firstIndex, n, dimension, data, error, Counts.NONE, Map.of());
    }

    static RangeState zeros(long firstIndex, int n, int dimension) {
        return new RangeState(firstIndex, n, dimension, new double[n * dimension], null);
    }

    RangeState failed(String message) {
        return new RangeState(firstIndex, n, dimension, new double[0], message);
    }

    /** Particles of copies of the range's coordinates and rows, at {@code time}: a task's to change. */
    Particles copy(double time) {
        Particles particles = new Particles(n, dimension, firstIndex, data.clone(), time);
        rows.forEach((key, r) -> particles.putRowState(key, r.clone()));
        return particles;
    }

    /** Particles of copies of the range's rows {@code skip ..} (coordinates and rows), at {@code time}. */
    Particles copyTail(int skip, double time) {
        Particles particles = new Particles(n - skip, dimension, firstIndex + skip,
                java.util.Arrays.copyOfRange(data, skip * dimension, n * dimension), time);
        rows.forEach((key, r) -> {
            int width = r.length / n;
            particles.putRowState(key, java.util.Arrays.copyOfRange(r, skip * width, n * width));
        });
        return particles;
    }

    /**
     * This range with its first {@code k} particles' coordinates and rows replaced by {@code head}
     * and {@code headRows} (and the rest by {@code tail}'s, when given: what a segment made of
     * them); a key only one side has is NaN on the other, as a fresh row is.
     */
    RangeState spliced(int k, double[] head, Map<String, double[]> headRows, Particles tail, Counts counts) {
        double[] x = data.clone();
        System.arraycopy(head, 0, x, 0, k * dimension);
        Map<String, double[]> tailRows = tail == null ? new TreeMap<>() : tail.rowStates();
        if (tail != null) {
            System.arraycopy(tail.data(), 0, x, k * dimension, (n - k) * dimension);
        }
        Map<String, double[]> all = new TreeMap<>();
        java.util.Set<String> keys = new java.util.TreeSet<>(rows.keySet());
        keys.addAll(headRows.keySet());
        keys.addAll(tailRows.keySet());
        for (String key : keys) {
            int width = widthOf(key, headRows, k, tailRows, n - k);
            double[] r = rows.containsKey(key) ? rows.get(key).clone() : nan(n * width);
            if (headRows.containsKey(key)) {
                System.arraycopy(headRows.get(key), 0, r, 0, k * width);
            } else {
                java.util.Arrays.fill(r, 0, k * width, Double.NaN);
            }
            if (tailRows.containsKey(key)) {
                System.arraycopy(tailRows.get(key), 0, r, k * width, (n - k) * width);
            }
            all.put(key, r);
        }
        return new RangeState(firstIndex, n, dimension, x, null, counts, all);
    }

    private int widthOf(String key, Map<String, double[]> head, int k, Map<String, double[]> tail, int rest) {
        if (rows.containsKey(key)) {
            return rows.get(key).length / n;
        }
        return head.containsKey(key) && k > 0 ? head.get(key).length / k : tail.get(key).length / rest;
    }

    private static double[] nan(int length) {
        double[] r = new double[length];
        java.util.Arrays.fill(r, Double.NaN);
        return r;
    }

    /** What the driver needs to know after a segment, without the coordinates. */
    Summary summary() {
        return new Summary(firstIndex, n, error, counts, error == null ? org.scorepipe.runtime.checkpoint.Health.maxAbs(data) : 0,
                shard);
    }

    /**
     * @param maxAbs the range's largest |x| (NaN if one is not finite): what a checkpoint's health check needs
     * @param shard the checkpoint shard written of the range, if any
     */
    record Summary(long firstIndex, int n, String error, Counts counts, double maxAbs, CheckpointShard shard)
            implements Serializable {
        private static final long serialVersionUID = 3L;
    }
}
