package org.scorepipe.onnx;

/**
 * What runs the {@code onnx} provider's model: {@code onnxruntime}, ONNX Runtime on the CPU, for any
 * model; {@code java}, {@link VectorMlp}'s float32 forward pass in Vector API lanes, for a model that
 * is exactly the MLP {@code scorepipe train} exports ({@link MlpGraph}); {@code auto}, the Java
 * forward pass when the model is that MLP and the Vector API is present, else ONNX Runtime. The Java
 * forward pass runs on the calling thread (the runner's block threads), so {@code threads} only
 * applies to ONNX Runtime.
 */
public enum Engine {
    AUTO, ONNXRUNTIME, JAVA;

    /** The name as configs write it. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
