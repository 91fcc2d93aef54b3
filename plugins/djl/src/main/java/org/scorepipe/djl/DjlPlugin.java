package org.scorepipe.djl;

import java.util.List;
import org.scorepipe.api.Plugin;

/** Learned scores with DJL's PyTorch engine. */
public final class DjlPlugin implements Plugin {
    @Override
    public String name() {
        return "djl";
    }

    @Override
    public String apiVersion() {
        return API_VERSION;
    }

    @Override
    public List<Class<?>> components() {
        return List.of(DjlScore.class, DenoisingScoreMatching.class, PatchTraining.class, PatchScore.class);
    }
}
