package org.scorepipe.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Simd;

/**
 * The Java forward pass ({@link VectorMlp}, {@code engine: java}) against ONNX Runtime on the same
 * model file and against the double-precision reference {@link MlpWeights#forward}, and the
 * recogniser ({@link MlpGraph}) that decides which models it may run.
 */
class VectorMlpTest {
    /** One float32 ulp relative to a value (2^-23). */
    static final double ULP = 0x1p-23;
    /** "A few ulps": the rounding of one float32 sum, relative to the sum of its terms' magnitudes, or of one activation. */
    static final double FEW = 4;
    /** The largest slope of the activations: SiLU's is 1.0998 (at z = 2.4), tanh's 1. */
    static final double SLOPE = 1.1;

    @TempDir
    Path dir;

    static MlpWeights randomMlp(int d, int[] hidden, MlpWeights.Activation activation, long seed) {
        Random random = new Random(seed);
        int[] widths = new int[hidden.length + 2];
        widths[0] = MlpWeights.inputFeatures(d);
        System.arraycopy(hidden, 0, widths, 1, hidden.length);
        widths[widths.length - 1] = d;
        List<MlpWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            float[] w = new float[widths[l] * widths[l + 1]];
            float[] b = new float[widths[l + 1]];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() / Math.sqrt(widths[l]));
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (0.1 * random.nextGaussian());
            }
            layers.add(new MlpWeights.Layer(widths[l], widths[l + 1], w, b));
        }
        return new MlpWeights(d, activation, layers);
    }

    /**
     * A bound on the float32 error of any evaluation of the network at each point, relative to the
     * exact (here: double) value: every float32 sum {@code z_o = b_o + sum_i W_oi h_i}, in whatever
     * order, is within {@link #FEW} ulps of {@code |b_o| + sum_i |W_oi| |h_i|} (the error of a
     * recursive sum is at most {@code n} ulps of that, and a few in practice, because the partial
     * sums of terms of random sign are much smaller than the sum of magnitudes); an error
     * {@code e_i} already in {@code h_i} adds {@code sum_i |W_oi| e_i}, and an activation multiplies
     * an error by at most {@link #SLOPE} and adds a few ulps of its value. The inputs start with the
     * rounding of {@code x}, {@code t} and {@code log t} to float32.
     */
    static double[] errorBound(MlpWeights mlp, double[] x, int rows, double t) {
        int d = mlp.dimension();
        double[] bound = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double[] h = new double[MlpWeights.inputFeatures(d)];
            double[] e = new double[h.length];
            for (int i = 0; i < d; i++) {
                h[i] = x[r * d + i];
            }
            h[d] = t;
            h[d + 1] = Math.log(t);
            for (int i = 0; i < h.length; i++) {
                e[i] = ULP * Math.abs(h[i]) + (i == d + 1 ? ULP / t : 0);  // log t of a rounded t: ulp(t)/t more
            }
            for (int l = 0; l < mlp.layers().size(); l++) {
                MlpWeights.Layer layer = mlp.layers().get(l);
                boolean hidden = l < mlp.layers().size() - 1;
                double[] nh = new double[layer.out()];
                double[] ne = new double[layer.out()];
                for (int o = 0; o < layer.out(); o++) {
                    double z = layer.bias()[o];
                    double magnitude = Math.abs(layer.bias()[o]);
                    double carried = 0;
                    for (int i = 0; i < layer.in(); i++) {
                        double w = layer.weight()[o * layer.in() + i];
                        z += w * h[i];
                        magnitude += Math.abs(w * h[i]);
                        carried += Math.abs(w) * e[i];
                    }
                    double ez = carried + FEW * ULP * magnitude;
                    if (hidden) {
                        nh[o] = mlp.activation() == MlpWeights.Activation.SILU ? z / (1 + Math.exp(-z)) : Math.tanh(z);
                        ne[o] = SLOPE * ez + FEW * ULP * Math.abs(nh[o]);
                    } else {
                        nh[o] = z;
                        ne[o] = ez;
                    }
                }
                h = nh;
                e = ne;
            }
            System.arraycopy(e, 0, bound, r * d, d);
        }
        return bound;
    }

    static OnnxScore provider(Path model, int d, Engine engine) {
        return new OnnxScore(OnnxScoreTest.params(model, "x", "t", ScoreOutput.SCORE, Precision.FLOAT32).withEngine(engine),
                OnnxScoreTest.spec(d), OnnxScoreTest.OU);
    }

    static final int[] ROWS = {1, 5, 31, 100, 1027};
    static final double[] TIMES = {0.003, 0.5, 3.0};

    /**
     * With {@code output: score} the provider's output is the network's, so {@code engine: java} and
     * {@code engine: onnxruntime} on one file give the two forward passes; each is within the
     * float32 bound of the double reference, and so they are within twice it of each other.
     */
    @Test
    void theJavaForwardPassMatchesOnnxRuntimeOnTheSameModelFile() throws IOException {
        for (int d : new int[] {2, 16}) {
            for (MlpWeights.Activation activation : MlpWeights.Activation.values()) {
                MlpWeights mlp = randomMlp(d, new int[] {37, 32}, activation, 17 + d);
                Path model = dir.resolve("mlp-" + d + "-" + activation.configName() + ".onnx");
                mlp.toOnnx("x", "t", "y").write(model);
                OnnxScore onJava = provider(model, d, Engine.JAVA);
                OnnxScore ort = provider(model, d, Engine.ONNXRUNTIME);
                assertEquals(Engine.JAVA, onJava.engine());
                assertEquals(Engine.ONNXRUNTIME, ort.engine());
                for (int rows : ROWS) {
                    double[] x = OnnxScoreTest.points(rows + 1, d, rows);
                    for (double t : TIMES) {
                        double[] fromJava = new double[rows * d];
                        double[] fromOrt = new double[rows * d];
                        onJava.score(x, d, rows, t, fromJava);    // offset one row: the engine must honour it
                        ort.score(x, d, rows, t, fromOrt);
                        double[] shifted = Arrays.copyOfRange(x, d, x.length);
                        double[] reference = new double[rows * d];
                        mlp.forward(shifted, 0, rows, t, reference);
                        double[] bound = errorBound(mlp, shifted, rows, t);
                        for (int i = 0; i < rows * d; i++) {
                            String where = "d=" + d + " " + activation + " rows=" + rows + " t=" + t + " i=" + i;
                            assertEquals(reference[i], fromJava[i], bound[i], "java " + where);
                            assertEquals(reference[i], fromOrt[i], bound[i], "onnxruntime " + where);
                            assertEquals(fromOrt[i], fromJava[i], 2 * bound[i], where);
                        }
                    }
                }
            }
        }
    }

    /**
     * The bound holds on a network of the benchmark's widths and is not vacuous: the float32 pass is
     * off the double reference by more than a thousandth of it (about 3e-3 with this seed: the bound
     * lets the errors carried from the previous layer add up with one sign, which they do not).
     */
    @Test
    void theErrorBoundHoldsAndIsNotVacuous() {
        int d = 16;
        MlpWeights mlp = randomMlp(d, new int[] {128, 128}, MlpWeights.Activation.SILU, 5);
        VectorMlp forward = new VectorMlp(mlp);
        int rows = 200;
        double[] x = OnnxScoreTest.points(rows, d, 9);
        double[] y = new double[rows * d];
        forward.forward(x, 0, rows, 1.0, 0.5, y);
        double[] reference = new double[rows * d];
        mlp.forward(x, 0, rows, 0.5, reference);
        double[] bound = errorBound(mlp, x, rows, 0.5);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - reference[i]) / bound[i]);
        }
        assertTrue(worst < 1 && worst > 1e-3, "largest error / bound = " + worst);
    }

    /** The chunks and tiles cover every point once: a block is the concatenation of its parts, whatever its size. */
    @Test
    void aBlockGivesTheSameBitsAsItsPointsOneByOne() {
        int d = 3;
        MlpWeights mlp = randomMlp(d, new int[] {9, 6}, MlpWeights.Activation.TANH, 21);
        VectorMlp forward = new VectorMlp(mlp);
        int rows = 2 * VectorMlp.CHUNK + VectorMlp.LANES + 3;
        double[] x = OnnxScoreTest.points(rows, d, 4);
        double[] block = new double[rows * d];
        forward.forward(x, 0, rows, 0.8, 0.2, block);
        for (int r = 0; r < rows; r++) {
            double[] one = new double[d];
            forward.forward(x, r * d, 1, 0.8, 0.2, one);
            assertArrayEquals(one, Arrays.copyOfRange(block, r * d, r * d + d), "row " + r);
        }
    }

    /**
     * A run's bytes must not depend on when the JIT compiles the forward pass: the first call (the
     * interpreter's lane-by-lane fallback) and calls after thousands of others (compiled to SIMD
     * instructions) give the same bits. The Vector API's own EXP failed this: compiled, it calls a
     * vector math library whose last bits differ from the fallback's.
     */
    @ParameterizedTest
    @EnumSource(MlpWeights.Activation.class)
    void theFirstCallAndACompiledCallGiveTheSameBits(MlpWeights.Activation activation) {
        int d = 2;
        MlpWeights mlp = randomMlp(d, new int[] {16, 16}, activation, 5);
        VectorMlp forward = new VectorMlp(mlp);
        int rows = 4 * VectorMlp.CHUNK;
        double[] x = OnnxScoreTest.points(rows, d, 6);
        double[] cold = new double[rows * d];
        forward.forward(x, 0, rows, 1.3, 0.3, cold);
        double[] warm = new double[rows * d];
        for (int call = 0; call < 3000; call++) {  // far beyond C2's compile thresholds (10 000 loop iterations)
            forward.forward(x, 0, rows, 1.3, 0.3, warm);
        }
        assertArrayEquals(cold, warm);
    }

    /** Other outputs and time conventions are the provider's conversions around the same forward pass. */
    @Test
    void bothEnginesGiveTheSameScoreForAnEpsilonModel() throws IOException {
        int d = 2;
        MlpWeights mlp = randomMlp(d, new int[] {128, 128}, MlpWeights.Activation.SILU, 3);
        Path model = dir.resolve("eps.onnx");
        mlp.toOnnx("x", "t", "epsilon").write(model);
        OnnxScore.Params params = OnnxScoreTest.params(model, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32);
        OnnxScore onJava = new OnnxScore(params.withEngine(Engine.JAVA), OnnxScoreTest.spec(d), OnnxScoreTest.OU);
        OnnxScore ort = new OnnxScore(params.withEngine(Engine.ONNXRUNTIME), OnnxScoreTest.spec(d), OnnxScoreTest.OU);
        int rows = 1000;
        double[] x = OnnxScoreTest.points(rows, d, 8);
        for (double t : TIMES) {
            double[] a = new double[rows * d];
            double[] b = new double[rows * d];
            onJava.score(x, 0, rows, t, a);
            ort.score(x, 0, rows, t, b);
            double[] bound = errorBound(mlp, x, rows, t);
            double sigma = OnnxScoreTest.OU.noiseScale(t);
            for (int i = 0; i < a.length; i++) {
                // s = -eps / sigma: the networks' difference (twice the bound) over sigma, plus the double rounding
                assertEquals(b[i], a[i], 2 * bound[i] / sigma + 1e-15 * Math.abs(b[i]), "t=" + t + " i=" + i);
            }
        }
    }

    @Test
    void autoChoosesJavaForTheMlpAndOnnxRuntimeForAnythingElse() throws IOException {
        MlpWeights mlp = randomMlp(3, new int[] {8}, MlpWeights.Activation.SILU, 1);
        Path model = dir.resolve("mlp.onnx");
        mlp.toOnnx("x", "t", "y").write(model);
        assertEquals(Simd.ENABLED ? Engine.JAVA : Engine.ONNXRUNTIME, provider(model, 3, Engine.AUTO).engine());
        Path gaussian = OnnxScoreTest.gaussianScoreModel(dir.resolve("g.onnx"), OnnxGraphBuilder.ElementType.FLOAT32);
        OnnxScore.Params params = OnnxScoreTest.params(gaussian, "x", "t", ScoreOutput.SCORE, Precision.FLOAT32);
        assertEquals(Engine.ONNXRUNTIME, new OnnxScore(params, OnnxScoreTest.spec(3), OnnxScoreTest.OU).engine());
        String m = OnnxScoreTest.message(() -> new OnnxScore(params.withEngine(Engine.JAVA), OnnxScoreTest.spec(3),
                OnnxScoreTest.OU));
        assertTrue(m.contains("engine: java cannot run the ONNX model") && m.contains("g.onnx")
                && m.contains("is not the MLP scorepipe train exports") && m.contains("set engine: onnxruntime"), m);
    }

    /**
     * The recogniser reads back exactly the weights written, from float_data or from raw_data (PyTorch's
     * exports), and from a Gemm without transB whose weights are stored [in, out].
     */
    @Test
    void theRecogniserReadsTheExportedWeightsBack() throws Exception {
        MlpWeights mlp = randomMlp(4, new int[] {10, 7}, MlpWeights.Activation.TANH, 2);
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(mlp.toOnnx("x", "t", "y").toBytes());
        OnnxMl.ModelProto.Builder raw = model.toBuilder();
        OnnxMl.GraphProto.Builder graph = raw.getGraphBuilder();
        for (int k = 0; k < graph.getInitializerCount(); k++) {
            OnnxMl.TensorProto.Builder tensor = graph.getInitializerBuilder(k);
            ByteBuffer bytes = ByteBuffer.allocate(tensor.getFloatDataCount() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            tensor.getFloatDataList().forEach(bytes::putFloat);
            tensor.clearFloatData().setRawData(ByteString.copyFrom(bytes.array()));
        }
        // Gemm without transB, weights stored [in, out]: the same network
        OnnxMl.ModelProto.Builder untransposed = model.toBuilder();
        OnnxMl.GraphProto.Builder g = untransposed.getGraphBuilder();
        for (OnnxMl.NodeProto.Builder node : g.getNodeBuilderList()) {
            if (node.getOpType().equals("Gemm")) {
                node.clearAttribute();
            }
        }
        for (int k = 0; k < g.getInitializerCount(); k++) {
            OnnxMl.TensorProto.Builder tensor = g.getInitializerBuilder(k);
            if (tensor.getDimsCount() == 2) {
                int rows = (int) tensor.getDims(0);
                int cols = (int) tensor.getDims(1);
                List<Float> values = new ArrayList<>(tensor.getFloatDataList());
                tensor.clearFloatData().clearDims().addDims(cols).addDims(rows);
                for (int i = 0; i < cols; i++) {
                    for (int o = 0; o < rows; o++) {
                        tensor.addFloatData(values.get(o * cols + i));
                    }
                }
            }
        }
        for (OnnxMl.ModelProto m : new OnnxMl.ModelProto[] {model, raw.build(), untransposed.build()}) {
            MlpWeights read = MlpGraph.read(m, "x", "t", "y");
            assertEquals(mlp.dimension(), read.dimension());
            assertEquals(mlp.activation(), read.activation());
            assertEquals(mlp.layers().size(), read.layers().size());
            for (int l = 0; l < mlp.layers().size(); l++) {
                assertArrayEquals(mlp.layers().get(l).weight(), read.layers().get(l).weight(), "layer " + l);
                assertArrayEquals(mlp.layers().get(l).bias(), read.layers().get(l).bias(), "layer " + l);
            }
        }
    }

    /** Strict: a graph that differs from the MLP in any one way is not an MLP, with the reason. */
    @Test
    void theRecogniserRefusesAnythingElse() throws Exception {
        MlpWeights mlp = randomMlp(2, new int[] {6}, MlpWeights.Activation.SILU, 4);
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(mlp.toOnnx("x", "t", "y").toBytes());
        assertTrue(MlpGraph.read(model, "x", "t", "y").layers().size() == 2);

        OnnxMl.ModelProto.Builder relu = model.toBuilder();
        for (OnnxMl.NodeProto.Builder node : relu.getGraphBuilder().getNodeBuilderList()) {
            if (node.getOpType().equals("Sigmoid")) {
                node.setOpType("Relu");
            }
        }
        assertNotAnMlp(relu.build(), "goes neither to one Tanh nor to z * Sigmoid(z)");

        OnnxMl.ModelProto.Builder extra = model.toBuilder();
        extra.getGraphBuilder().addNode(OnnxMl.NodeProto.newBuilder().setOpType("Neg").addInput("h1").addOutput("unused"));
        assertNotAnMlp(extra.build(), "'h1' does not go to one Gemm");

        OnnxMl.ModelProto.Builder alpha = model.toBuilder();
        for (OnnxMl.NodeProto.Builder node : alpha.getGraphBuilder().getNodeBuilderList()) {
            if (node.getOpType().equals("Gemm")) {
                node.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("alpha")
                        .setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(2f));
                break;
            }
        }
        assertNotAnMlp(alpha.build(), "is not h W^T + b");

        OnnxMl.ModelProto.Builder order = model.toBuilder();
        for (OnnxMl.NodeProto.Builder node : order.getGraphBuilder().getNodeBuilderList()) {
            if (node.getOpType().equals("Concat")) {
                node.setInput(0, "t").setInput(1, "x");
            }
        }
        assertNotAnMlp(order.build(), "is not Concat(x, t, Log(t); axis 1)");

        OnnxMl.ModelProto.Builder unusedInitializer = model.toBuilder();
        unusedInitializer.getGraphBuilder().addInitializer(OnnxMl.TensorProto.newBuilder().setName("spare")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(1).addFloatData(1f));
        assertNotAnMlp(unusedInitializer.build(), "initializers besides");

        assertNotAnMlp(model, "x", "t", "z", "not the one output 'z'");
        assertNotAnMlp(model, "x", null, "y", "no time input");

        Path float64 = dir.resolve("f64.onnx");
        new OnnxGraphBuilder("f64", OnnxGraphBuilder.ElementType.FLOAT64).input("x", 2).input("t", 1).output("y", 2)
                .node("Identity", "y", new String[] {"x"}).write(float64);
        MlpGraph.NotAnMlp e = assertThrows(MlpGraph.NotAnMlp.class, () -> MlpGraph.read(float64, "x", "t", "y"));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
        assertTrue(Files.exists(float64));
    }

    static void assertNotAnMlp(OnnxMl.ModelProto model, String reason) {
        assertNotAnMlp(model, "x", "t", "y", reason);
    }

    static void assertNotAnMlp(OnnxMl.ModelProto model, String x, String t, String y, String reason) {
        MlpGraph.NotAnMlp e = assertThrows(MlpGraph.NotAnMlp.class, () -> MlpGraph.read(model, x, t, y));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
