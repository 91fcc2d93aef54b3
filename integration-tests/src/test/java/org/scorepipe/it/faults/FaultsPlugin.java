package org.scorepipe.it.faults;

import java.util.List;
import org.scorepipe.api.Plugin;

/** The test doubles of SparkIT and BadInputIT, packed into a plugin jar at test time. */
public final class FaultsPlugin implements Plugin {
    @Override
    public String name() {
        return "faults";
    }

    @Override
    public List<Class<?>> components() {
        return List.of(FlakyScore.class, DriverOnlyScore.class, ThrowingScore.class);
    }

    @Override
    public String apiVersion() {
        return API_VERSION;
    }
}
