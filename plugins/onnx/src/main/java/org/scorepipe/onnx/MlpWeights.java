package org.scorepipe.onnx;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * The weights of the noise-conditional MLP that {@code scorepipe train} fits: the network maps a
 * point {@code x} (d coordinates) and a time {@code t > 0} to d numbers through
 * <pre>
 *   h_0 = [x, t, log t]                       (d + 2 features)
 *   h_{l+1} = act(W_l h_l + b_l)              hidden layers, act = SiLU (z sigmoid(z)) or tanh
 *   y = W_L h_L + b_L                         (d outputs, no activation)
 * </pre>
 * {@code log t} resolves the fast change of the marginals near {@code t = 0}. {@code W_l} is
 * {@code [out, in]} row-major, as DJL and PyTorch store a linear layer.
 *
 * <p>This class is the one definition the trainer, the ONNX export ({@link #toOnnx}) and the
 * plain-Java reference forward pass ({@link #forward}) share.
 *
 * @param dimension d
 * @param activation the hidden layers' activation
 * @param layers the affine layers, first to last; the last one has d outputs
 */
public record MlpWeights(int dimension, Activation activation, List<Layer> layers) {

    /** Hidden-layer activations. */
    public enum Activation {
        /** {@code z sigmoid(z)} (Elfwing et al. 2018; "swish"). */
        SILU,
        TANH;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One affine layer {@code z = W h + b}, {@code W} of shape {@code [out, in]} row-major. */
    public record Layer(int in, int out, float[] weight, float[] bias) {
        public Layer {
            if (weight.length != in * out || bias.length != out) {
                throw new IllegalArgumentException("a " + in + " -> " + out + " layer needs " + in * out + " weights and "
                        + out + " biases, got " + weight.length + " and " + bias.length);
            }
        }
    }

    public MlpWeights {
        requireNonNull(activation, "activation is null");
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an MLP needs at least one layer");
        }
        int width = inputFeatures(dimension);
        for (int l = 0; l < layers.size(); l++) {
            if (layers.get(l).in() != width) {
                throw new IllegalArgumentException("layer " + l + " takes " + layers.get(l).in() + " inputs, but "
                        + width + " come in");
            }
            width = layers.get(l).out();
        }
        if (width != dimension) {
            throw new IllegalArgumentException("the last layer has " + width + " outputs, expected d = " + dimension);
        }
    }

    /** The network's input features for d coordinates: {@code [x, t, log t]}. */
    public static int inputFeatures(int dimension) {
        return dimension + 2;
    }

    /**
     * The network in double precision on {@code rows} points {@code x[offset + r*d ..]} at time
     * {@code t}, into {@code out[r*d ..]}: the reference the providers are tested against.
     */
    public void forward(double[] x, int offset, int rows, double t, double[] out) {
        int d = dimension;
        int widest = inputFeatures(d);
        for (Layer layer : layers) {
            widest = Math.max(widest, layer.out());
        }
        double[] h = new double[widest];
        double[] next = new double[widest];
        double logT = Math.log(t);
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x, offset + r * d, h, 0, d);
            h[d] = t;
            h[d + 1] = logT;
            for (int l = 0; l < layers.size(); l++) {
                Layer layer = layers.get(l);
                boolean hidden = l < layers.size() - 1;
                for (int o = 0; o < layer.out(); o++) {
                    double z = layer.bias()[o];
                    int w = o * layer.in();
                    for (int i = 0; i < layer.in(); i++) {
                        z += layer.weight()[w + i] * h[i];
                    }
                    next[o] = hidden ? activate(z) : z;
                }
                double[] swap = h;
                h = next;
                next = swap;
            }
            System.arraycopy(h, 0, out, r * d, d);
        }
    }

    private double activate(double z) {
        return activation == Activation.SILU ? z / (1.0 + Math.exp(-z)) : Math.tanh(z);
    }

    /**
     * The same network as an ONNX graph in float32: inputs {@code xName [n, d]} and
     * {@code tName [n, 1]}, output {@code outName [n, d]}; {@code Log}, {@code Concat},
     * {@code Gemm} (with {@code transB = 1} for the {@code [out, in]} weights), and
     * {@code Sigmoid}·{@code Mul} (SiLU) or {@code Tanh}.
     */
    public OnnxGraphBuilder toOnnx(String xName, String tName, String outName) {
        OnnxGraphBuilder g = new OnnxGraphBuilder("score-mlp", OnnxGraphBuilder.ElementType.FLOAT32)
                .input(xName, dimension)
                .input(tName, 1)
                .output(outName, dimension)
                .node("Log", "log_t", new String[] {tName})
                .node("Concat", "h0", new String[] {xName, tName, "log_t"}, "axis", 1);
        String h = "h0";
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            boolean hidden = l < layers.size() - 1;
            g.constant("W" + l, toDoubles(layer.weight()), layer.out(), layer.in());
            g.constant("b" + l, toDoubles(layer.bias()), layer.out());
            String z = hidden ? "z" + l : outName;
            g.node("Gemm", z, new String[] {h, "W" + l, "b" + l}, "transB", 1);
            if (hidden) {
                String next = "h" + (l + 1);
                if (activation == Activation.SILU) {
                    g.node("Sigmoid", "sig" + l, new String[] {z});
                    g.node("Mul", next, new String[] {z, "sig" + l});
                } else {
                    g.node("Tanh", next, new String[] {z});
                }
                h = next;
            }
        }
        return g;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
