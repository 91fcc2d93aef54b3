package org.scorepipe.runtime.run;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.scorepipe.api.Metrics;

/**
 * What a segment of a stage gave.
 *
 * @param reached the step all particles reached: the segment's end, or less after a stop request
 * @param counts what the stage's {@link org.scorepipe.api.Counting} components counted in it
 * @param report what a whole-ensemble stage {@link org.scorepipe.api.Block#report reported} of it
 */
public record SegmentResult(long reached, Counts counts, Optional<Metrics> report) {
    public SegmentResult {
        requireNonNull(counts, "counts is null");
        requireNonNull(report, "report is null");
    }

    /** A segment without a report. */
    public SegmentResult(long reached, Counts counts) {
        this(reached, counts, Optional.empty());
    }
}
