package org.scorepipe.runtime.run;

import org.scorepipe.api.Particles;
import org.scorepipe.runtime.assembly.Pipeline;

/**
 * Executes a pipeline's stages over an ensemble. Implementations differ in where blocks run
 * (a thread pool, Spark executors) but never in what they compute: a particle's path depends
 * only on the seed, the stage, the step and its index.
 */
public interface Runner {
    /** Runs every stage in order, mutating {@code particles}, reporting progress to {@code listener}. */
    void run(Pipeline pipeline, Particles particles, RunListener listener);
}
