package org.scorepipe.api;

/** Measures an ensemble, typically against the target. */
public interface Evaluator {
    Metrics evaluate(Particles particles, EvalContext context);

    /**
     * What an evaluation knows beyond the particles.
     *
     * @param stage the name of the evaluate stage
     * @param time the time the particles are at
     * @param noise randomness of this evaluation (use {@link Noise#ENSEMBLE} for draws that
     *     belong to no particle, and particle indices for per-sample draws such as references)
     */
    record EvalContext(String stage, double time, Noise noise) {
    }
}
