package org.scorepipe.spark;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.scorepipe.api.Particles;
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
 */
record RangeState(long firstIndex, int n, int dimension, double[] data, String error, Counts counts, Map<String, double[]> rows)
        implements Serializable {
    private static final long serialVersionUID = 3L;

    RangeState {
        rows = new TreeMap<>(rows);
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

    /** What the driver needs to know after a segment, without the coordinates. */
    Summary summary() {
        return new Summary(firstIndex, n, error, counts);
    }

    record Summary(long firstIndex, int n, String error, Counts counts) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
