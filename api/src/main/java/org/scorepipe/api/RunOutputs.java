package org.scorepipe.api;

/**
 * Where a run's results go: handed to {@link Observer}s with each {@link Observation}.
 * Implementations write atomically: a file appears under its real name complete or not at all.
 */
public interface RunOutputs {
    /** Records an evaluation made by {@code stage} with the particles at time {@code time}. */
    void recordMetrics(String stage, double time, Metrics metrics);

    /** Writes the particles as the run's samples (NumPy {@code .npy}, float64, {@code [n, d]}). */
    void saveSamples(String stage, String fileName, Particles particles);

    /**
     * Writes the whole ensemble, from wherever its particles live, as a dataset with one row per
     * particle (its {@code index} and its coordinates {@code x}), so that no single machine has
     * to hold it, by the runner that holds the particles (a distributed one writes from where they
     * live). {@code name} is a folder name in the run directory, or a URI of a file system the
     * runner reaches.
     *
     * @throws UnsupportedOperationException if the run's runner cannot write datasets in this
     *     format; the message says what to use instead
     */
    default void saveDataset(String stage, String name, String format) {
        throw new UnsupportedOperationException("these outputs write no " + format + " datasets");
    }
}
