package org.scorepipe.api;

/**
 * The randomness of one step of one stage, handed to every step.
 *
 * <p>The numbers that particle {@code i} draws from stream {@code j} at step {@code k} of stage
 * {@code s} are a pure function of {@code (seed, s, k, i, j)}: a counter-based generator
 * (Philox4x64) keyed by the seed. They depend on nothing else: not on threads, blocks, or
 * Spark partitions, and not on what other particles drew. Streams keep apart the draws of
 * different uses within one step (the predictor and each of the corrector's inner steps):
 * each {@code (i, j)} pair is its own endless sequence, and every call starts at its
 * beginning, so a component must take everything it needs from one stream in one call.
 *
 * <p>Whole-ensemble randomness (an evaluator's projections) uses the particle index
 * {@link #ENSEMBLE}, which is never a real particle's.
 *
 * <p>An instance is used by one thread at a time.
 */
public interface Noise {
    /** Particle index reserved for draws that belong to the ensemble, not to a particle. */
    long ENSEMBLE = -1L;

    /** Fills {@code out[offset .. offset + count)} with standard normal variates. */
    void normals(long particle, int stream, double[] out, int offset, int count);

    /** Fills {@code out[offset .. offset + count)} with uniform variates in {@code [0, 1)}. */
    void uniforms(long particle, int stream, double[] out, int offset, int count);

    /**
     * A view whose stream {@code j} is this noise's stream {@code first + j}: how a stage gives
     * each of its components streams of its own.
     */
    Noise streams(int first);
}
