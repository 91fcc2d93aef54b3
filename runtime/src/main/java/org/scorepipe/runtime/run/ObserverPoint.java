package org.scorepipe.runtime.run;

import java.io.Serializable;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Observer;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Which observer of a pipeline a runner is asked to feed: an observer entry of {@code stages:},
 * or the curve of a stage. Every copy of the pipeline (a Spark executor's) finds the same one;
 * serializable, so a distributed runner's tasks carry it.
 *
 * @param entry the entry's position in the pipeline
 * @param curve whether it is that stage's curve observer rather than the entry itself
 * @param step the stage's step the particles are at (0 for an entry)
 */
public record ObserverPoint(int entry, boolean curve, long step) implements Serializable {
    /** The stream offset of a curve point's noise: far from anything a stage's particles draw at that step. */
    public static final int CURVE_STREAMS = 1 << 30;

    /**
     * The observation's noise: an entry draws what a stage at its position would draw at step 0
     * (its key counts only the stages before it), a curve point draws far above the streams its
     * stage's particles draw at that step. Neither is ever drawn by a particle.
     */
    public Noise noise(long seed, Pipeline.Entry owner) {
        PhiloxNoise noise = PhiloxNoise.of(seed, owner.noiseKey(), step);
        return curve ? noise.streams(CURVE_STREAMS) : noise;
    }

    /** The observer at this point of {@code pipeline}. */
    public Observer observerIn(Pipeline pipeline) {
        Pipeline.Entry owner = pipeline.entries().get(entry);
        if (curve) {
            return ((Pipeline.PlannedStage) owner).curve().orElseThrow().observer();
        }
        return ((Pipeline.PlannedObserver) owner).observer();
    }
}
