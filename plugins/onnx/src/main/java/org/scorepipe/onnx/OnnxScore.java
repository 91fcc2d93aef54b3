package org.scorepipe.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.Simd;

/**
 * A learned score: an ONNX model run by ONNX Runtime on the CPU. The model takes the points
 * {@code x [n, d]} (float32 or float64) and, unless it is time-independent, a time as {@code [n]},
 * {@code [n, 1]} (every row the same), or once for the batch as {@code []} or {@code [1]}, and returns {@code y [n, d]}.
 *
 * <p>The calling conventions of PyTorch projects are accepted by name ({@link ScoreConvention} does
 * every conversion, exactly): {@code time: t}, the path's time and point, as scorepipe's trainer
 * exports; {@code time: sigma}, k-diffusion's {@code model(x, sigma)} on the variance-exploding
 * variable, optionally the bare network inside Karras et al.'s preconditioning
 * ({@code preconditioning: edm}, {@link Preconditioning}); {@code time: timestep}, diffusers'
 * {@code unet(x, timestep)} with an int64 timestep of a DDPM schedule ({@link DiscreteSchedule}) on
 * the variance-preserving variable. The output is the score, the noise {@code epsilon}, the
 * denoised point ({@code denoised} or {@code sample}) or {@code v-prediction} ({@link ScoreOutput}),
 * and the score is {@code s = a_t y + b_t x}.
 *
 * <p>On load it checks the model's inputs and output against the pipeline's dimension, and runs
 * it once on two points to check the shape it really returns.
 *
 * <p>Each thread keeps its input and output tensors for the last two block sizes it saw, backed by
 * direct buffers that ONNX Runtime reads and writes in place ({@code run} with pinned outputs),
 * so a call converts {@code x} to the model's precision, runs the model, and combines the output
 * with {@code x}; nothing else.
 *
 * <p>{@code engine} chooses what runs the model ({@link Engine}). When the model is exactly the
 * noise-conditional MLP that {@code scorepipe train} exports ({@link MlpGraph} recognises it and
 * reads its weights) and the Vector API is present, {@code auto} and {@code java} replace the
 * ONNX Runtime call by {@link VectorMlp}'s float32 forward pass on the same weights, which saves
 * the call's own cost (the larger share for small networks and blocks) and is at least as fast on
 * the arithmetic (benchmarks/README.md, LearnedScoreBenchmark). The model is still
 * loaded and probed by ONNX Runtime, so its checks are the same for both engines; the results
 * agree to float32 rounding ({@code VectorMlpTest}), not bit for bit.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "onnx",
        doc = "Learned score from an ONNX model (ONNX Runtime, CPU): inputs x [n, d] and a time (path time t, k-diffusion's"
                + " sigma or diffusers' int64 timestep), output the score, epsilon, the denoised point or v.")
public final class OnnxScore implements ScoreProvider {

    /** Parameters; the first seven are the same as the {@code djl} provider's. */
    public record Params(
            @Doc("the model file (.onnx) (relative: to the pipeline file's folder,"
                    + " or to the working directory when given with --set)") @FilePath String model,
            @Doc("the model's input for the points, shape [n, d]") @Default("x") String xInput,
            @Doc("the model's input for the time, shape [n], [n, 1], or [] or [1] (one time for the batch); empty for a"
                    + " time-independent model")
            @Default("t") String tInput,
            @Doc("the model's output to read, shape [n, d]; empty: its only output") @Default("") String outputName,
            @Doc("what the model predicts: score, epsilon (s = -eps/sigma_t), denoised or sample"
                    + " (s = (alpha_t x0 - x)/sigma_t^2), v-prediction (v = alpha eps - sigma x0)")
            @Default("score") ScoreOutput output,
            @Doc("the model's element type: float32 or float64") @Default("float32") Precision precision,
            @Doc("intra-op threads per model call; 1 leaves the parallel work to the runner's block threads,"
                    + " 0 = ONNX Runtime's default") @Default("1") int threads,
            @Doc("what the time input carries: t (the path's time and point), sigma (k-diffusion's model(x, sigma):"
                    + " x / alpha_t and sigma_t / alpha_t) or timestep (diffusers' unet(x, timestep): int64 timestep,"
                    + " x / sqrt(alpha_t^2 + sigma_t^2))") @Default("t") TimeInput time,
            @Doc("edm: the model is the network F inside Karras et al.'s D = c_skip x + c_out F(c_in x, sigma)"
                    + " (needs time: sigma, output: denoised); none: it is what output says") @Default("none")
            Preconditioning preconditioning,
            @Doc("the data's standard deviation in the edm preconditioning (k-diffusion's sigma_data)") @Default("0.5")
            double sigmaData,
            @Doc("with time: timestep, the model's schedule: linear | scaled-linear | squaredcos-cap-v2 (diffusers'"
                    + " beta_schedule)") @Default("linear") BetaSchedule betaSchedule,
            @Doc("with time: timestep, diffusers' beta_start") @Default("0.0001") double betaStart,
            @Doc("with time: timestep, diffusers' beta_end") @Default("0.02") double betaEnd,
            @Doc("with time: timestep, diffusers' num_train_timesteps") @Default("1000") int numTrainTimesteps,
            @Doc("with time: timestep, when the path's noise level is no timestep's: exact refuses, nearest calls the"
                    + " nearest timestep (an approximation)") @Default("exact") TimestepRounding timestepRounding,
            @Doc("what runs the model: onnxruntime (ONNX Runtime, any model); java (a float32 forward pass in Vector API"
                    + " lanes, only for the MLP that scorepipe train exports: x [n, d], t [n, 1], Log, Concat, Gemm and"
                    + " SiLU or tanh layers, and only with --add-modules jdk.incubator.vector); auto: java when the model"
                    + " is that MLP and the Vector API is present, else onnxruntime. The java engine runs on the calling thread;"
                    + " threads applies to ONNX Runtime only") @Default("auto") Engine engine) {
        public Params {
            if (xInput == null || xInput.isBlank()) {
                throw new IllegalArgumentException("x-input is empty; give the name of the model's input for the points");
            }
            if (output == null || precision == null || time == null || preconditioning == null || betaSchedule == null
                    || timestepRounding == null || engine == null) {
                throw new IllegalArgumentException("output, precision, time, preconditioning, beta-schedule,"
                        + " timestep-rounding and engine must be set");
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0 (0 = ONNX Runtime's default), got " + threads);
            }
            if (time == TimeInput.TIMESTEP) {
                new DiscreteSchedule(betaSchedule, betaStart, betaEnd, numTrainTimesteps);
            } else {
                // a key set for nothing is a mistake to report, not to ignore: these only mean something for timesteps
                List<String> unused = new ArrayList<>();
                if (betaSchedule != BetaSchedule.LINEAR) {
                    unused.add("beta-schedule");
                }
                if (betaStart != 1e-4) {
                    unused.add("beta-start");
                }
                if (betaEnd != 0.02) {
                    unused.add("beta-end");
                }
                if (numTrainTimesteps != 1000) {
                    unused.add("num-train-timesteps");
                }
                if (timestepRounding != TimestepRounding.EXACT) {
                    unused.add("timestep-rounding");
                }
                if (!unused.isEmpty()) {
                    throw new IllegalArgumentException(String.join(", ", unused) + " apply to time: timestep only, but time is "
                            + time.configName() + "; set time: timestep for a model called with an integer timestep, or drop them");
                }
            }
            if (preconditioning != Preconditioning.EDM && sigmaData != 0.5) {
                throw new IllegalArgumentException("sigma-data applies to preconditioning: edm only; set preconditioning: edm"
                        + " for the bare network inside k-diffusion's Denoiser, or drop sigma-data");
            }
        }

        /** The parameters with {@code engine: auto}. */
        public Params(String model, String xInput, String tInput, String outputName, ScoreOutput output,
                Precision precision, int threads, TimeInput time, Preconditioning preconditioning, double sigmaData,
                BetaSchedule betaSchedule, double betaStart, double betaEnd, int numTrainTimesteps,
                TimestepRounding timestepRounding) {
            this(model, xInput, tInput, outputName, output, precision, threads, time, preconditioning, sigmaData,
                    betaSchedule, betaStart, betaEnd, numTrainTimesteps, timestepRounding, Engine.AUTO);
        }

        /** The path-time convention, scorepipe's own: the seven parameters the {@code djl} provider shares. */
        public Params(String model, String xInput, String tInput, String outputName, ScoreOutput output,
                Precision precision, int threads) {
            this(model, xInput, tInput, outputName, output, precision, threads, TimeInput.T, Preconditioning.NONE, 0.5,
                    BetaSchedule.LINEAR, 1e-4, 0.02, 1000, TimestepRounding.EXACT);
        }

        /** The same parameters with the given engine. */
        public Params withEngine(Engine engine) {
            return new Params(model, xInput, tInput, outputName, output, precision, threads, time, preconditioning,
                    sigmaData, betaSchedule, betaStart, betaEnd, numTrainTimesteps, timestepRounding, engine);
        }

        /** The same parameters with the given calling convention. */
        public Params withTime(TimeInput time, Preconditioning preconditioning, double sigmaData) {
            return new Params(model, xInput, tInput, outputName, output, precision, threads, time, preconditioning,
                    sigmaData, betaSchedule, betaStart, betaEnd, numTrainTimesteps, timestepRounding, engine);
        }

        /** The same parameters with {@code time: timestep} and the given schedule. */
        public Params withTimesteps(DiscreteSchedule schedule, TimestepRounding rounding) {
            return new Params(model, xInput, tInput, outputName, output, precision, threads, TimeInput.TIMESTEP,
                    Preconditioning.NONE, sigmaData, schedule.kind(), schedule.betaStart(), schedule.betaEnd(),
                    schedule.timesteps(), rounding, engine);
        }

        DiscreteSchedule schedule() {
            return new DiscreteSchedule(betaSchedule, betaStart, betaEnd, numTrainTimesteps);
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String xName;
    private final String tName;
    private final String outName;
    /** The time input's shape for a block of n rows: [n], [n, 1], or one time for all rows, [] or [1]. */
    private final TimeShape tShape;
    /** Whether the time input is int64 (a diffusers timestep), else of the model's precision. */
    private final boolean tLong;
    private final ScoreConvention convention;
    private final boolean float64;
    private final int d;
    private final ThreadLocal<Binding[]> bindings = ThreadLocal.withInitial(() -> new Binding[2]);
    private final java.util.concurrent.atomic.LongAdder modelNanos = new java.util.concurrent.atomic.LongAdder();
    /** The Java forward pass that replaces the model call ({@code engine: java}), or null: ONNX Runtime runs it. */
    private final VectorMlp mlp;

    @Inject
    public OnnxScore(Params params, PipelineSpec spec, NoisingPath path) {
        Path file = ModelFiles.require(params.model(), "an ONNX model file (.onnx)", false);
        this.d = spec.dimension();
        this.convention = new ScoreConvention(path, params.time(), params.preconditioning(), params.output(),
                params.sigmaData(), params.time() == TimeInput.TIMESTEP ? params.schedule() : null, params.timestepRounding());
        this.float64 = params.precision() == Precision.FLOAT64;
        try {
            this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "scorepipe");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalArgumentException("ONNX Runtime's native library does not load on this machine ("
                    + System.getProperty("os.name") + ", " + System.getProperty("os.arch") + "): " + e.getMessage(), e);
        }
        OrtSession opened;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setInterOpNumThreads(1);
            if (params.threads() > 0) {
                options.setIntraOpNumThreads(params.threads());
            }
            opened = env.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("model: " + file + " is not a model ONNX Runtime can load (corrupt, or not"
                    + " ONNX): " + firstLine(e.getMessage()), e);
        }
        this.session = opened;
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            this.xName = params.xInput();
            this.tName = params.tInput();
            String expectedType = params.precision().configName();
            List<String> problems = new ArrayList<>();
            TensorInfo x = tensorInput(inputs, xName, "x-input", problems);
            if (x != null) {
                checkType(x, "input '" + xName + "'", expectedType, problems);
                long[] shape = x.getShape();
                if (shape.length != 2 || shape[1] != d && shape[1] >= 0) {
                    problems.add("input '" + xName + "' has shape " + shapeText(shape) + ", expected [n, " + d
                            + "] for the pipeline's dimension " + d);
                } else if (shape[0] >= 0) {
                    problems.add("input '" + xName + "' has a fixed batch size " + shape[0]
                            + "; export the model with a dynamic first axis");
                }
            }
            TimeShape timeShape = TimeShape.ROWS;
            boolean integer = false;
            if (tName == null) {
                if (params.time() == TimeInput.TIMESTEP) {
                    problems.add("time: timestep needs the model's timestep input; t-input is empty");
                }
            } else {
                TensorInfo t = tensorInput(inputs, tName, "t-input", problems);
                if (t != null) {
                    String actual = typeName(t);
                    integer = actual.equals("int64");
                    if (integer && params.time() != TimeInput.TIMESTEP) {
                        problems.add("input '" + tName + "' is int64, an integer timestep, but time is " + params.time().configName()
                                + "; set time: timestep and the model's schedule (beta-schedule, beta-start, beta-end,"
                                + " num-train-timesteps)");
                    } else if (!integer) {
                        checkType(t, "input '" + tName + "'", expectedType, problems);
                    }
                    long[] shape = t.getShape();
                    timeShape = TimeShape.of(shape);
                    if (timeShape == null) {
                        problems.add("input '" + tName + "' has shape " + shapeText(shape) + ", expected [n], [n, 1], [] or [1]");
                    }
                }
            }
            this.tShape = timeShape == null ? TimeShape.ROWS : timeShape;
            this.tLong = integer;
            for (String name : inputs.keySet()) {
                if (!name.equals(xName) && !name.equals(tName)) {
                    problems.add("input '" + name + "' " + describe(inputs.get(name)) + " is fed by neither x-input nor t-input"
                            + (tName == null ? " (t-input is empty: is it the time input?)" : ""));
                }
            }
            String chosen = params.outputName();
            if (chosen == null) {
                if (outputs.size() != 1) {
                    problems.add("the model has " + outputs.size() + " outputs (" + list(outputs) + "); say which with output-name");
                } else {
                    chosen = outputs.keySet().iterator().next();
                }
            } else if (!outputs.containsKey(chosen)) {
                problems.add("output-name '" + chosen + "' is not an output of the model; its outputs: " + list(outputs));
                chosen = null;
            }
            if (chosen != null) {
                if (!(outputs.get(chosen).getInfo() instanceof TensorInfo out)) {
                    problems.add("output '" + chosen + "' is not a tensor");
                } else {
                    checkType(out, "output '" + chosen + "'", expectedType, problems);
                    long[] shape = out.getShape();
                    if (shape.length != 2 || shape[1] != d && shape[1] >= 0) {
                        problems.add("output '" + chosen + "' has shape " + shapeText(shape) + ", expected [n, " + d
                                + "] for the pipeline's dimension " + d);
                    }
                }
            }
            this.outName = chosen;
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("the ONNX model " + file + " does not fit: " + String.join("; ", problems)
                        + ". The model's inputs: " + list(inputs) + "; outputs: " + list(outputs));
            }
            probe(file);
            this.mlp = javaForward(params.engine(), file);
        } catch (OrtException e) {
            close();
            throw new IllegalArgumentException("model: " + file + ": ONNX Runtime cannot describe it: " + firstLine(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            close();
            throw e;
        }
    }

    /**
     * The Java forward pass for {@code engine: java} or {@code auto}, when the model is the MLP
     * {@code scorepipe train} exports and the Vector API is present; null for ONNX Runtime.
     */
    private VectorMlp javaForward(Engine engine, Path file) {
        if (engine == Engine.ONNXRUNTIME) {
            return null;
        }
        String reason;
        if (!Simd.ENABLED) {
            reason = "the Vector API is not present (run java with --add-modules jdk.incubator.vector, and without"
                    + " -Dscorepipe.simd=false)";
        } else {
            try {
                return new VectorMlp(MlpGraph.read(file, xName, tName, outName));
            } catch (MlpGraph.NotAnMlp e) {
                reason = "the model is not the MLP scorepipe train exports: " + e.getMessage();
            }
        }
        if (engine == Engine.JAVA) {
            throw new IllegalArgumentException("engine: java cannot run the ONNX model " + file + ": " + reason
                    + "; set engine: onnxruntime (or auto, which falls back to ONNX Runtime)");
        }
        return null;
    }

    /** The engine that runs the model: {@link Engine#JAVA} or {@link Engine#ONNXRUNTIME}, never auto. */
    public Engine engine() {
        return mlp != null ? Engine.JAVA : Engine.ONNXRUNTIME;
    }

    /** Runs the model on two points and checks the shape of what comes back. */
    private void probe(Path file) throws OrtException {
        Binding b = new Binding(2);
        try {
            for (int i = 0; i < 2 * d; i++) {
                put(b.x, i, 0.1 * (i + 1));
            }
            for (int i = 0; i < tShape.values(2); i++) {
                putTime(b.t, i, convention.time() == TimeInput.TIMESTEP ? 0 : 0.5);
            }
            try (OrtSession.Result result = session.run(b.inputs)) {
                OnnxValue value = result.get(outName).orElseThrow();
                long[] shape = ((TensorInfo) value.getInfo()).getShape();
                if (shape.length != 2 || shape[0] != 2 || shape[1] != d) {
                    throw new IllegalArgumentException("the ONNX model " + file + " returned " + shapeText(shape) + " for 2 points"
                            + " of dimension " + d + " (expected [2, " + d + "]): its output does not match the pipeline's dimension "
                            + d);
                }
            }
        } catch (OrtException e) {
            throw new IllegalArgumentException("the ONNX model " + file + " fails on two points of dimension " + d + ": "
                    + firstLine(e.getMessage()), e);
        } finally {
            b.close();
        }
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        if (rows == 0) {
            return;
        }
        ScoreConvention.Call call = convention.at(t);
        double scale = call.inputScale();
        double a = call.outputScale();
        double c = call.pointScale();
        if (mlp != null) {
            long start = System.nanoTime();
            mlp.forward(x, offset, rows, scale, call.time(), out);
            modelNanos.add(System.nanoTime() - start);
            for (int i = 0; i < rows * d; i++) {
                out[i] = a * out[i] + c * x[offset + i];
            }
            return;
        }
        Binding b = binding(rows);
        int n = rows * d;
        if (float64) {
            DoubleBuffer xb = b.xd;
            for (int i = 0; i < n; i++) {
                xb.put(i, scale * x[offset + i]);
            }
        } else {
            FloatBuffer xb = b.xf;
            for (int i = 0; i < n; i++) {
                xb.put(i, (float) (scale * x[offset + i]));
            }
        }
        int times = tShape.values(rows);
        for (int r = 0; r < times; r++) {
            putTime(b.t, r, call.time());
        }
        long start = System.nanoTime();
        try (OrtSession.Result ignored = session.run(b.inputs, b.outputs)) {
            // the output is written into b.out, which this result does not own
            modelNanos.add(System.nanoTime() - start);
        } catch (OrtException e) {
            throw new IllegalStateException("the ONNX model failed on " + rows + " points at t = " + t + ": "
                    + firstLine(e.getMessage()), e);
        }
        if (float64) {
            DoubleBuffer yb = b.outd;
            for (int i = 0; i < n; i++) {
                out[i] = a * yb.get(i) + c * x[offset + i];
            }
        } else {
            FloatBuffer yb = b.outf;
            for (int i = 0; i < n; i++) {
                out[i] = a * yb.get(i) + c * x[offset + i];
            }
        }
    }

    /**
     * Nanoseconds spent inside ONNX Runtime's {@code run} (or the Java forward pass) so far, summed over threads: what a
     * step costs outside the model is its time minus this (the benchmarks report it).
     */
    public long modelCallNanos() {
        return modelNanos.sum();
    }

    /** This thread's tensors for {@code rows} points: one of the last two sizes, else new ones. */
    private Binding binding(int rows) {
        Binding[] slots = bindings.get();
        if (slots[0] != null && slots[0].rows == rows) {
            return slots[0];
        }
        if (slots[1] != null && slots[1].rows == rows) {
            Binding b = slots[1];
            slots[1] = slots[0];
            slots[0] = b;
            return b;
        }
        if (slots[1] != null) {
            slots[1].close();
        }
        slots[1] = slots[0];
        try {
            slots[0] = new Binding(rows);
        } catch (OrtException e) {
            throw new IllegalStateException("cannot allocate ONNX tensors for " + rows + " points: " + e.getMessage(), e);
        }
        return slots[0];
    }

    /** Input and output tensors over direct buffers, for one number of rows. */
    private final class Binding implements AutoCloseable {
        final int rows;
        final ByteBuffer x;
        final ByteBuffer t;
        final ByteBuffer out;
        final FloatBuffer xf;
        final FloatBuffer outf;
        final DoubleBuffer xd;
        final DoubleBuffer outd;
        final Map<String, OnnxTensor> inputs = new HashMap<>();
        final Map<String, OnnxTensor> outputs = new HashMap<>();

        Binding(int rows) throws OrtException {
            this.rows = rows;
            int bytes = float64 ? Double.BYTES : Float.BYTES;
            x = ByteBuffer.allocateDirect(rows * d * bytes).order(ByteOrder.nativeOrder());
            t = ByteBuffer.allocateDirect(tShape.values(rows) * (tLong ? Long.BYTES : bytes)).order(ByteOrder.nativeOrder());
            out = ByteBuffer.allocateDirect(rows * d * bytes).order(ByteOrder.nativeOrder());
            xf = x.asFloatBuffer();
            outf = out.asFloatBuffer();
            xd = x.asDoubleBuffer();
            outd = out.asDoubleBuffer();
            OnnxJavaType type = float64 ? OnnxJavaType.DOUBLE : OnnxJavaType.FLOAT;
            inputs.put(xName, OnnxTensor.createTensor(env, x, new long[] {rows, d}, type));
            if (tName != null) {
                inputs.put(tName, OnnxTensor.createTensor(env, t, tShape.shape(rows), tLong ? OnnxJavaType.INT64 : type));
            }
            if (outName != null) {
                outputs.put(outName, OnnxTensor.createTensor(env, out, new long[] {rows, d}, type));
            }
        }

        @Override
        public void close() {
            inputs.values().forEach(OnnxTensor::close);
            outputs.values().forEach(OnnxTensor::close);
        }
    }

    /** Writes a time value: a timestep as int64 (it is a whole number) or in the model's precision. */
    private void putTime(ByteBuffer buffer, int index, double value) {
        if (tLong) {
            buffer.putLong(index * Long.BYTES, (long) value);
        } else {
            put(buffer, index, value);
        }
    }

    private void put(ByteBuffer buffer, int index, double value) {
        if (float64) {
            buffer.putDouble(index * Double.BYTES, value);
        } else {
            buffer.putFloat(index * Float.BYTES, (float) value);
        }
    }

    /** The shapes a time input may have: one value per row, or one for the whole block (a scalar or [1]). */
    private enum TimeShape {
        ROWS, COLUMN, SCALAR, SINGLE;

        /** The shape of a model's time input as declared ({@code -1}: symbolic), or null if none of these. */
        static TimeShape of(long[] shape) {
            if (shape.length == 0) {
                return SCALAR;
            }
            if (shape.length == 1) {
                return shape[0] == 1 ? SINGLE : shape[0] < 0 ? ROWS : null;
            }
            return shape.length == 2 && shape[0] < 0 && (shape[1] == 1 || shape[1] < 0) ? COLUMN : null;
        }

        int values(int rows) {
            return this == ROWS || this == COLUMN ? rows : 1;
        }

        long[] shape(int rows) {
            return switch (this) {
                case ROWS -> new long[] {rows};
                case COLUMN -> new long[] {rows, 1};
                case SCALAR -> new long[0];
                case SINGLE -> new long[] {1};
            };
        }
    }

    private void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing a session that failed its checks: nothing more to report than the check itself
        }
    }

    private static TensorInfo tensorInput(Map<String, NodeInfo> inputs, String name, String key, List<String> problems) {
        NodeInfo info = inputs.get(name);
        if (info == null) {
            problems.add(key + " '" + name + "' is not an input of the model");
            return null;
        }
        if (!(info.getInfo() instanceof TensorInfo tensor)) {
            problems.add("input '" + name + "' is not a tensor");
            return null;
        }
        return tensor;
    }

    private static void checkType(TensorInfo info, String what, String expected, List<String> problems) {
        String actual = typeName(info);
        if (!actual.equals(expected)) {
            problems.add(what + " is " + actual + " but precision is " + expected
                    + (actual.startsWith("float") ? "; set precision: " + actual : ""));
        }
    }

    private static String typeName(TensorInfo info) {
        return switch (info.type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> info.type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String describe(NodeInfo info) {
        return info.getInfo() instanceof TensorInfo t ? shapeText(t.getShape()) + " " + typeName(t) : info.getInfo().toString();
    }

    private static String list(Map<String, NodeInfo> infos) {
        List<String> out = new ArrayList<>();
        infos.forEach((name, info) -> out.add(name + " " + describe(info)));
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    /** {@code [n, 2]}: symbolic (unknown) axes as {@code n}. */
    private static String shapeText(long[] shape) {
        return Arrays.stream(shape).mapToObj(s -> s < 0 ? "n" : Long.toString(s))
                .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
