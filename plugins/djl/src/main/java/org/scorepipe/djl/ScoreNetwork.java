package org.scorepipe.djl;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scorepipe.onnx.MlpWeights;
import org.scorepipe.onnx.ScoreOutput;

/**
 * The noise-conditional MLP of {@link MlpWeights} as a DJL block, and its files: a model folder
 * holds {@value #DESCRIPTION} (the architecture, what the network predicts, its input and output
 * names) and {@code score-mlp-0000.params} (DJL's parameter file).
 */
public final class ScoreNetwork {
    /** The description file's name inside a model folder. */
    public static final String DESCRIPTION = "score-mlp.json";
    /** DJL's parameter file prefix: {@code score-mlp-0000.params}. */
    static final String PREFIX = "score-mlp";
    static final String FORMAT = "scorepipe-score-mlp/1";

    /**
     * What {@value #DESCRIPTION} says.
     *
     * @param format {@value #FORMAT}
     * @param dimension d
     * @param hidden the hidden layers' widths
     * @param activation silu or tanh
     * @param output what the network predicts: score, epsilon or denoised
     * @param xInput the points' input name
     * @param tInput the time's input name
     * @param outputName the output's name
     * @param path the noising path it was trained along (for the record)
     * @param timeRange the times it was trained on, {@code [from, to]}
     * @param gaussian the Gaussian whose exact noise prediction the network's output is added to
     *     ({@link GaussianSkip}); absent (null) for a plain network
     */
    public record Description(String format, int dimension, int[] hidden, String activation, String output, String xInput,
            String tInput, String outputName, String path, double[] timeRange, Gaussian gaussian) {
        /** A plain network's description (no skip). */
        public Description(String format, int dimension, int[] hidden, String activation, String output, String xInput,
                String tInput, String outputName, String path, double[] timeRange) {
            this(format, dimension, hidden, activation, output, xInput, tInput, outputName, path, timeRange, null);
        }
    }

    /**
     * The skip's Gaussian, {@code N(mean, covariance)}, covariance {@code d x d} row-major.
     *
     * @param mean mu
     * @param covariance Sigma
     */
    public record Gaussian(double[] mean, double[] covariance) {
    }

    private ScoreNetwork() {
    }

    /**
     * The block: {@code [x, t] -> concat(x, t, log t) -> (Linear, act)* -> Linear(d)}, taking
     * {@code NDList(x [n, d], t [n, 1])}.
     */
    public static SequentialBlock block(int dimension, int[] hidden, MlpWeights.Activation activation) {
        SequentialBlock net = new SequentialBlock();
        net.add(new LambdaBlock(in -> {
            NDArray t = in.get(1);
            return new NDList(NDArrays.concat(new NDList(in.get(0), t, t.log()), 1));
        }, "features"));
        for (int width : hidden) {
            net.add(Linear.builder().setUnits(width).build());
            net.add(activation == MlpWeights.Activation.SILU
                    ? LambdaBlock.singleton(z -> Activation.swish(z, 1f), "silu")
                    : LambdaBlock.singleton(Activation::tanh, "tanh"));
        }
        net.add(Linear.builder().setUnits(dimension).build());
        return net;
    }

    /** The weights of a trained (initialised) block, in float32, as the plain-Java and ONNX forms take them. */
    public static MlpWeights weights(SequentialBlock block, int dimension, MlpWeights.Activation activation) {
        List<MlpWeights.Layer> layers = new ArrayList<>();
        for (Block child : block.getChildren().values()) {
            if (child instanceof Linear linear) {
                Parameter w = linear.getParameters().get("weight");
                Parameter b = linear.getParameters().get("bias");
                long[] shape = w.getArray().getShape().getShape();
                layers.add(new MlpWeights.Layer((int) shape[1], (int) shape[0],
                        w.getArray().toType(DataType.FLOAT32, false).toFloatArray(),
                        b.getArray().toType(DataType.FLOAT32, false).toFloatArray()));
            }
        }
        return new MlpWeights(dimension, activation, layers);
    }

