package org.scorepipe.runtime.run;

import java.time.Duration;
import org.scorepipe.runtime.assembly.Pipeline.Entry;

/** Follows a run entry by entry (stages and observers); it does not take part in it. */
public interface RunListener {
    RunListener NONE = new RunListener() {
    };

    default void stageStarted(Entry stage, long steps) {
    }

    /**
     * The stage ran {@code steps} steps over {@code particles} particles in {@code elapsed}, of
     * which {@code evaluations} went to its curve points.
     */
    default void stageFinished(Entry stage, long steps, int particles, Duration elapsed, Duration evaluations) {
    }
}
