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

    /**
     * Writes the whole ensemble, from wherever its particles live, as a dataset with one row per
     * particle (its {@code index} and its coordinates {@code x}), so that no single machine has
     * to hold it: {@code parquet} with the Spark runner, through Spark SQL. {@code name} is a
     * folder name in the run directory, or a URI of a file system the runner reaches.
     *
     * @throws UnsupportedOperationException if the run's runner cannot write datasets (the
     *     local runner writes {@code .npy} files only); the message says what to use instead
     */
    default void saveDataset(String stage, String name, String format) {
        throw new UnsupportedOperationException("writing the samples as a " + format + " dataset needs the Spark runner"
                + " (--runner spark, e.g. with --master 'local[*]'); the local runner writes .npy files (format: npy)");
    }
}
