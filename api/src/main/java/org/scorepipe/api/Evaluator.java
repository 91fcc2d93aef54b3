package org.scorepipe.api;

/** Measures an ensemble, typically against the target. */
public interface Evaluator {
    Metrics evaluate(Particles particles, EvalContext context);

    /**
     * The cap {@code c} if this evaluator reads only the evenly spaced subsample of the ensemble:
     * rows {@code floor(i n / m)}, {@code i = 0 .. m-1}, {@code m = min(n, c)}, and depends on
     * {@code n} only through {@code m}. A runner may then hand {@link #evaluate} just those rows,
     * in that order, as an ensemble of {@code m} particles, with the same result: a distributed
     * runner brings only them to one machine. Empty (the default): it reads every particle.
     */
    default java.util.OptionalInt subsample() {
        return java.util.OptionalInt.empty();
    }

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
