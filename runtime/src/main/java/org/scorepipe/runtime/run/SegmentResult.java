package org.scorepipe.runtime.run;

import static java.util.Objects.requireNonNull;

/**
 * What a segment of a stage gave.
 *
 * @param reached the step all particles reached: the segment's end, or less after a stop request
 * @param counts what the stage's {@link org.scorepipe.api.Counting} components counted in it
 */
public record SegmentResult(long reached, Counts counts) {
    public SegmentResult {
        requireNonNull(counts, "counts is null");
    }
}
