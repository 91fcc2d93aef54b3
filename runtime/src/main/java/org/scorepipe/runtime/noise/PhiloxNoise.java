package org.scorepipe.runtime.noise;

import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.scorepipe.api.Noise;

/**
 * The run's {@link Noise}: Philox4x64 keyed by {@code (seed, 0)}, with the 256-bit counter
 * laid out as
 * <pre>
 *   word 0  draw        incremented by the generator, starting at 0 for every call
 *   word 1  particle    the particle's global index ({@link Noise#ENSEMBLE} for the ensemble)
 *   word 2  step        the step k within the stage
 *   word 3  stage, stream   (stage &lt;&lt; 32) | stream
 * </pre>
 * so every number drawn is a pure function of {@code (seed, stage, step, particle, stream)}.
 * Normal variates come from Commons RNG's {@link ZigguratSampler.NormalizedGaussian}, which
 * keeps no state between samples (Box-Muller's cached second value would break the rule).
 *
 * <p>One instance per thread; {@link #position} moves it to another step without allocating.
 */
public final class PhiloxNoise implements Noise {
    /** Written into checkpoints: a checkpoint made with another generator cannot resume exactly. */
    public static final String GENERATOR = "philox4x64-10/ziggurat-normalized-gaussian/v1";

    private final long seed;
    private final Philox4x64 generator = new Philox4x64();
    private final ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(generator);
    private int stage;
    private long step;

    public PhiloxNoise(long seed) {
        this.seed = seed;
    }

    /** A new instance at step {@code step} of stage {@code stage}. */
    public static PhiloxNoise of(long seed, int stage, long step) {
        PhiloxNoise noise = new PhiloxNoise(seed);
        noise.position(stage, step);
        return noise;
    }

    /** Moves to step {@code step} of stage {@code stage}. */
    public void position(int stage, long step) {
        if (stage < 0) {
            throw new IllegalArgumentException("stage index is negative: " + stage);
        }
        this.stage = stage;
        this.step = step;
    }

    public long seed() {
        return seed;
    }

    private void start(long particle, int stream) {
        generator.reset(seed, 0L, 0L, particle, step, ((long) stage << 32) | (stream & 0xFFFFFFFFL));
    }

    @Override
    public void normals(long particle, int stream, double[] out, int offset, int count) {
        start(particle, stream);
        // The ziggurat takes one word per normal, rarely more: have the words computed in bulk.
        generator.prepare(count);
        for (int j = offset, end = offset + count; j < end; j++) {
            out[j] = gaussian.sample();
        }
    }

    @Override
    public void uniforms(long particle, int stream, double[] out, int offset, int count) {
        start(particle, stream);
        generator.prepare(count);
        for (int j = offset, end = offset + count; j < end; j++) {
            out[j] = (generator.nextLong() >>> 11) * 0x1.0p-53;
        }
    }

    @Override
    public Noise streams(int first) {
        return first == 0 ? this : new Shifted(this, first);
    }

    /** A view of another noise with its streams shifted. */
    private record Shifted(Noise base, int first) implements Noise {
        @Override
        public void normals(long particle, int stream, double[] out, int offset, int count) {
            base.normals(particle, first + stream, out, offset, count);
        }

        @Override
        public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            base.uniforms(particle, first + stream, out, offset, count);
        }

        @Override
        public Noise streams(int more) {
            return more == 0 ? this : new Shifted(base, first + more);
        }
    }
}