    /**
     * A copy of a loaded block whose parameters are cast to {@code type} (DJL's {@code Block.cast}
     * is not implemented for sequential blocks; a fresh block accepts arrays before it is initialised).
     */
    public static SequentialBlock cast(SequentialBlock loaded, Description d, DataType type, ai.djl.ndarray.NDManager manager) {
        SequentialBlock copy = block(d.dimension(), d.hidden(), MlpWeights.Activation.valueOf(d.activation().toUpperCase(java.util.Locale.ROOT)));
        List<Block> from = new ArrayList<>(loaded.getChildren().values());
        List<Block> to = new ArrayList<>(copy.getChildren().values());
        for (int i = 0; i < from.size(); i++) {
            if (from.get(i) instanceof Linear source) {
                for (String name : new String[] {"weight", "bias"}) {
                    NDArray array = source.getParameters().get(name).getArray().toType(type, true);
                    array.attach(manager);
                    to.get(i).getParameters().get(name).setArray(array);
                }
            }
        }
        return copy;
    }

    /** Writes {@value #DESCRIPTION} and the parameters of {@code model} into {@code folder}. */
    public static void save(Model model, Description description, Path folder) throws IOException {
        Files.createDirectories(folder);
        Files.writeString(folder.resolve(DESCRIPTION), gson().toJson(description), StandardCharsets.UTF_8);
        model.save(folder, PREFIX);
    }

    /** Reads a model folder's description; {@link IllegalArgumentException} if it is not one. */
    public static Description describe(Path folder) {
        Path file = folder.resolve(DESCRIPTION);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("model: " + folder + " is not a scorepipe model folder: it has no " + DESCRIPTION
                    + " (`scorepipe train` writes one into <run>/model)");
        }
        Description d;
        try {
            d = gson().fromJson(Files.readString(file, StandardCharsets.UTF_8), Description.class);
        } catch (IOException | JsonParseException e) {
            throw new IllegalArgumentException("model: " + file + " is corrupt (not the JSON `scorepipe train` writes): "
                    + e.getMessage(), e);
        }
        if (d == null || !FORMAT.equals(d.format())) {
            throw new IllegalArgumentException("model: " + file + " is not a score network description (format "
                    + (d == null ? "missing" : d.format()) + ", expected " + FORMAT + ")");
        }
        if (d.dimension() < 1 || d.hidden() == null || d.activation() == null || d.output() == null
                || d.xInput() == null || d.tInput() == null || d.outputName() == null) {
            throw new IllegalArgumentException("model: " + file + " is incomplete: it needs dimension, hidden, activation, output,"
                    + " x-input, t-input and output-name");
        }
        if (d.gaussian() != null && (d.gaussian().mean() == null || d.gaussian().covariance() == null
                || d.gaussian().mean().length != d.dimension()
                || d.gaussian().covariance().length != d.dimension() * d.dimension())) {
            throw new IllegalArgumentException("model: " + file + " has a gaussian skip that is not of dimension " + d.dimension()
                    + ": it needs a mean of " + d.dimension() + " numbers and a covariance of " + d.dimension() * d.dimension());
        }
        if (d.gaussian() != null && !"epsilon".equals(d.output())) {
            throw new IllegalArgumentException("model: " + file + " has a gaussian skip but predicts " + d.output()
                    + "; a skip goes with output epsilon");
        }
        return d;
    }

    /** Loads a model folder into a fresh DJL model of the PyTorch engine. */
    public static Model load(Path folder, Description d) {
        MlpWeights.Activation activation = enumOf(MlpWeights.Activation.class, d.activation(), folder);
        enumOf(ScoreOutput.class, d.output(), folder);
        Model model = Model.newInstance(PREFIX, "PyTorch");
        model.setBlock(block(d.dimension(), d.hidden(), activation));
        try {
            model.load(folder, PREFIX);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw new IllegalArgumentException("model: the parameters in " + folder + " (" + PREFIX
                    + "-NNNN.params) are missing or corrupt, or do not match " + DESCRIPTION + ": " + e.getMessage(), e);
        }
        return model;
    }

    static <E extends Enum<E>> E enumOf(Class<E> type, String name, Path folder) {
        try {
            return Enum.valueOf(type, name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));   // v-prediction
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model: " + folder.resolve(DESCRIPTION) + " names an unknown "
                    + type.getSimpleName() + " '" + name + "'");
        }
    }

    private static Gson gson() {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    }
}
