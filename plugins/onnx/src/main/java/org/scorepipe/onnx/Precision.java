package org.scorepipe.onnx;

/** The floating-point type a learned model computes in. */
public enum Precision {
    FLOAT32, FLOAT64;

    /** The name as configs write it. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
