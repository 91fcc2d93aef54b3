package org.scorepipe.spark;

import java.util.List;
import org.scorepipe.api.Plugin;

/** The components that come with the Spark runner: the {@code parquet} data source. */
public final class SparkPlugin implements Plugin {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public List<Class<?>> components() {
        return List.of(ParquetSource.class);
    }

    @Override
    public String apiVersion() {
        return API_VERSION;
    }
}
