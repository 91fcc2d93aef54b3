package org.scorepipe.runtime.run;

import java.nio.file.Path;

/**
 * A runner that writes the ensemble as a dataset straight from where its particles live (the
 * Spark runner: Parquet through Spark SQL, every executor writing its own ranges), behind
 * {@link org.scorepipe.api.RunOutputs#saveDataset}.
 */
public interface DatasetWriter {
    /**
     * Writes every particle, one row each (its index and its coordinates).
     *
     * @param stage the stage asking, for messages
     * @param name a folder name in the run directory, or a URI
     * @param format the dataset format, e.g. {@code parquet}
     * @param runDirectory the run directory
     * @return where the dataset went
     */
    String writeDataset(String stage, String name, String format, Path runDirectory);
}
