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
 * <p>{@link #pathNormals} are the one exception to the step: numbers of the whole stage, a pure
 * function of {@code (seed, s, i, j, node)} that every step of the stage sees alike. They are
 * what a random object defined on the stage's whole time span is built from, such as a
 * particle's Brownian path, whose value at a time must not depend on which step asks for it.
 *
 * <p>An instance is used by one thread at a time.
 */
public interface Noise {
    /** Particle index reserved for draws that belong to the ensemble, not to a particle. */
    long ENSEMBLE = -1L;

    /** Fills {@code out[offset .. offset + count)} with standard normal variates. */
    void normals(long particle, int stream, double[] out, int offset, int count);

    /**
     * The normals of {@code rows} consecutive particles at once: particle {@code firstParticle + r}
     * fills {@code out[offset + r*count .. offset + (r+1)*count)}, with exactly the numbers
     * {@code normals(firstParticle + r, stream, out, offset + r*count, count)} gives it. A block's
     * worth in one call lets an implementation compute many particles' numbers together (the
     * run's noise does this with SIMD lanes); the default draws row by row.
     */
    default void normalRows(long firstParticle, int rows, int stream, double[] out, int offset, int count) {
        for (int r = 0; r < rows; r++) {
            normals(firstParticle + r, stream, out, offset + r * count, count);
        }
    }

    /**
     * Fills {@code out[offset .. offset + count)} with standard normal variates that belong to the
     * stage, not to the step: a pure function of {@code (seed, stage, particle, stream, node)},
     * the same at every step {@code k} of the stage and independent of every {@link #normals} draw.
     * {@code node} is any 64-bit name the caller gives a random quantity of its own (a Brownian
     * path names the normal that places it at time {@code u} by the bits of {@code u}); distinct
     * {@code (particle, stream, node)} give independent numbers, and a call with {@code count}
     * numbers gives the first {@code count} of that node's endless sequence. Streams are those of
     * {@link #streams}: a view's stream {@code j} is its base's {@code first + j} here too.
     *
     * <p>An optional capability (a default method, so a noise written before it still compiles
     * and runs): the default refuses, so a component that needs path normals fails loudly with a
     * noise that has none. The run's noise has them.
     */
    default void pathNormals(long particle, int stream, long node, double[] out, int offset, int count) {
        throw new UnsupportedOperationException(getClass().getName() + " has no path normals (Noise.pathNormals):"
                + " a component that needs them, such as euler-maruyama with noise: brownian, must run on the run's noise");
    }

    /** Fills {@code out[offset .. offset + count)} with uniform variates in {@code [0, 1)}. */
    void uniforms(long particle, int stream, double[] out, int offset, int count);

    /**
     * A view whose stream {@code j} is this noise's stream {@code first + j}: how a stage gives
     * each of its components streams of its own.
     */
    Noise streams(int first);
}
