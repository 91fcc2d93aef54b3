package org.scorepipe.runtime.run;

import org.scorepipe.api.Particles;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;

/**
 * Runs segments of a stage over the particles. Implementations differ in where blocks run (a
 * thread pool, Spark executors) but never in what they compute: a particle's path depends only
 * on the seed, the stage, the step and its index. What happens between segments (curves,
 * checkpoints, stopping) is the {@link Execution}'s business, the same for every runner.
 */
public interface Runner extends AutoCloseable {
    /**
     * Runs steps {@code [from, to)} of {@code stage} on every particle, each block through the
     * whole segment, unless {@code control} lowers the limit (a stop request).
     *
     * @return the step all particles have reached: {@code to}, or less after a stop request
     */
    long runSegment(long seed, PlannedStage stage, Particles particles, long from, long to, RunControl control);

    /** A short description for logs, e.g. {@code "local, 2 threads, blocks of 1024"}. */
    String description();

    @Override
    void close();
}
