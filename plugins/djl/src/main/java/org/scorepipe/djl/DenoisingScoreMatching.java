package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongFunction;
import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.onnx.MlpWeights;
import org.scorepipe.onnx.ScoreOutput;

/**
 * Denoising score matching (Vincent 2011; Song &amp; Ermon 2019) of the noise-conditional MLP
 * ({@link MlpWeights}) along a noising path {@code X_t = alpha_t X_0 + sigma_t Z}, with DJL's
 * PyTorch engine and Adam (cosine-decayed learning rate).
 *
 * <p>Each step draws a batch: {@code x_0} from the data source, {@code t ~ U[t_min, t_max]},
 * {@code z ~ N(0, I)}, {@code x_t = alpha_t x_0 + sigma_t z}, and minimises the mean over the batch of
 * <ul>
 *   <li>{@code epsilon}: {@code |y(x_t, t) - z|^2} (Ho et al. 2020), which is the DSM loss
 *       {@code sigma_t^2 |s(x_t, t) + z/sigma_t|^2} for {@code s = -y/sigma_t};</li>
 *   <li>{@code score}: {@code sigma_t^2 |y(x_t, t) + z/sigma_t|^2}, DSM with Song &amp; Ermon's weight
 *       {@code lambda(t) = sigma_t^2};</li>
 *   <li>{@code denoised}: {@code |y(x_t, t) - x_0|^2}.</li>
 * </ul>
 * Randomness: step {@code k} uses the noise {@code noise(k)}: the data source its streams 0 and 1,
 * the times stream 2 and {@code z} stream 3, batch row {@code i} as particle {@code i}; libtorch's
 * generator (weight initialisation) is seeded with {@code seed}.
 *
 * <p>With {@code ema > 0} the saved model takes an exponential moving average of the weights over
 * the steps ({@link WeightAverage}) rather than the last step's, which averages out the optimiser's
 * noise. With {@code skip: gaussian} (epsilon only) the network learns the residual over the exact
 * noise prediction of the data's Gaussian fit, {@code y = eps - eps_G(x_t, t)}, target
 * {@code z - eps_G(x_t, t)} ({@link GaussianSkip}); the Gaussian (mean and covariance of
 * {@code skip-samples} data draws, taken with the noise of steps {@code steps, steps + 1, ...}) is
 * saved in the model's description, and the {@code djl} score adds {@code eps_G} back.
 */
@Component(kind = ComponentKind.TRAINER, name = "dsm", doc = "Denoising score matching of a noise-conditional MLP on the"
        + " pipeline's data along its noising path (DJL, PyTorch on the CPU); writes model/ for the djl score and, with"
        + " --export-onnx, model.onnx for the onnx score.")
public final class DenoisingScoreMatching implements org.scorepipe.api.Trainer {

