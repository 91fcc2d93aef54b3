package org.scorepipe.onnx;

import java.util.List;
import org.scorepipe.api.Plugin;

/** Learned scores from ONNX models, and the path of the DDPM schedules those models are trained on. */
public final class OnnxPlugin implements Plugin {
    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public String apiVersion() {
        return API_VERSION;
    }

    @Override
    public List<Class<?>> components() {
        return List.of(OnnxScore.class, DdpmPath.class);
    }
}
