package org.scorepipe.core.predictors;

import static java.util.Objects.requireNonNull;

import org.scorepipe.api.Noise;

/**
 * A step's noise whose stream 0 is the particle's normalised Brownian increment over the step,
 * {@code xi = (W(t) - W(tNext)) / sqrt(t - tNext)}, {@code N(0, I)} as the step's own normals are, but
 * a function of the times alone ({@link BrownianPath}): what k-diffusion's Brownian-tree noise
 * sampler feeds its SDE solvers, so a grid and its refinement follow one Brownian path. The other
 * streams, the uniforms and the path normals are the wrapped noise's.
 */
final class BrownianStepNoise implements Noise {
    private final Noise noise;
    private final double t;
    private final double tNext;
    private final double scale;
    private double[] scratch = new double[0];

    /** The noise a step from {@code t} to {@code tNext} draws with {@code source}: the given one, or its Brownian view. */
    static Noise of(NoiseSource source, Noise noise, double t, double tNext) {
        return source == NoiseSource.BROWNIAN && tNext < t ? new BrownianStepNoise(noise, t, tNext) : noise;
    }

    /** The step from {@code t} down to {@code tNext < t}. */
    BrownianStepNoise(Noise noise, double t, double tNext) {
        this.noise = requireNonNull(noise, "noise is null");
        if (!(tNext < t)) {
            throw new IllegalArgumentException("a Brownian step needs tNext < t, got t = " + t + ", tNext = " + tNext);
        }
        this.t = t;
        this.tNext = tNext;
        this.scale = 1.0 / Math.sqrt(t - tNext);
    }

    @Override
    public void normals(long particle, int stream, double[] out, int offset, int count) {
        if (stream != 0) {
            noise.normals(particle, stream, out, offset, count);
            return;
        }
        if (scratch.length < BrownianPath.INCREMENT_SCRATCH * count) {
            scratch = new double[BrownianPath.INCREMENT_SCRATCH * count];
        }
        BrownianPath.increment(noise, particle, 0, tNext, t, count, out, offset, scratch, 0);
        for (int i = offset, end = offset + count; i < end; i++) {
            out[i] *= scale;
        }
    }

    @Override
    public void uniforms(long particle, int stream, double[] out, int offset, int count) {
        noise.uniforms(particle, stream, out, offset, count);
    }

    @Override
    public void pathNormals(long particle, int stream, long node, double[] out, int offset, int count) {
        noise.pathNormals(particle, stream, node, out, offset, count);
    }

    @Override
    public Noise streams(int first) {
        return first == 0 ? this : noise.streams(first);
    }
}
