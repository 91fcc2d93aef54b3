package org.scorepipe.spark;

import java.io.Serializable;
import org.scorepipe.runtime.run.Counts;

/**
 * One partition's particles: the contiguous range {@code [firstIndex, firstIndex + n)} of the
 * ensemble, row-major. Immutable by convention: a segment makes a new state from a copy, so a
 * cached parent stays what it was and a retried or recomputed task starts from the same bytes.
 *
 * @param error a deterministic failure of the segment that made it (a diverging step, a
 *     component that cannot be built), carried back to the driver instead of failing the task,
 *     which Spark would only retry to the same end; null when all went well
 * @param counts what the counting components counted in the segment that made this state
 */
record RangeState(long firstIndex, int n, int dimension, double[] data, String error, Counts counts) implements Serializable {
    private static final long serialVersionUID = 2L;

    RangeState(long firstIndex, int n, int dimension, double[] data, String error) {
        this(firstIndex, n, dimension, data, error, Counts.NONE);
    }

    static RangeState zeros(long firstIndex, int n, int dimension) {
        return new RangeState(firstIndex, n, dimension, new double[n * dimension], null);
    }

    RangeState failed(String message) {
        return new RangeState(firstIndex, n, dimension, new double[0], message);
    }

    /** What the driver needs to know after a segment, without the coordinates. */
    Summary summary() {
        return new Summary(firstIndex, n, error, counts);
    }

    record Summary(long firstIndex, int n, String error, Counts counts) implements Serializable {
        private static final long serialVersionUID = 1L;
    }
}
