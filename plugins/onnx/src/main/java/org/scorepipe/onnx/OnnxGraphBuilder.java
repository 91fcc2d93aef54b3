package org.scorepipe.onnx;

import static java.util.Objects.requireNonNull;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes an ONNX model (a {@code ModelProto}, IR version 8, default opset 17) from Java, with the
 * ONNX protobuf messages of {@code tribuo-util-onnx}: graph inputs and outputs whose first axis
 * is the symbolic batch {@code n}, constant initializers, and nodes of standard operators.
 * The trainer exports its network with it, and tests build models of known functions with it.
 */
public final class OnnxGraphBuilder {
    /** ONNX IR version 8 (ONNX 1.10+), read by every ONNX Runtime since 1.10. */
    static final long IR_VERSION = 8;
    /** The default-domain opset: Gemm, Concat, Log, Sigmoid, Mul, Add, Sub, Div are all in 13 and later. */
    static final long OPSET = 17;

    /** The element types a score model works in. */
    public enum ElementType {
        FLOAT32(OnnxMl.TensorProto.DataType.FLOAT), FLOAT64(OnnxMl.TensorProto.DataType.DOUBLE);

        final OnnxMl.TensorProto.DataType onnx;

        ElementType(OnnxMl.TensorProto.DataType onnx) {
            this.onnx = onnx;
        }
    }

    private final OnnxMl.GraphProto.Builder graph;
    private final ElementType type;
    private int nodes;

    /** A graph named {@code name} whose tensors are all of element type {@code type}. */
    public OnnxGraphBuilder(String name, ElementType type) {
        this.graph = OnnxMl.GraphProto.newBuilder().setName(requireNonNull(name, "name is null"));
        this.type = requireNonNull(type, "type is null");
    }

    /**
     * A graph input of shape {@code [n, dims...]}, {@code n} the symbolic batch axis; no
     * {@code dims} gives a vector {@code [n]}.
     */
    public OnnxGraphBuilder input(String name, long... dims) {
        graph.addInput(valueInfo(name, dims));
        return this;
    }

    /**
     * An int64 graph input of shape {@code [n, dims...]}: an integer timestep, as diffusers' UNets take;
     * no {@code dims} gives a vector {@code [n]}.
     */
    public OnnxGraphBuilder int64Input(String name, long... dims) {
        graph.addInput(valueInfo(name, OnnxMl.TensorProto.DataType.INT64, dims));
        return this;
    }

    /**
     * A graph input of the fixed shape {@code dims} (no batch axis; none gives a scalar {@code []}), of
     * the graph's element type or, with {@code int64}, an integer: a time shared by the whole batch.
     */
    public OnnxGraphBuilder fixedInput(String name, boolean int64, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        OnnxMl.TensorProto.DataType elementType = int64 ? OnnxMl.TensorProto.DataType.INT64 : type.onnx;
        graph.addInput(OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elementType.getNumber()).setShape(shape)))
                .build());
        return this;
    }

    /** A graph output of shape {@code [n, dims...]}. */
    public OnnxGraphBuilder output(String name, long... dims) {
        graph.addOutput(valueInfo(name, dims));
        return this;
    }

    /** A constant tensor of the given shape, row-major values. */
    public OnnxGraphBuilder constant(String name, double[] values, long... shape) {
        long size = 1;
        for (long s : shape) {
            size *= s;
        }
        if (size != values.length) {
            throw new IllegalArgumentException("constant " + name + " has " + values.length + " values for shape "
                    + java.util.Arrays.toString(shape));
        }
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.onnx.getNumber());
        for (long s : shape) {
            t.addDims(s);
        }
        for (double v : values) {
            if (type == ElementType.FLOAT32) {
                t.addFloatData((float) v);
            } else {
                t.addDoubleData(v);
            }
        }
        graph.addInitializer(t);
        return this;
    }

    /** A node {@code op(inputs) -> output} with attributes given as name, value pairs (int, long, long[], float, double). */
    public OnnxGraphBuilder node(String op, String output, String[] inputs, Object... attributes) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_" + nodes++).addOutput(output);
        for (String input : inputs) {
            n.addInput(input);
        }
        for (int i = 0; i + 1 < attributes.length; i += 2) {
            OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName((String) attributes[i]);
            Object v = attributes[i + 1];
            if (v instanceof Integer || v instanceof Long) {
                a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
            } else if (v instanceof long[] ints) {
                a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
                for (long value : ints) {
                    a.addInts(value);
                }
            } else if (v instanceof Double || v instanceof Float) {
                a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
            } else {
                throw new IllegalArgumentException("unsupported attribute value " + v);
            }
            n.addAttribute(a);
        }
        graph.addNode(n);
        return this;
    }

    /** The serialised model. */
    public byte[] toBytes() {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("scorepipe")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build()
                .toByteArray();
    }

    /** Writes the model to {@code file}. */
    public void write(Path file) throws IOException {
        Files.write(file, toBytes());
    }

    private OnnxMl.ValueInfoProto valueInfo(String name, long... dims) {
        return valueInfo(name, type.onnx, dims);
    }

    private OnnxMl.ValueInfoProto valueInfo(String name, OnnxMl.TensorProto.DataType elementType, long... dims) {
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("n"));
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elementType.getNumber()).setShape(shape)))
                .build();
    }
}
