package org.scorepipe.api;

/** One step of a reverse-time integrator, from {@code t} down to {@code tNext < t}. */
public interface Predictor {
    void step(Block block, double t, double tNext, Noise noise);
}
