package org.scorepipe.core.predictors;

/** Where an SDE predictor's noise comes from: the key {@code noise} of each of them. */
public enum NoiseSource {
    /** The step's own normals, keyed by {@code (seed, stage, step, particle)}. */
    STEP,
    /** The particle's Brownian path over {@code [tNext, t]}, keyed by the times ({@link BrownianPath}). */
    BROWNIAN
}
