package org.scorepipe.api;

/**
 * Where a run's results go, injectable into stages. Implementations write atomically: a file
 * appears under its real name complete or not at all.
 */
public interface RunOutputs {
    /** Records an evaluation made by {@code stage} with the particles at time {@code time}. */
    void recordMetrics(String stage, double time, Metrics metrics);

    /** Writes the particles as the run's samples (NumPy {@code .npy}, float64, {@code [n, d]}). */
    void saveSamples(String stage, String fileName, Particles particles);
}
