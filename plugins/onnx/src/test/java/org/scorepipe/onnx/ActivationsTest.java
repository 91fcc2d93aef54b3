package org.scorepipe.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link Activations}: every lane is the scalar twin's bits (so the result cannot depend on
 * compilation), and the functions are within a few float32 ulps of the exact value.
 */
class ActivationsTest {
    private static final int LANES = VectorMlp.LANES;

    /** Inputs over the whole range the clamps allow and beyond, plus the edges of each branch. */
    private static float[] inputs() {
        Random random = new Random(11);
        float[] x = new float[LANES * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) (200 * random.nextDouble() - 100);
                case 1 -> (float) (2 * random.nextDouble() - 1);
                case 2 -> (float) (0.5 * random.nextGaussian());
                default -> (float) (1e-3 * random.nextGaussian());
            };
        }
        float[] edges = {0f, -0f, 0.25f, -0.25f, Math.nextDown(0.25f), 87f, -87f, 88f, 88.5f, -90f, 1e-30f, -1e-30f};
        System.arraycopy(edges, 0, x, 0, edges.length);
        return x;
    }

    @Test
    void everyLaneOfExpIsTheScalarTwinsBits() {
        float[] x = inputs();
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            Activations.exp(FloatVector.fromArray(VectorMlp.SPECIES, x, i)).intoArray(y, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(Activations.exp(x[i])), Float.floatToRawIntBits(y[i]), "x = " + x[i]);
        }
    }

    /**
     * Within the clamps, e^x is within 2 float32 ulps of the exact value (the polynomial's
     * truncation is below half an ulp; its evaluation and the reduction add about one).
     */
    @Test
    void expIsWithinTwoUlps() {
        double worst = 0;
        for (float x : inputs()) {
            if (x < -87f || x > 88f) {
                continue;
            }
            double exact = Math.exp(x);
            double ulps = Math.abs(Activations.exp(x) - exact) / Math.ulp((float) exact);
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulps");
    }

    /**
     * SiLU and tanh are within a few ulps of the double-precision value, or, for SiLU below -87
     * (where e^{-z} is clamped), within 1e-30 of it: values a layer's float32 sum cannot tell from 0.
     */
    @Test
    void siluAndTanhAreWithinAFewUlps() {
        float[] x = inputs();
        float[] silu = new float[x.length];
        float[] tanh = new float[x.length];
        for (int i = 0; i < x.length; i += LANES) {
            FloatVector v = FloatVector.fromArray(VectorMlp.SPECIES, x, i);
            Activations.silu(v).intoArray(silu, i);
            Activations.tanh(v).intoArray(tanh, i);
        }
        for (int i = 0; i < x.length; i++) {
            double z = x[i];
            double exactSilu = z / (1 + Math.exp(-z));
            double exactTanh = Math.tanh(z);
            assertEquals(exactSilu, silu[i], 4 * Math.ulp((float) exactSilu) + (z < -87 ? 1e-30 : 0), "silu(" + z + ")");
            assertEquals(exactTanh, tanh[i], 4 * Math.ulp((float) exactTanh), "tanh(" + z + ")");
            assertEquals(Math.copySign(1.0, z), Math.copySign(1.0, tanh[i]), "tanh keeps the sign of " + z);
        }
    }
}
