package org.example.kinetic;

import java.util.List;
import org.scorepipe.api.Plugin;

/**
 * The plugin's entry point, named in {@code META-INF/services/org.scorepipe.api.Plugin}: its
 * name and the component classes it contributes.
 */
public final class KineticPlugin implements Plugin {
    @Override
    public String name() {
        return "kinetic";
    }

    /** The constant is copied in at compile time: it is the API version this jar was built against. */
    @Override
    public String apiVersion() {
        return API_VERSION;
    }

    @Override
    public List<Class<?>> components() {
        return List.of(KineticLangevinCorrector.class);
    }
}
