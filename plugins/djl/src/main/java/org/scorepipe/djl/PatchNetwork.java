package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recurrent patch network of chained Langevin dynamics (Cheng, Fu, Farnia, arXiv 2406.02017,
 * Section 5: an LSTM reads the image as a sequence of patches): the vector {@code x} of
 * {@code d = P Q} coordinates is the sequence of patches {@code x_0, ..., x_{P-1}} of {@code Q}, and
 * the network predicts the noise of patch {@code j}, noised to {@code y = alpha_t x_j + sigma_t z},
 * given the clean patches before it:
 * <pre>
 *   u_0 = 0,  u_i = x_{i-1}                          (the clean patches, one step behind)
 *   [i; f; g; o] = W [u_i; h_{i-1}] + b,  h_{-1} = c_{-1} = 0
 *   c_i = sigmoid(f) * c_{i-1} + sigmoid(i) * tanh(g),   h_i = sigmoid(o) * tanh(c_i)   (LSTM cell)
 *   eps(y | x_{&lt;j}, t) = MLP([h_j, y, t, log sigma_t, e_j])   (silu hidden layers, e_j one-hot of j)
 *   s(y | x_{&lt;j}, t)   = -eps / sigma_t
 * </pre>
 * so {@code h_j} depends on {@code x_0 .. x_{j-1}} only: it is the prefix state of
 * {@link org.scorepipe.api.ConditionalScore}, computed once per particle and patch, and each
 * Langevin step of the patch costs only the head.
 *
 * <p>{@link #block} is the DJL block that {@link PatchTraining} trains, all {@code P} patches of a
 * batch at once; {@link Weights} are its parameters in float32, saved as JSON
 * ({@value #FILE}) and run by the plain-Java forward pass here ({@link Forward#prefix},
 * {@link Forward#epsilon}), in double precision from the float weights, so that sampling needs
 * no native engine and gives the same bits on every machine.
 */
public final class PatchNetwork {
    /** The model file inside a model folder. */
    public static final String FILE = "patch-lstm.json";
    static final String FORMAT = "scorepipe-patch-lstm/1";

    private PatchNetwork() {
    }

    /**
     * The network's parameters.
     *
     * @param format {@value #FORMAT}
     * @param dimension d
     * @param patch Q
     * @param state the LSTM's state size H
     * @param hidden the head's hidden widths
     * @param path the noising path it was trained along (for the record)
     * @param timeRange the times it was trained on, {@code [from, to]}
     * @param cellWeight {@code W}, {@code 4H x (Q + H)} row-major, gates in the order i, f, g, o
     * @param cellBias {@code b}, {@code 4H}
     * @param head the head's layers, the last one linear
     */
    public record Weights(String format, int dimension, int patch, int state, int[] hidden, String path, double[] timeRange,
            float[] cellWeight, float[] cellBias, List<Layer> head) {

        /** One dense layer, {@code out = weight * in + bias}, weight {@code out x in} row-major. */
        public record Layer(int in, int out, float[] weight, float[] bias) {
        }

        /** The number of patches P. */
        public int patches() {
            return dimension / patch;
        }

        /** The head's input width: {@code H + Q + 2 + P}. */
        int headInputs() {
            return state + patch + 2 + patches();
        }

        /** Checks the shapes against each other; {@link IllegalArgumentException} naming {@code file} otherwise. */
        void check(Path file) {
            String what = "model: " + file + " ";
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException(what + "is not a patch network (format " + format + ", expected " + FORMAT + ")");
            }
            if (dimension < 1 || patch < 1 || dimension % patch != 0 || state < 1 || hidden == null || head == null
                    || head.size() != hidden.length + 1) {
                throw new IllegalArgumentException(what + "is incomplete or inconsistent: it needs dimension, a patch dividing"
                        + " it, state >= 1, hidden and one head layer per hidden width plus the output layer");
            }
            if (cellWeight == null || cellWeight.length != 4 * state * (patch + state) || cellBias == null
                    || cellBias.length != 4 * state) {
                throw new IllegalArgumentException(what + "has an LSTM cell of the wrong shape for state " + state + " and patch "
                        + patch);
            }
            int in = headInputs();
            for (int l = 0; l < head.size(); l++) {
                Layer layer = head.get(l);
                int out = l < hidden.length ? hidden[l] : patch;
                if (layer.in() != in || layer.out() != out || layer.weight() == null || layer.weight().length != in * out
                        || layer.bias() == null || layer.bias().length != out) {
                    throw new IllegalArgumentException(what + "has head layer " + l + " of the wrong shape (expected " + in + " -> "
                            + out + ")");
                }
                in = out;
            }
        }

        /** The forward pass of these weights, in double precision. */
        public Forward forward() {
            return new Forward(this);
        }
    }

    /**
     * The network's forward pass in plain Java, in double precision from the float32 weights. A
     * layer's inputs are held transposed ({@code [in][rows]}), so that a weight multiplies a run of
     * points' inputs in one loop the JIT turns into SIMD lanes; each point's sum is still added in
     * the order {@code m = 0, 1, ...}, with a multiply and an add (Java never fuses them), so a
     * point's output depends on its own inputs only, not on how many points share the call.
     * Immutable and thread-safe.
     */
    public static final class Forward {
        /** Points a layer takes at once. */
        private static final int CHUNK = 32;
        private final int dimension;
        private final int patch;
        private final int state;
        private final int patches;
        private final double[] cellWeight;
        private final double[] cellBias;
        private final double[][] weights;
        private final double[][] biases;
        private final int[] widths;
        private final int widest;
        private final ThreadLocal<double[][]> scratch;

        private Forward(Weights w) {
            this.dimension = w.dimension();
            this.patch = w.patch();
            this.state = w.state();
            this.patches = w.patches();
            this.cellWeight = doubles(w.cellWeight());
            this.cellBias = doubles(w.cellBias());
            int layers = w.head().size();
            this.weights = new double[layers][];
            this.biases = new double[layers][];
            this.widths = new int[layers + 1];
            widths[0] = w.headInputs();
            int most = widths[0];
            for (int l = 0; l < layers; l++) {
                weights[l] = doubles(w.head().get(l).weight());
                biases[l] = doubles(w.head().get(l).bias());
                widths[l + 1] = w.head().get(l).out();
                most = Math.max(most, widths[l + 1]);
            }
            this.widest = most;
            this.scratch = ThreadLocal.withInitial(() -> new double[2][0]);
        }

        private static double[] doubles(float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }

        /**
         * {@code h_j} of {@code rows} points, full rows of {@code d} at {@code x[offset + r*d ..]}, for
         * the patch starting at {@code from = j Q}, into {@code out[stateOffset + r*H ..]}: the LSTM
         * run over {@code u_0 = 0, u_1 = x_0, ..., u_j = x_{j-1}}.
         */
        public void prefix(double[] x, int offset, int rows, int from, double[] out, int stateOffset) {
            int j = from / patch;
            int h = state;
            int width = patch + h;
            double[] input = new double[width];
            double[] c = new double[h];
            double[] gates = new double[4 * h];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(input, 0.0);
                java.util.Arrays.fill(c, 0.0);
                int xo = offset + r * dimension;
                for (int i = 0; i <= j; i++) {
                    if (i > 0) {
                        System.arraycopy(x, xo + (i - 1) * patch, input, 0, patch);
                    }
                    for (int g = 0; g < 4 * h; g++) {
                        double s = cellBias[g];
                        int wo = g * width;
                        for (int m = 0; m < width; m++) {
                            s += cellWeight[wo + m] * input[m];
                        }
                        gates[g] = s;
                    }
                    for (int m = 0; m < h; m++) {
                        c[m] = sigmoid(gates[h + m]) * c[m] + sigmoid(gates[m]) * Math.tanh(gates[2 * h + m]);
                        input[patch + m] = sigmoid(gates[3 * h + m]) * Math.tanh(c[m]);
                    }
                }
                System.arraycopy(input, patch, out, stateOffset + r * h, h);
            }
        }

        /**
         * The predicted noise of the patch starting at {@code from} of {@code rows} points at time
         * {@code t} (noise scale {@code sigma}), from their states at {@code states[stateOffset + r*H ..]},
         * into {@code out[r*Q ..]}.
         */
        public void epsilon(double[] x, int offset, int rows, int from, double t, double sigma, double[] states,
                int stateOffset, double[] out) {
            // In chunks whose layers' inputs and outputs stay in cache (measured: 256 rows at once ran 0.6x as fast).
            for (int first = 0; first < rows; first += CHUNK) {
                int n = Math.min(CHUNK, rows - first);
                chunk(x, offset + first * dimension, n, from, t, sigma, states, stateOffset + first * state, out, first * patch);
            }
        }

        private void chunk(double[] x, int offset, int rows, int from, double t, double sigma, double[] states,
                int stateOffset, double[] out, int outOffset) {
            double[][] buffers = scratch.get();
            if (buffers[0].length < rows * widest) {
                buffers[0] = new double[rows * widest];
                buffers[1] = new double[rows * widest];
            }
            double[] a = buffers[0];
            double[] b = buffers[1];
            int in = widths[0];
            int j = from / patch;
            double logSigma = Math.log(sigma);
            // Transposed: input m of point r at a[m * rows + r].
            for (int r = 0; r < rows; r++) {
                int so = stateOffset + r * state;
                for (int m = 0; m < state; m++) {
                    a[m * rows + r] = states[so + m];
                }
                int xo = offset + r * dimension + from;
                for (int c = 0; c < patch; c++) {
                    a[(state + c) * rows + r] = x[xo + c];
                }
                int o = state + patch;
                a[o * rows + r] = t;
                a[(o + 1) * rows + r] = logSigma;
                for (int p = 0; p < patches; p++) {
                    a[(o + 2 + p) * rows + r] = p == j ? 1.0 : 0.0;
                }
            }
            for (int l = 0; l < weights.length; l++) {
                dense(weights[l], biases[l], widths[l], widths[l + 1], a, b, rows, l < weights.length - 1);
                double[] swap = a;
                a = b;
                b = swap;
            }
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < patch; c++) {
                    out[outOffset + r * patch + c] = a[c * rows + r];
                }
            }
        }

        /**
         * {@code b[k][r] = act(bias_k + sum_m w[k, m] a[m][r])} for {@code rows} points, inputs and
         * outputs transposed, silu if {@code silu}.
         */
        private static void dense(double[] w, double[] bias, int in, int out, double[] a, double[] b, int rows, boolean silu) {
            if (org.scorepipe.api.Simd.ENABLED) {
                PatchLanes.dense(w, bias, in, out, a, b, rows);
            } else {
                plainDense(w, bias, in, out, a, b, rows);
            }
            if (silu) {
                for (int i = 0; i < out * rows; i++) {
                    b[i] = silu(b[i]);
                }
            }
        }

        /** {@code b[k][r] = bias_k + sum_m w[k, m] a[m][r]}: the plain twin of {@link PatchLanes#dense}. */
        static void plainDense(double[] w, double[] bias, int in, int out, double[] a, double[] b, int rows) {
            for (int k = 0; k < out; k++) {
                int bo = k * rows;
                int wo = k * in;
                for (int r = 0; r < rows; r++) {
                    double s = bias[k];
                    for (int m = 0; m < in; m++) {
                        s += w[wo + m] * a[m * rows + r];
                    }
                    b[bo + r] = s;
                }
            }
        }

        private static double silu(double v) {
            return v / (1.0 + Math.exp(-v));
        }

        private static double sigmoid(double v) {
            return 1.0 / (1.0 + Math.exp(-v));
        }
    }

    /**
     * The DJL block: inputs {@code u [B, P, Q]} (the clean patches one step behind, zeros first),
     * {@code y [B, P, Q]} (each patch noised), {@code s [B, P, 2 + P]} ({@code t, log sigma_t} and the
     * one-hot position of each patch); output the predicted noise {@code [B P, Q]}, row
     * {@code b P + j} for patch {@code j} of sample {@code b}.
     */
    static Network block(int dimension, int patch, int state, int[] hidden) {
        return new Network(dimension, patch, state, hidden);
    }

    /** The trainable form of the network (see {@link #block}). */
    static final class Network extends AbstractBlock {
        private final int patch;
        private final int patches;
        private final int state;
        private final int[] hidden;
        private final Linear cell;
        private final SequentialBlock head;

        Network(int dimension, int patch, int state, int[] hidden) {
            super((byte) 1);
            this.patch = patch;
            this.patches = dimension / patch;
            this.state = state;
            this.hidden = hidden.clone();
            this.cell = addChildBlock("cell", Linear.builder().setUnits(4L * state).build());
            SequentialBlock net = new SequentialBlock();
            for (int width : hidden) {
                net.add(Linear.builder().setUnits(width).build());
                net.add(LambdaBlock.singleton(z -> Activation.swish(z, 1f), "silu"));
            }
            net.add(Linear.builder().setUnits(patch).build());
            this.head = addChildBlock("head", net);
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray u = inputs.get(0);
            NDArray y = inputs.get(1);
            NDArray s = inputs.get(2);
            long batch = u.getShape().get(0);
            NDManager manager = u.getManager();
            NDArray h = manager.zeros(new Shape(batch, state), u.getDataType());
            NDArray c = manager.zeros(new Shape(batch, state), u.getDataType());
            NDList states = new NDList();
            for (int i = 0; i < patches; i++) {
                NDArray input = u.get(":, " + i + ", :");
                NDArray gates = cell.forward(store, new NDList(NDArrays.concat(new NDList(input, h), 1)), training)
                        .singletonOrThrow();
                NDList parts = gates.split(4, 1);
                c = Activation.sigmoid(parts.get(1)).mul(c).add(Activation.sigmoid(parts.get(0)).mul(parts.get(2).tanh()));
                h = Activation.sigmoid(parts.get(3)).mul(c.tanh());
                states.add(h);
            }
            NDArray hs = NDArrays.stack(states, 1); // [B, P, H]
            NDArray features = NDArrays.concat(new NDList(hs, y, s), 2).reshape(batch * patches, state + patch + 2 + patches);
            return head.forward(store, new NDList(features), training);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(inputShapes[0].get(0) * patches, patch)};
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
            long batch = inputShapes[0].get(0);
            cell.initialize(manager, dataType, new Shape(batch, patch + state));
            head.initialize(manager, dataType, new Shape(batch * patches, state + patch + 2 + patches));
        }

        /** The trained parameters, in float32. */
        Weights weights(int dimension, String path, double[] timeRange) {
            List<Weights.Layer> layers = new ArrayList<>();
            for (Block child : head.getChildren().values()) {
                if (child instanceof Linear linear) {
                    float[] w = floats(linear.getParameters().get("weight"));
                    float[] b = floats(linear.getParameters().get("bias"));
                    layers.add(new Weights.Layer(w.length / b.length, b.length, w, b));
                }
            }
            return new Weights(FORMAT, dimension, patch, state, hidden.clone(), path, timeRange.clone(),
                    floats(cell.getParameters().get("weight")), floats(cell.getParameters().get("bias")), layers);
        }

        private static float[] floats(Parameter p) {
            return p.getArray().toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** Writes the weights as {@value #FILE} into {@code folder}, through a temporary file renamed into place. */
    static void save(Weights weights, Path folder) throws IOException {
        Files.createDirectories(folder);
        Path tmp = folder.resolve(FILE + ".tmp");
        Files.writeString(tmp, gson().toJson(weights), StandardCharsets.UTF_8);
        Files.move(tmp, folder.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a model folder's (or file's) weights; {@link IllegalArgumentException} naming the file if it is not one. */
    public static Weights load(Path model) {
        requireNonNull(model, "model is null");
        Path file = Files.isDirectory(model) ? model.resolve(FILE) : model;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model: " + model + " holds no " + FILE + " (`scorepipe train` with"
                    + " `train: {type: patch-dsm, ...}` writes one into <run>/model)");
        }
        Weights w;
        try {
            w = gson().fromJson(Files.readString(file, StandardCharsets.UTF_8), Weights.class);
        } catch (IOException | JsonParseException e) {
            throw new IllegalArgumentException("model: " + file + " is corrupt (not the JSON `scorepipe train` writes): "
                    + e.getMessage(), e);
        }
        if (w == null) {
            throw new IllegalArgumentException("model: " + file + " is empty");
        }
        w.check(file);
        return w;
    }

    private static Gson gson() {
        return new GsonBuilder().serializeSpecialFloatingPointValues().create();
    }
}
