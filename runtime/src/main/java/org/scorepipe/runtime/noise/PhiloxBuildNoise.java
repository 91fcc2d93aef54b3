package org.scorepipe.runtime.noise;

import org.scorepipe.api.BuildNoise;
import org.scorepipe.api.Noise;

/**
 * The run's {@link BuildNoise}: {@link PhiloxNoise} keyed by the seed at stage
 * {@link #STAGE}, step {@code domain}, so the number {@code (row i, stream j)} of a domain is
 * the Philox word sequence of counter {@code (draw, i, domain, STAGE << 32 | j)}. No pipeline
 * has {@code 2^31 - 1} stages, so these counters never meet a stage step's.
 */
public final class PhiloxBuildNoise implements BuildNoise {
    /** The stage index reserved for build-time draws. */
    public static final int STAGE = Integer.MAX_VALUE;

    private final long seed;

    public PhiloxBuildNoise(long seed) {
        this.seed = seed;
    }

    @Override
    public Noise forDomain(long domain) {
        return PhiloxNoise.of(seed, STAGE, domain);
    }
}
