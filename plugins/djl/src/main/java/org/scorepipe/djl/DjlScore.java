package org.scorepipe.djl;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.onnx.ModelFiles;
import org.scorepipe.onnx.Precision;
import org.scorepipe.onnx.ScoreOutput;

/**
 * A learned score run by Deep Java Library with the PyTorch engine on the CPU: a model folder
 * written by {@code scorepipe train} ({@link ScoreNetwork}: the noise-conditional MLP's
 * description and DJL parameters). Its prediction {@code y} becomes the score as for the
 * {@code onnx} provider, {@code s = a_t y + b_t x} ({@link ScoreOutput}).
 *
 * <p>On load it checks the configured input names, output kind and the pipeline's dimension
 * against the model's description, and runs it once on two points. A model trained with
 * {@code skip: gaussian} predicts the residual {@code eps - eps_G} over the noise prediction of the
 * data's Gaussian fit that its description holds; the score then is {@code -(eps_G + y)/sigma_t}
 * ({@link GaussianSkip}). libtorch's grad mode is
 * thread-local, so every call switches it off for its thread; the parameters carry no gradient.
 * PyTorch natives come from Maven artifacts only ({@link DjlRuntime}).
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "djl",
        doc = "Learned score from a model folder of `scorepipe train` (DJL, PyTorch engine, CPU):"
                + " output the score, the noise (epsilon) or the denoised point.")
public final class DjlScore implements ScoreProvider {

    /** Parameters; the same as the {@code onnx} provider's. */
    public record Params(
            @Doc("the model folder (with score-mlp.json) (relative: to the pipeline file's folder,"
                    + " or to the working directory when given with --set)") @FilePath String model,
            @Doc("the model's input for the points, shape [n, d]") @Default("x") String xInput,
            @Doc("the model's input for the time, shape [n, 1]; empty for a time-independent model") @Default("t") String tInput,
            @Doc("the model's output to read, shape [n, d]; empty: its only output") @Default("") String outputName,
            @Doc("what the model predicts: score, epsilon (s = -eps/sigma_t) or denoised"
                    + " (s = (alpha_t x0 - x)/sigma_t^2)") @Default("score") ScoreOutput output,
            @Doc("the precision to compute in: float32 or float64 (the parameters are cast)") @Default("float32") Precision precision,
            @Doc("libtorch intra-op threads (one pool per process); 1 leaves the parallel work to the runner's block"
                    + " threads, 0 = libtorch's default") @Default("1") int threads) {
        public Params {
            if (xInput == null || xInput.isBlank()) {
                throw new IllegalArgumentException("x-input is empty; give the name of the model's input for the points");
            }
            if (output == null || precision == null) {
                throw new IllegalArgumentException("output and precision must be set");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 = libtorch's default), got " + threads);
            }
        }
    }

    private final Model model;
    private final Block block;
    private final NDManager manager;
    private final DataType type;
    private final int d;
    private final ScoreOutput output;
    private final NoisingPath path;
    private final ThreadLocal<ParameterStore> stores;
    private final ThreadLocal<ByteBuffer[]> buffers = ThreadLocal.withInitial(() -> new ByteBuffer[2]);
    /** The exact noise prediction the network's output is added to, or null ({@link GaussianSkip}). */
    private final GaussianSkip skip;
    private final java.util.concurrent.atomic.LongAdder modelNanos = new java.util.concurrent.atomic.LongAdder();

    @Inject
    public DjlScore(Params params, PipelineSpec spec, NoisingPath path) {
        Path folder = ModelFiles.require(params.model(), "a model folder written by `scorepipe train` (<run>/model)", true);
        ScoreNetwork.Description description = ScoreNetwork.describe(folder);
        this.d = spec.dimension();
        this.output = params.output();
        this.path = path;
        List<String> problems = new ArrayList<>();
        if (description.dimension() != d) {
            problems.add("the model is for dimension " + description.dimension() + " (input '" + description.xInput() + "' [n, "
                    + description.dimension() + "], output '" + description.outputName() + "' [n, " + description.dimension()
                    + "]) but the pipeline's dimension is " + d);
        }
        if (!params.xInput().equals(description.xInput())) {
            problems.add("x-input '" + params.xInput() + "' is not an input of the model; its inputs: " + description.xInput()
                    + " [n, " + description.dimension() + "], " + description.tInput() + " [n, 1]");
        }
        if (params.tInput() == null) {
            problems.add("t-input is empty, but the model is time-conditional: its input '" + description.tInput() + "' is the time");
        } else if (!params.tInput().equals(description.tInput())) {
            problems.add("t-input '" + params.tInput() + "' is not an input of the model; its inputs: " + description.xInput()
                    + " [n, " + description.dimension() + "], " + description.tInput() + " [n, 1]");
        }
        if (params.outputName() != null && !params.outputName().equals(description.outputName())) {
            problems.add("output-name '" + params.outputName() + "' is not an output of the model; its output: "
                    + description.outputName());
        }
        if (!params.output().configName().equals(description.output())) {
            problems.add("the model predicts " + description.output() + " but output is " + params.output().configName()
                    + "; set output: " + description.output());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the model " + folder + " does not fit: " + String.join("; ", problems));
        }
        this.skip = description.gaussian() == null ? null
                : new GaussianSkip(description.gaussian().mean(), description.gaussian().covariance());
        DjlRuntime.pytorch(params.threads());
        this.model = ScoreNetwork.load(folder, description);
        this.type = params.precision() == Precision.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        SequentialBlock loaded = (SequentialBlock) model.getBlock();
        this.block = type == DataType.FLOAT64 ? ScoreNetwork.cast(loaded, description, type, model.getNDManager()) : loaded;
        for (Pair<String, ai.djl.nn.Parameter> p : block.getParameters()) {
            p.getValue().getArray().setRequiresGradient(false);
        }
        this.manager = model.getNDManager();
        this.stores = ThreadLocal.withInitial(() -> new ParameterStore(manager, false));
        probe(folder);
    }

    private void probe(Path folder) {
        double[] x = new double[2 * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = 0.1 * (i + 1);
        }
        try {
            score(x, 0, 2, 0.5, new double[2 * d]);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the model " + folder + " fails on two points of dimension " + d + ": " + e.getMessage(), e);
        }
    }

    /**
     * Nanoseconds spent in the model call so far (the input tensors' creation and the block's
     * forward pass), summed over threads; the benchmarks report a step's time outside it.
     */
    public long modelCallNanos() {
        return modelNanos.sum();
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        if (rows == 0) {
            return;
        }
        double a = output.outputScale(path, t);
        double c = output.pointScale(path, t);
        JniUtils.setGradMode(false);
        boolean float64 = type == DataType.FLOAT64;
        int bytes = float64 ? Double.BYTES : Float.BYTES;
        int n = rows * d;
        ByteBuffer[] buf = buffers.get();
        if (buf[0] == null || buf[0].capacity() < n * bytes) {
            buf[0] = ByteBuffer.allocateDirect(n * bytes).order(ByteOrder.nativeOrder());
        }
        if (buf[1] == null || buf[1].capacity() < rows * bytes) {
            buf[1] = ByteBuffer.allocateDirect(rows * bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer xb = buf[0];
        ByteBuffer tb = buf[1];
        if (float64) {
            for (int i = 0; i < n; i++) {
                xb.putDouble(i * Double.BYTES, x[offset + i]);
            }
            for (int r = 0; r < rows; r++) {
                tb.putDouble(r * Double.BYTES, t);
            }
        } else {
            for (int i = 0; i < n; i++) {
                xb.putFloat(i * Float.BYTES, (float) x[offset + i]);
            }
            float tf = (float) t;
            for (int r = 0; r < rows; r++) {
                tb.putFloat(r * Float.BYTES, tf);
            }
        }
        xb.limit(n * bytes).position(0);
        tb.limit(rows * bytes).position(0);
        try (NDManager m = manager.newSubManager()) {
            long start = System.nanoTime();
            NDArray xa = m.create(xb, new Shape(rows, d), type);
            NDArray ta = m.create(tb, new Shape(rows, 1), type);
            NDArray y = block.forward(stores.get(), new NDList(xa, ta), false).singletonOrThrow();
            modelNanos.add(System.nanoTime() - start);
            if (y.getShape().dimension() != 2 || y.getShape().get(0) != rows || y.getShape().get(1) != d) {
                throw new IllegalStateException("the model returned shape " + y.getShape() + " for " + rows + " points, expected ("
                        + rows + ", " + d + ")");
            }
            ByteBuffer yb = y.toByteBuffer();
            if (float64) {
                for (int i = 0; i < n; i++) {
                    out[i] = a * yb.getDouble(i * Double.BYTES) + c * x[offset + i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out[i] = a * yb.getFloat(i * Float.BYTES) + c * x[offset + i];
                }
            }
            if (skip != null) {
                // eps = eps_G + y, so s = a (eps_G + y) + c x: add a eps_G
                double[] base = new double[n];
                skip.epsilon(x, offset, rows, path.meanScale(t), path.noiseScale(t), base, 0);
                for (int i = 0; i < n; i++) {
                    out[i] += a * base[i];
                }
            }
        } finally {
            xb.clear();
            tb.clear();
        }
    }
}