    /** The {@code train:} section of a pipeline file. */
    public record Settings(
            @Doc("hidden layers' widths") @Default("[128, 128]") int[] hidden,
            @Doc("hidden activation: silu or tanh") @Default("silu") MlpWeights.Activation activation,
            @Doc("what the network predicts: epsilon, score, denoised (or sample) or v-prediction") @Default("epsilon") ScoreOutput output,
            @Doc("optimiser steps") @Default("4000") int steps,
            @Doc("samples per step") @Default("1024") int batch,
            @Doc("Adam's learning rate, decayed along a cosine to a hundredth of it") @Default("0.002") double learningRate,
            @Doc("smallest training time t_min > 0") @Default("0.001") double timeMin,
            @Doc("largest training time") @Default("1.0") double timeMax,
            @Doc("libtorch intra-op threads; 0 = one per core. OpenMP threads that share their cores with other work slow"
                    + " training down many times over, so the default is one") @Default("1") int threads,
            @Doc("decay of the exponential moving average of the weights that the saved model takes (e.g. 0.999, with"
                    + " TensorFlow's warm-up min(ema, (1+k)/(10+k))); 0 = off: the model takes the last step's weights")
                    @Default("0.0") double ema,
            @Doc("none, or gaussian: the network learns eps - eps_G, the residual over the exact noise prediction"
                    + " eps_G = sigma_t Sigma_t^-1 (x - alpha_t mu), Sigma_t = alpha_t^2 Sigma + sigma_t^2 I, of the Gaussian"
                    + " with the data's mean mu and covariance Sigma (estimated from skip-samples draws); output epsilon only")
                    @Default("none") Skip skip,
            @Doc("data draws the skip's mean and covariance are estimated from") @Default("100000") int skipSamples,
            @Doc("steps between checkpoints of the training (weights, Adam's moments and step count, the weight average, the"
                    + " losses so far) in the run directory's checkpoints/, from which `scorepipe train FILE --out DIR` continues"
                    + " a killed training; 0 = none") @Default("500") int checkpointEvery,
            @Doc("steps between measurements of the held-out loss (the same loss, under the weights of that step, on one"
                    + " batch drawn with noise apart from the training's), the third column of loss.csv; 0 = none")
                    @Default("100") int heldOutEvery) {
        /** The settings without a weight average ({@code ema = 0}) or skip. */
        public Settings(int[] hidden, MlpWeights.Activation activation, ScoreOutput output, int steps, int batch,
                double learningRate, double timeMin, double timeMax, int threads) {
            this(hidden, activation, output, steps, batch, learningRate, timeMin, timeMax, threads, 0.0, Skip.NONE, 100000, 500,
                    100);
        }

        /** These settings with {@code ema} as the weight average's decay. */
        public Settings withEma(double ema) {
            return new Settings(hidden, activation, output, steps, batch, learningRate, timeMin, timeMax, threads, ema, skip,
                    skipSamples, checkpointEvery, heldOutEvery);
        }

        /** These settings with checkpoints every {@code checkpointEvery} steps (0 = none). */
        public Settings withCheckpointEvery(int checkpointEvery) {
            return new Settings(hidden, activation, output, steps, batch, learningRate, timeMin, timeMax, threads, ema, skip,
                    skipSamples, checkpointEvery, heldOutEvery);
        }

        /** These settings with the skip given. */
        public Settings withSkip(Skip skip, int skipSamples) {
            return new Settings(hidden, activation, output, steps, batch, learningRate, timeMin, timeMax, threads, ema, skip,
                    skipSamples, checkpointEvery, heldOutEvery);
        }

        public Settings {
            if (hidden == null || hidden.length == 0) {
                throw new IllegalArgumentException("hidden is empty; give the hidden layers' widths, e.g. [128, 128]");
            }
            for (int w : hidden) {
                if (w < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + java.util.Arrays.toString(hidden));
                }
            }
            requireNonNull(activation, "activation is null");
            requireNonNull(output, "output is null");
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be >= 1, got " + batch);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learning-rate must be a finite number > 0, got " + learningRate);
            }
            if (!(timeMin > 0) || !(timeMax > timeMin) || Double.isInfinite(timeMax)) {
                throw new IllegalArgumentException("need 0 < time-min < time-max < infinity (log t is an input), got time-min = "
                        + timeMin + ", time-max = " + timeMax);
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0, got " + threads);
            }
            if (!(ema >= 0 && ema < 1)) {
                throw new IllegalArgumentException("ema must be in [0, 1) (0 = off, e.g. 0.999), got " + ema);
            }
            requireNonNull(skip, "skip is null");
            if (skip == Skip.GAUSSIAN && output != ScoreOutput.EPSILON) {
                throw new IllegalArgumentException("skip: gaussian needs output: epsilon (the residual is learned in noise"
                        + " units), got output: " + output.configName());
            }
            if (skipSamples < 2) {
                throw new IllegalArgumentException("skip-samples must be >= 2, got " + skipSamples);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpoint-every must be >= 0 (0 = no checkpoints), got " + checkpointEvery);
            }
            if (heldOutEvery < 0) {
                throw new IllegalArgumentException("held-out-every must be >= 0 (0 = no held-out loss), got " + heldOutEvery);
            }
        }
    }

    /** What the network's output is added to. */
    public enum Skip {
        /** Nothing: the network's output is the prediction. */
        NONE,
        /** The exact noise prediction of the data's Gaussian fit ({@link GaussianSkip}). */
        GAUSSIAN
    }

    /** Told of each finished step. */
    public interface Progress {
        void step(int step, int steps, double loss);
    }

    /**
     * What training produced.
     *
     * @param model the model folder (for the {@code djl} provider)
     * @param onnx the ONNX file, if exported
     * @param weights the trained weights
     * @param finalLoss the mean loss over the last tenth of the steps
     */
    public record Result(Path model, java.util.Optional<Path> onnx, MlpWeights weights, double finalLoss) {
    }

    private final Settings settings;
    private final DataSource data;
    private final NoisingPath path;
    private final String pathName;

    /** The trainer of a pipeline's {@code train:} section; the model records the path's type name. */
    @Inject
    public DenoisingScoreMatching(Settings settings, DataSource data, NoisingPath path) {
        this(settings, data, path, requireNonNull(path, "path is null").getClass().getAnnotation(Component.class) != null
                ? path.getClass().getAnnotation(Component.class).name() : path.getClass().getSimpleName());
    }

    /**
     * @param pathName the path's type, recorded in the model's description
     */
    public DenoisingScoreMatching(Settings settings, DataSource data, NoisingPath path, String pathName) {
        this.settings = requireNonNull(settings, "settings is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
        this.pathName = requireNonNull(pathName, "pathName is null");
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("denoising score matching here draws Gaussian noise, but the path's noise is"
                    + " Student-t with " + path.noiseDegreesOfFreedom() + " degrees of freedom");
        }
    }

    /**
     * Starts the PyTorch engine (once per process); {@link #train} does too. Calling it first lets
     * a caller find missing natives before it creates anything on disk.
     *
     * @throws IllegalArgumentException if the natives are missing or do not load, saying what to do
     */
    public Engine startEngine() {
        return DjlRuntime.pytorch(settings.threads() > 0 ? settings.threads() : Runtime.getRuntime().availableProcessors());
    }

    @Override
    public void prepare() {
        startEngine();
    }

    @Override
    public org.scorepipe.api.Trainer.Result train(org.scorepipe.api.Trainer.Context context) {
        Result result = train(context::noise, context::heldOutNoise, context.seed(), context.directory(), context.exportOnnx(),
                context::progress, context.resumeFrom(), context::checkpoint);
        java.util.Map<String, Path> files = new java.util.LinkedHashMap<>();
        files.put("djl model", result.model());
        result.onnx().ifPresent(f -> files.put("onnx model", f));
        files.put("loss curve", context.directory().resolve("loss.csv"));
        String output = settings.output().configName();
        return new org.scorepipe.api.Trainer.Result(String.format("a %s MLP %s predicting %s along %s: %d steps of %d samples",
                settings.activation().configName(), java.util.Arrays.toString(settings.hidden()), output, pathName,
                settings.steps(), settings.batch()) + (settings.ema() > 0 ? ", weights averaged (ema " + settings.ema() + ")" : "")
                + (settings.skip() == Skip.GAUSSIAN ? ", over the data's Gaussian fit (skip gaussian)" : ""),
                result.finalLoss(), files,
                "--set components.score.type=djl --set components.score.model=" + result.model()
                        + " --set components.score.output=" + output);
    }

    /**
     * The skip's Gaussian from {@code skip-samples} data draws, taken with the noise of steps
     * {@code steps, steps + 1, ...} (past the training's own), a batch at a time.
     */
    private GaussianSkip estimateSkip(LongFunction<Noise> noise) {
        int d = data.dimension();
        int n = settings.skipSamples();
        int batch = settings.batch();
        double[] all = new double[n * d];
        Particles particles = new Particles(batch, d);
        for (int done = 0, k = 0; done < n; k++) {
            data.sample(particles.all(), noise.apply(settings.steps() + (long) k));
            int take = Math.min(batch, n - done);
            System.arraycopy(particles.data(), 0, all, done * d, take * d);
            done += take;
        }
        return GaussianSkip.estimate(all, n, d);
    }

    /** The ONNX graph carries the MLP alone: a model trained with a skip is refused before anything is written. */
    @Override
    public void checkExport(boolean exportOnnx) {
        if (exportOnnx && settings.skip() != Skip.NONE) {
            throw new IllegalArgumentException("--export-onnx: the ONNX graph does not carry train.skip: "
                    + settings.skip().name().toLowerCase(java.util.Locale.ROOT) + "; sample with the djl score (model/),"
                    + " or train with skip: none");
        }
    }

    /**
     * Trains, then writes {@code out/model/} (description and DJL parameters), {@code out/loss.csv}
     * and, if asked, {@code out/model.onnx}; no checkpoints, the held-out batch keyed by the noise
     * of step -1.
     */
    public Result train(LongFunction<Noise> noise, long seed, Path out, boolean exportOnnx, Progress progress) {
        return train(noise, () -> noise.apply(-1), seed, out, exportOnnx, progress, java.util.Optional.empty(), state -> { });
    }

    /**
     * Trains as {@link #train(LongFunction, long, Path, boolean, Progress)} does, continuing from
     * {@code resume} if given and handing {@code checkpoint} the state every {@code checkpoint-every}
     * steps.
     *
     * @param heldOut the held-out batch's noise, asked for and read before any step's
     */
    public Result train(LongFunction<Noise> noise, java.util.function.Supplier<Noise> heldOut, long seed, Path out, boolean exportOnnx, Progress progress,
            java.util.Optional<org.scorepipe.api.Trainer.State> resume,
            java.util.function.Consumer<org.scorepipe.api.Trainer.State> checkpoint) {
        checkExport(exportOnnx);
        int d = data.dimension();
        int batch = settings.batch();
        int steps = settings.steps();
        Engine engine = startEngine();
        engine.setRandomSeed((int) seed);
        SequentialBlock block = ScoreNetwork.block(d, settings.hidden(), settings.activation());
        GaussianSkip skip = settings.skip() == Skip.GAUSSIAN ? estimateSkip(noise) : null;
        // Drawn once, with noise of its own; before any step's (the noises may be one generator, repositioned).
        Batch held = settings.heldOutEvery() > 0 ? new Batch(batch, d) : null;
        if (held != null) {
            held.draw(heldOut.get(), skip);
        }
        try (Model model = Model.newInstance(ScoreNetwork.PREFIX, "PyTorch")) {
            model.setBlock(block);
            Batch b = new Batch(batch, d);
            TrainingLoop.Schedule schedule = new TrainingLoop.Schedule(steps, settings.learningRate(), settings.ema(),
                    settings.checkpointEvery(), settings.heldOutEvery(), "lower learning-rate (now " + settings.learningRate()
                            + ") or raise time-min (now " + settings.timeMin() + ")");
            TrainingLoop.Outcome outcome = TrainingLoop.run(model, schedule, new Shape[] {new Shape(batch, d), new Shape(batch, 1)},
                    (k, m, trainer) -> {
                        b.draw(noise.apply(k), skip);
                        return b.loss(m, trainer);
                    }, held == null ? null : k -> held.loss(ScoreNetwork.weights(block, d, settings.activation())), resume,
                    checkpoint, progress::step);
            MlpWeights weights = ScoreNetwork.weights(block, d, settings.activation());
            Path folder = out.resolve("model");
            String outputName = settings.output().configName();
            ScoreNetwork.save(model, new ScoreNetwork.Description(ScoreNetwork.FORMAT, d, settings.hidden(),
                    settings.activation().configName(), outputName, "x", "t", outputName, pathName,
                    new double[] {settings.timeMin(), settings.timeMax()},
                    skip == null ? null : new ScoreNetwork.Gaussian(skip.mean(), skip.covariance())), folder);
            Files.writeString(out.resolve("loss.csv"), lossCurve(outcome.losses(), outcome.heldOutLosses()), StandardCharsets.UTF_8);
            java.util.Optional<Path> onnx = java.util.Optional.empty();
            if (exportOnnx) {
                Path file = out.resolve("model.onnx");
                weights.toOnnx("x", "t", outputName).write(file);
                onnx = java.util.Optional.of(file);
            }
            return new Result(folder, onnx, weights, outcome.finalLoss());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trained model into " + out + ": " + e.getMessage(), e);
        }
    }

    /** {@code step,loss,held-out-loss}: a row per step, the held-out loss where it was measured (else empty). */
    static String lossCurve(double[] losses, double[] heldOut) {
        StringBuilder out = new StringBuilder("step,loss,held-out-loss\n");
        for (int k = 0; k < losses.length; k++) {
            out.append(k + 1).append(',').append(losses[k]).append(',');
            if (!Double.isNaN(heldOut[k])) {
                out.append(heldOut[k]);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /**
     * One batch of the DSM loss: {@code x_t}, {@code t}, the target and the weight of each row,
     * drawn from one step's noise as the class comment says.
     */
    private final class Batch {
        private final int batch;
        private final int d;
        private final Particles particles;
        private final double[] u = new double[1];
        private final double[] z;
        private final double[] base;
        private final float[] xt;
        private final float[] tt;
        private final float[] target;
        private final float[] weight;

        Batch(int batch, int d) {
            this.batch = batch;
            this.d = d;
            this.particles = new Particles(batch, d);
            this.z = new double[d];
            this.base = new double[d];
            this.xt = new float[batch * d];
            this.tt = new float[batch];
            this.target = new float[batch * d];
            this.weight = new float[batch];
        }

        void draw(Noise n, GaussianSkip skip) {
            data.sample(particles.all(), n);
            double[] x0 = particles.data();
            for (int i = 0; i < batch; i++) {
                n.uniforms(i, 2, u, 0, 1);
                n.normals(i, 3, z, 0, d);
                double t = settings.timeMin() + (settings.timeMax() - settings.timeMin()) * u[0];
                double alpha = path.meanScale(t);
                double sigma = path.noiseScale(t);
                tt[i] = (float) t;
                weight[i] = settings.output() == ScoreOutput.SCORE ? (float) (sigma * sigma) : 1f;
                for (int j = 0; j < d; j++) {
                    xt[i * d + j] = (float) (alpha * x0[i * d + j] + sigma * z[j]);
                }
                if (skip != null) {
                    // the network's target is z - eps_G(x_t, t), eps_G taken at the float32 point it sees
                    for (int j = 0; j < d; j++) {
                        base[j] = xt[i * d + j];
                    }
                    skip.epsilon(base, 0, 1, alpha, sigma, base, 0);
                }
                for (int j = 0; j < d; j++) {
                    int ij = i * d + j;
                    double y = switch (settings.output()) {
                        case EPSILON -> z[j];
                        case SCORE -> -z[j] / sigma;
                        case DENOISED, SAMPLE -> x0[ij];
                        // Salimans & Ho 2022: v = alpha_t eps - sigma_t x0
                        case V_PREDICTION -> alpha * z[j] - sigma * x0[ij];
                    };
                    target[ij] = (float) (skip != null ? y - base[j] : y);
                }
            }
        }

        /** The batch's mean loss under the network's weights now, in {@code m}, recorded for the backward pass. */
        NDArray loss(NDManager m, Trainer trainer) {
            NDArray xa = m.create(xt, new Shape(batch, d));
            NDArray ta = m.create(tt, new Shape(batch, 1));
            NDArray ya = m.create(target, new Shape(batch, d));
            NDArray wa = m.create(weight, new Shape(batch, 1));
            NDArray y = trainer.forward(new NDList(xa, ta)).singletonOrThrow();
            return y.sub(ya).square().mul(wa).sum(new int[] {1}).mean();
        }

        /**
         * The batch's mean loss under {@code weights}, by their plain-Java forward pass in double
         * precision: measuring it only reads the weights out of libtorch, and runs no operation there
         * between two training steps.
         */
        double loss(MlpWeights weights) {
            double[] x = new double[d];
            double[] y = new double[d];
            double sum = 0;
            for (int i = 0; i < batch; i++) {
                for (int j = 0; j < d; j++) {
                    x[j] = xt[i * d + j];
                }
                weights.forward(x, 0, 1, tt[i], y);
                double row = 0;
                for (int j = 0; j < d; j++) {
                    double e = y[j] - target[i * d + j];
                    row += e * e;
                }
                sum += weight[i] * row;
            }
            return sum / batch;
        }
    }
}
