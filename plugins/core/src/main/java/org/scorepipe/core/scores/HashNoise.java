package org.scorepipe.core.scores;

import org.scorepipe.api.Noise;

/**
 * Deterministic randomness for what a component fixes once, when it is built or as a function of
 * its input, where no step's {@link Noise} exists: the dataset of the {@code empirical} score
 * and the error field of the {@code perturbed} score.
 *
 * <p>Every number is a pure function of its counter: the 64-bit key
 * {@code k = mix(mix(mix(mix(seed) ^ domain) ^ particle) ^ stream)} and the draw index
 * {@code j}, with {@code mix} the SplitMix64 finaliser (Steele, Lea, Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014):
 * <pre>
 *   u_j = (mix(k + (j + 1) * 0x9E3779B97F4A7C15) &gt;&gt;&gt; 11) * 2^-53          in [0, 1)
 *   (z_{2i}, z_{2i+1}) = sqrt(-2 ln(1 - u_{2i})) (cos 2 pi u_{2i+1}, sin 2 pi u_{2i+1})   (Box-Muller)
 * </pre>
 * Each call starts at draw 0 of its {@code (particle, stream)} and keeps no state, so the
 * numbers do not depend on threads or call order, as the {@link Noise} contract asks. The
 * {@code domain} keeps uses apart (a dataset, a bias direction). It is independent of the run's
 * Philox streams: reusing a seed here never correlates with a stage's noise.
 */
final class HashNoise implements Noise {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final long domain;
    private final int firstStream;

    HashNoise(long seed, long domain) {
        this(seed, domain, 0);
    }

    private HashNoise(long seed, long domain, int firstStream) {
        this.seed = seed;
        this.domain = domain;
        this.firstStream = firstStream;
    }

    /** The SplitMix64 finaliser: a bijection of 64-bit words with full avalanche. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform {@code j} of the sequence keyed by {@code key}, in {@code [0, 1)}. */
    static double uniform(long key, long j) {
        return (mix(key + (j + 1) * GOLDEN) >>> 11) * 0x1.0p-53;
    }

    /** Fills {@code out[offset .. offset + count)} with the standard normals of the sequence keyed by {@code key}. */
    static void normals(long key, double[] out, int offset, int count) {
        for (int i = 0; i < count; i += 2) {
            // 1 - u lies in (0, 1], so the logarithm is finite.
            double radius = Math.sqrt(-2.0 * Math.log(1.0 - uniform(key, i)));
            double angle = 2.0 * Math.PI * uniform(key, i + 1L);
            out[offset + i] = radius * Math.cos(angle);
            if (i + 1 < count) {
                out[offset + i + 1] = radius * Math.sin(angle);
            }
        }
    }

    private long key(long particle, int stream) {
        return mix(mix(mix(mix(seed) ^ domain) ^ particle) ^ (firstStream + (long) stream));
    }

    @Override
    public void normals(long particle, int stream, double[] out, int offset, int count) {
        normals(key(particle, stream), out, offset, count);
    }

    @Override
    public void uniforms(long particle, int stream, double[] out, int offset, int count) {
        long key = key(particle, stream);
        for (int i = 0; i < count; i++) {
            out[offset + i] = uniform(key, i);
        }
    }

    @Override
    public Noise streams(int first) {
        return first == 0 ? this : new HashNoise(seed, domain, firstStream + first);
    }
}
