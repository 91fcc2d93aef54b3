package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

/**
 * One point at which an {@link Observer} sees the ensemble.
 *
 * @param name the name it reports under: its entry's in {@code stages:}, or the stage whose curve it records
 * @param step the step of that stage the particles have reached (0 for an entry between stages)
 * @param time the time the particles are at
 * @param noise the observation's own randomness (random projections, reference draws), a pure
 *     function of the seed and the point; no particle ever draws it
 * @param outputs where what it sees goes
 */
public record Observation(String name, long step, double time, Noise noise, RunOutputs outputs) {
    public Observation {
        requireNonNull(name, "name is null");
        requireNonNull(noise, "noise is null");
        requireNonNull(outputs, "outputs is null");
    }

    /** What an evaluator is told of this observation. */
    public Evaluator.EvalContext evalContext() {
        return new Evaluator.EvalContext(name, time, noise);
    }
}
