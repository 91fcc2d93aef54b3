package org.scorepipe.onnx;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the weights of an ONNX graph that is exactly the network {@link MlpWeights#toOnnx} writes,
 * and nothing else: float32 inputs {@code x [n, d]} and {@code t [n, 1]}, one output
 * {@code y [n, d]}, and the nodes
 * <pre>
 *   log_t = Log(t);  h0 = Concat(x, t, log_t; axis 1)
 *   z_l = Gemm(h_l, W_l, b_l; transB 0 or 1, alpha = beta = 1, transA 0)   W_l, b_l float32 initializers
 *   h_{l+1} = Mul(z_l, Sigmoid(z_l))  (SiLU)  or  Tanh(z_l)                 the same for every hidden layer
 *   y = the last Gemm's output
 * </pre>
 * with every intermediate consumed only as shown. Anything else (another operator, an extra node,
 * input or output, an initializer not used as a weight, a float64 model, another domain) is not an
 * MLP: {@link #read} says why, and the provider runs the model with ONNX Runtime. This is the check
 * that lets the {@code java} engine replace the model by {@link MlpWeights}' network.
 */
final class MlpGraph {
    private MlpGraph() {
    }

    /** Why a model is not the MLP {@link MlpWeights#toOnnx} writes. */
    static final class NotAnMlp extends Exception {
        NotAnMlp(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The weights of the model in {@code file}, whose inputs are {@code xName}, {@code tName} and output {@code outName}. */
    static MlpWeights read(Path file, String xName, String tName, String outName) throws NotAnMlp {
        OnnxMl.ModelProto model;
        try {
            model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new NotAnMlp("cannot read it as an ONNX model: " + e.getMessage());
        }
        return read(model, xName, tName, outName);
    }

    static MlpWeights read(OnnxMl.ModelProto model, String xName, String tName, String outName) throws NotAnMlp {
        for (OnnxMl.OperatorSetIdProto opset : model.getOpsetImportList()) {
            if (!opset.getDomain().isEmpty() && !opset.getDomain().equals("ai.onnx")) {
                throw new NotAnMlp("it imports the operator domain '" + opset.getDomain() + "'");
            }
        }
        if (!model.getFunctionsList().isEmpty()) {
            throw new NotAnMlp("it defines functions");
        }
        OnnxMl.GraphProto graph = model.getGraph();
        if (tName == null) {
            throw new NotAnMlp("it has no time input (t-input is empty)");
        }
        Map<String, OnnxMl.TensorProto> initializers = new HashMap<>();
        for (OnnxMl.TensorProto tensor : graph.getInitializerList()) {
            initializers.put(tensor.getName(), tensor);
        }
        if (!graph.getSparseInitializerList().isEmpty()) {
            throw new NotAnMlp("it has sparse initializers");
        }
        if (graph.getInputCount() != 2) {
            throw new NotAnMlp("it has " + graph.getInputCount() + " graph inputs, not the two x and t");
        }
        int d = -1;
        for (OnnxMl.ValueInfoProto input : graph.getInputList()) {
            long[] shape = floatShape(input);
            if (input.getName().equals(xName) && shape.length == 2 && shape[0] < 0 && shape[1] > 0) {
                d = (int) shape[1];
            } else if (!(input.getName().equals(tName) && shape.length == 2 && shape[0] < 0 && shape[1] == 1)) {
                throw new NotAnMlp("its input '" + input.getName() + "' is not x [n, d] or t [n, 1] in float32");
            }
        }
        if (d < 0) {
            throw new NotAnMlp("it has no float32 input '" + xName + "' [n, d]");
        }
        if (graph.getOutputCount() != 1 || !graph.getOutput(0).getName().equals(outName)) {
            throw new NotAnMlp("its outputs are not the one output '" + outName + "'");
        }
        long[] outShape = floatShape(graph.getOutput(0));
        if (outShape.length != 2 || outShape[1] != d) {
            throw new NotAnMlp("its output '" + outName + "' is not [n, " + d + "] in float32");
        }

        // each value's consumers, to walk the chain and to check nothing else reads an intermediate
        Map<String, List<OnnxMl.NodeProto>> consumers = new HashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
                throw new NotAnMlp("its node " + node.getName() + " is of the domain '" + node.getDomain() + "'");
            }
            for (String input : node.getInputList()) {
                consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node);
            }
        }
        Set<OnnxMl.NodeProto> used = new HashSet<>();
        List<OnnxMl.NodeProto> onT = consumers.getOrDefault(tName, List.of());
        OnnxMl.NodeProto log = only(onT, "Log", 1, 1, "t");
        if (log == null || onT.size() != 2) {
            throw new NotAnMlp("its time input does not go to one Log and the Concat");
        }
        used.add(log);
        String logT = log.getOutput(0);
        OnnxMl.NodeProto concat = only(consumers.getOrDefault(logT, List.of()), "Concat", 3, 1, "log t");
        if (concat == null || !concat.getInput(0).equals(xName) || !concat.getInput(1).equals(tName)
                || !concat.getInput(2).equals(logT) || !attributes(concat, Map.of("axis", 1L))
                || consumers.getOrDefault(xName, List.of()).size() != 1) {
            throw new NotAnMlp("its first node is not Concat(x, t, Log(t); axis 1)");
        }
        used.add(concat);
        String h = concat.getOutput(0);
        int width = MlpWeights.inputFeatures(d);
        MlpWeights.Activation activation = null;
        List<MlpWeights.Layer> layers = new ArrayList<>();
        while (true) {
            List<OnnxMl.NodeProto> onH = consumers.getOrDefault(h, List.of());
            OnnxMl.NodeProto gemm = only(onH, "Gemm", 3, 1, h);
            if (gemm == null || onH.size() != 1 || !gemm.getInput(0).equals(h)) {
                throw new NotAnMlp("'" + h + "' does not go to one Gemm as its first input");
            }
            used.add(gemm);
            Map<String, Long> ints = new HashMap<>();
            Map<String, Float> floats = new HashMap<>();
            for (OnnxMl.AttributeProto a : gemm.getAttributeList()) {
                switch (a.getName()) {
                    case "transA", "transB" -> ints.put(a.getName(), a.getI());
                    case "alpha", "beta" -> floats.put(a.getName(), a.getF());
                    default -> throw new NotAnMlp("its Gemm " + gemm.getName() + " has the attribute " + a.getName());
                }
            }
            boolean transB = ints.getOrDefault("transB", 0L) == 1;
            if (ints.getOrDefault("transA", 0L) != 0 || ints.getOrDefault("transB", 0L) > 1
                    || floats.getOrDefault("alpha", 1f) != 1f || floats.getOrDefault("beta", 1f) != 1f) {
                throw new NotAnMlp("its Gemm " + gemm.getName() + " is not h W^T + b (transA, alpha or beta)");
            }
            Constant w = constant(initializers, gemm.getInput(1), consumers);
            Constant b = constant(initializers, gemm.getInput(2), consumers);
            if (w.dims().length != 2 || b.dims().length != 1) {
                throw new NotAnMlp("its Gemm " + gemm.getName() + " has no matrix weight and vector bias");
            }
            int out = (int) (transB ? w.dims()[0] : w.dims()[1]);
            int in = (int) (transB ? w.dims()[1] : w.dims()[0]);
            if (in != width || b.dims()[0] != out) {
                throw new NotAnMlp("its Gemm " + gemm.getName() + " does not take " + width + " features to a bias of its width");
            }
            float[] weight = new float[out * in];
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    weight[o * in + i] = transB ? w.values()[o * in + i] : w.values()[i * out + o];
                }
            }
            layers.add(new MlpWeights.Layer(in, out, weight, b.values()));
            width = out;
            String z = gemm.getOutput(0);
            List<OnnxMl.NodeProto> onZ = consumers.getOrDefault(z, List.of());
            if (z.equals(outName)) {
                if (!onZ.isEmpty()) {
                    throw new NotAnMlp("its output '" + outName + "' is read by other nodes");
                }
                break;
            }
            MlpWeights.Activation act;
            OnnxMl.NodeProto tanh = only(onZ, "Tanh", 1, 1, z);
            if (tanh != null && onZ.size() == 1) {
                act = MlpWeights.Activation.TANH;
                used.add(tanh);
                h = tanh.getOutput(0);
            } else {
                OnnxMl.NodeProto sigmoid = only(onZ, "Sigmoid", 1, 1, z);
                OnnxMl.NodeProto mul = only(onZ, "Mul", 2, 1, z);
                if (sigmoid == null || mul == null || onZ.size() != 2) {
                    throw new NotAnMlp("the Gemm output '" + z + "' goes neither to one Tanh nor to z * Sigmoid(z)");
                }
                String sig = sigmoid.getOutput(0);
                boolean operands = mul.getInput(0).equals(z) && mul.getInput(1).equals(sig)
                        || mul.getInput(0).equals(sig) && mul.getInput(1).equals(z);
                if (!operands || consumers.getOrDefault(sig, List.of()).size() != 1) {
                    throw new NotAnMlp("the Gemm output '" + z + "' goes to a Mul that is not z * Sigmoid(z)");
                }
                act = MlpWeights.Activation.SILU;
                used.add(sigmoid);
                used.add(mul);
                h = mul.getOutput(0);
            }
            if (activation != null && activation != act) {
                throw new NotAnMlp("its hidden layers do not all have the same activation");
            }
            activation = act;
        }
        if (used.size() != graph.getNodeCount()) {
            throw new NotAnMlp("it has " + (graph.getNodeCount() - used.size()) + " nodes besides the MLP's");
        }
        if (initializers.size() != 2 * layers.size()) {
            throw new NotAnMlp("it has initializers besides the layers' weights and biases");
        }
        try {
            return new MlpWeights(d, activation == null ? MlpWeights.Activation.SILU : activation, layers);
        } catch (IllegalArgumentException e) {
            throw new NotAnMlp(e.getMessage());
        }
    }

    /** The one node of {@code nodes} of type {@code op} with these input and output counts and no attributes, else null. */
    private static OnnxMl.NodeProto only(List<OnnxMl.NodeProto> nodes, String op, int inputs, int outputs, String what)
            throws NotAnMlp {
        OnnxMl.NodeProto found = null;
        for (OnnxMl.NodeProto node : nodes) {
            if (node.getOpType().equals(op)) {
                if (found != null) {
                    throw new NotAnMlp("'" + what + "' goes to two " + op + " nodes");
                }
                found = node;
            }
        }
        if (found == null || found.getInputCount() != inputs || found.getOutputCount() != outputs) {
            return null;
        }
        if (!op.equals("Gemm") && !op.equals("Concat") && found.getAttributeCount() != 0) {
            return null;
        }
        return found;
    }

    /** Whether the node's attributes are exactly these integer ones. */
    private static boolean attributes(OnnxMl.NodeProto node, Map<String, Long> expected) {
        if (node.getAttributeCount() != expected.size()) {
            return false;
        }
        for (OnnxMl.AttributeProto a : node.getAttributeList()) {
            if (a.getType() != OnnxMl.AttributeProto.AttributeType.INT || !Long.valueOf(a.getI()).equals(expected.get(a.getName()))) {
                return false;
            }
        }
        return true;
    }

    /** A float32 initializer's shape and row-major values. */
    private record Constant(long[] dims, float[] values) {
    }

    /** A float32 initializer read by one node alone. */
    private static Constant constant(Map<String, OnnxMl.TensorProto> initializers, String name,
            Map<String, List<OnnxMl.NodeProto>> consumers) throws NotAnMlp {
        OnnxMl.TensorProto t = initializers.get(name);
        if (t == null) {
            throw new NotAnMlp("the Gemm operand '" + name + "' is not a constant initializer");
        }
        if (consumers.get(name).size() != 1) {
            throw new NotAnMlp("the initializer '" + name + "' is read by more than one node");
        }
        if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber() || t.hasSegment()
                || t.getDataLocation() != OnnxMl.TensorProto.DataLocation.DEFAULT) {
            throw new NotAnMlp("the initializer '" + name + "' is not float32 data stored in the model");
        }
        long size = 1;
        long[] dims = new long[t.getDimsCount()];
        for (int k = 0; k < dims.length; k++) {
            dims[k] = t.getDims(k);
            size *= dims[k];
        }
        if (size > Integer.MAX_VALUE / Float.BYTES) {
            throw new NotAnMlp("the initializer '" + name + "' has " + size + " values, too many for a small MLP");
        }
        float[] values;
        if (t.hasRawData()) {
            ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (raw.remaining() != size * Float.BYTES) {
                throw new NotAnMlp("the initializer '" + name + "' has " + raw.remaining() + " bytes for " + size + " floats");
            }
            values = new float[(int) size];
            raw.asFloatBuffer().get(values);
        } else {
            if (t.getFloatDataCount() != size) {
                throw new NotAnMlp("the initializer '" + name + "' has " + t.getFloatDataCount() + " values for " + size);
            }
            values = new float[(int) size];
            for (int k = 0; k < values.length; k++) {
                values[k] = t.getFloatData(k);
            }
        }
        return new Constant(dims, values);
    }

    /** The shape of a float32 tensor value ({@code -1}: a symbolic axis), or an empty array for anything else. */
    private static long[] floatShape(OnnxMl.ValueInfoProto value) {
        if (!value.getType().hasTensorType()
                || value.getType().getTensorType().getElemType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()
                || !value.getType().getTensorType().hasShape()) {
            return new long[0];
        }
        OnnxMl.TensorShapeProto shape = value.getType().getTensorType().getShape();
        long[] dims = new long[shape.getDimCount()];
        for (int k = 0; k < dims.length; k++) {
            dims[k] = shape.getDim(k).hasDimValue() ? shape.getDim(k).getDimValue() : -1;
        }
        return dims;
    }
}
