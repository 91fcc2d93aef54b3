package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;

/**
 * Denoising score matching of the recurrent patch network ({@link PatchNetwork}) for chained
 * Langevin dynamics, with DJL's PyTorch engine and Adam (cosine-decayed learning rate): the
 * conditional form of Vincent (2011) and Song &amp; Ermon (2019). Each step draws a batch
 * {@code x ~ data}, and for every sample {@code b} and patch {@code j} its own time
 * {@code t_bj ~ U[t_min, t_max]} and noise {@code z_bj ~ N(0, I_Q)}; the patch is noised alone,
 * {@code y_bj = alpha_t x_bj + sigma_t z_bj}, its prefix stays clean, and the loss is
 * <pre>
 *   L = (1 / B P) sum_{b, j} |eps(y_bj | x_{b,&lt;j}, t_bj) - z_bj|^2
 * </pre>
 * which is the conditional DSM loss {@code sigma_t^2 |s(y | x_{<j}, t) + z / sigma_t|^2}, weight
 * {@code lambda(sigma) = sigma^2}, for {@code s = -eps / sigma_t}: its minimiser is the score of
 * the noised patch given the clean prefix, the conditional of the Chained-LD paper. All {@code P}
 * patches of a sample train at once: the LSTM reads the clean patches in one pass.
 *
 * <p>Randomness: step {@code k} uses the noise {@code noise(k)}: the data source its streams 0 and
 * 1, the times stream 2 ({@code P} uniforms per row) and {@code z} stream 3; libtorch's generator
 * (weight initialisation) is seeded with the pipeline's seed. With {@code ema > 0} the saved
 * weights are an exponential moving average over the steps ({@link WeightAverage}).
 */
@Component(kind = ComponentKind.TRAINER, name = "patch-dsm", doc = "Denoising score matching of the recurrent patch network"
        + " (LSTM over the clean patches, MLP head) for chained Langevin: the score of a noised patch given the clean earlier"
        + " ones (DJL, PyTorch on the CPU); writes model/patch-lstm.json for the patch-lstm conditional score.")
public final class PatchTraining implements org.scorepipe.api.Trainer {

    /** The {@code train:} section of a pipeline file. */
    public record Settings(
            @Doc("patch size Q, dividing the dimension: the chained stage's patch") int patch,
            @Doc("the LSTM's state size H") @Default("64") int state,
            @Doc("the head's hidden layers' widths") @Default("[128, 128]") int[] hidden,
            @Doc("optimiser steps") @Default("3000") int steps,
            @Doc("samples per step (each trains all its patches)") @Default("256") int batch,
            @Doc("Adam's learning rate, decayed along a cosine to a hundredth of it") @Default("0.002") double learningRate,
            @Doc("smallest training time t_min >= 0, where the path's sigma must be > 0 (log sigma is an input)")
            @Default("0.001") double timeMin,
            @Doc("largest training time") @Default("1.0") double timeMax,
            @Doc("libtorch intra-op threads; 0 = one per core") @Default("1") int threads,
            @Doc("decay of the exponential moving average of the weights the saved model takes; 0 = off")
            @Default("0.0") double ema,
            @Doc("steps between checkpoints of the training (weights, Adam's state, the weight average, the losses) in the"
                    + " run directory's checkpoints/, from which `scorepipe train FILE --out DIR` continues a killed training;"
                    + " 0 = none") @Default("500") int checkpointEvery) {
        /** The settings with checkpoints every 500 steps. */
        public Settings(int patch, int state, int[] hidden, int steps, int batch, double learningRate, double timeMin,
                double timeMax, int threads, double ema) {
            this(patch, state, hidden, steps, batch, learningRate, timeMin, timeMax, threads, ema, 500);
        }

        public Settings {
            if (patch < 1) {
                throw new IllegalArgumentException("patch must be >= 1, got " + patch);
            }
            if (state < 1) {
                throw new IllegalArgumentException("state must be >= 1, got " + state);
            }
            if (hidden == null || hidden.length == 0) {
                throw new IllegalArgumentException("hidden is empty; give the head's hidden widths, e.g. [128, 128]");
            }
            for (int w : hidden) {
                if (w < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + java.util.Arrays.toString(hidden));
                }
            }
            if (steps < 1 || batch < 1) {
                throw new IllegalArgumentException("steps and batch must be >= 1, got " + steps + " and " + batch);
            }
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("learning-rate must be a finite number > 0, got " + learningRate);
            }
            if (!(timeMin >= 0) || !(timeMax > timeMin) || Double.isInfinite(timeMax)) {
                throw new IllegalArgumentException("need 0 <= time-min < time-max < infinity, got time-min = "
                        + timeMin + ", time-max = " + timeMax);
            }
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0, got " + threads);
            }
            if (!(ema >= 0 && ema < 1)) {
                throw new IllegalArgumentException("ema must be in [0, 1) (0 = off, e.g. 0.999), got " + ema);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpoint-every must be >= 0 (0 = no checkpoints), got " + checkpointEvery);
            }
        }
    }

    private final Settings settings;
    private final DataSource data;
    private final NoisingPath path;
    private final String pathName;

    @Inject
    public PatchTraining(Settings settings, DataSource data, NoisingPath path) {
        this.settings = requireNonNull(settings, "settings is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
        Component named = path.getClass().getAnnotation(Component.class);
        this.pathName = named != null ? named.name() : path.getClass().getSimpleName();
        int d = data.dimension();
        if (d % settings.patch() != 0) {
            throw new IllegalArgumentException("patch " + settings.patch() + " does not divide the data's dimension " + d
                    + "; use a divisor of " + d);
        }
        if (!(path.noiseScale(settings.timeMin()) > 0)) {
            throw new IllegalArgumentException("time-min " + settings.timeMin() + " is where the path has no noise (sigma = "
                    + path.noiseScale(settings.timeMin()) + "); log sigma is an input: raise time-min");
        }
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException("denoising score matching here draws Gaussian noise, but the path's noise is"
                    + " Student-t with " + path.noiseDegreesOfFreedom() + " degrees of freedom");
        }
    }

    private Engine startEngine() {
        return DjlRuntime.pytorch(settings.threads() > 0 ? settings.threads() : Runtime.getRuntime().availableProcessors());
    }

    @Override
    public void prepare() {
        startEngine();
    }

    @Override
    public void checkExport(boolean exportOnnx) {
        if (exportOnnx) {
            throw new IllegalArgumentException("--export-onnx: the patch network has no ONNX form here; sample with the"
                    + " patch-lstm conditional score (model/)");
        }
    }

    @Override
    public Result train(Context context) {
        checkExport(context.exportOnnx());
        Trained trained = train(context::noise, context.seed(), context.directory(), context::progress, context.resumeFrom(),
                context::checkpoint);
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("patch network", trained.model());
        files.put("loss curve", context.directory().resolve("loss.csv"));
        return new Result(String.format("a patch LSTM (state %d, head %s) over %d patches of %d along %s: %d steps of %d"
                        + " samples", settings.state(), java.util.Arrays.toString(settings.hidden()),
                        data.dimension() / settings.patch(), settings.patch(), pathName, settings.steps(), settings.batch())
                        + (settings.ema() > 0 ? ", weights averaged (ema " + settings.ema() + ")" : ""),
                trained.finalLoss(), files, "--set stages.<chained stage>.conditional.type=patch-lstm"
                        + " --set stages.<chained stage>.conditional.model=" + trained.model() + " (its patch: "
                        + settings.patch() + ")");
    }

    /**
     * What training produced.
     *
     * @param model the model folder
     * @param weights the trained weights
     * @param finalLoss the mean loss over the last tenth of the steps
     */
    public record Trained(Path model, PatchNetwork.Weights weights, double finalLoss) {
    }

    /** Told of each finished step. */
    public interface Progress {
        void step(int step, int steps, double loss);
    }

    /** Trains from scratch without checkpoints, then writes {@code out/model/patch-lstm.json} and {@code out/loss.csv}. */
    public Trained train(java.util.function.LongFunction<Noise> noise, long seed, Path out, Progress progress) {
        return train(noise, seed, out, progress, java.util.Optional.empty(), state -> { });
    }

    /**
     * Trains as {@link #train(java.util.function.LongFunction, long, Path, Progress)} does, continuing
     * from {@code resume} if given and handing {@code checkpoint} the state every
     * {@code checkpoint-every} steps ({@link TrainingLoop}).
     */
    public Trained train(java.util.function.LongFunction<Noise> noise, long seed, Path out, Progress progress,
            java.util.Optional<State> resume, java.util.function.Consumer<State> checkpoint) {
        int d = data.dimension();
        int q = settings.patch();
        int p = d / q;
        int batch = settings.batch();
        Engine engine = startEngine();
        engine.setRandomSeed((int) seed);
        PatchNetwork.Network block = PatchNetwork.block(d, q, settings.state(), settings.hidden());
        try (Model model = Model.newInstance("patch-lstm", "PyTorch")) {
            model.setBlock(block);
            Particles particles = new Particles(batch, d);
            double[] u = new double[p];
            double[] z = new double[d];
            float[] shifted = new float[batch * d];
            float[] noised = new float[batch * d];
            float[] side = new float[batch * p * (2 + p)];
            float[] target = new float[batch * d];
            Shape patches = new Shape(batch, p, q);
            TrainingLoop.Schedule schedule = new TrainingLoop.Schedule(settings.steps(), settings.learningRate(), settings.ema(),
                    settings.checkpointEvery(), 0, "lower learning-rate (now " + settings.learningRate() + ") or raise time-min"
                            + " (now " + settings.timeMin() + ")");
            TrainingLoop.Outcome outcome = TrainingLoop.run(model, schedule,
                    new Shape[] {patches, patches, new Shape(batch, p, 2 + p)}, (k, m, trainer) -> {
                        Noise n = noise.apply(k);
                        data.sample(particles.all(), n);
                        double[] x0 = particles.data();
                        java.util.Arrays.fill(side, 0f);
                        for (int i = 0; i < batch; i++) {
                            n.uniforms(i, 2, u, 0, p);
                            n.normals(i, 3, z, 0, d);
                            for (int j = 0; j < p; j++) {
                                double t = settings.timeMin() + (settings.timeMax() - settings.timeMin()) * u[j];
                                double alpha = path.meanScale(t);
                                double sigma = path.noiseScale(t);
                                int so = (i * p + j) * (2 + p);
                                side[so] = (float) t;
                                side[so + 1] = (float) Math.log(sigma);
                                side[so + 2 + j] = 1f;
                                for (int c = 0; c < q; c++) {
                                    int ij = i * d + j * q + c;
                                    shifted[ij] = j == 0 ? 0f : (float) x0[ij - q];
                                    noised[ij] = (float) (alpha * x0[ij] + sigma * z[j * q + c]);
                                    target[ij] = (float) z[j * q + c];
                                }
                            }
                        }
                        NDArray eps = trainer.forward(new NDList(m.create(shifted, patches), m.create(noised, patches),
                                m.create(side, new Shape(batch, p, 2 + p)))).singletonOrThrow();
                        return eps.sub(m.create(target, new Shape((long) batch * p, q))).square().sum(new int[] {1}).mean();
                    }, null, resume, checkpoint, progress::step);
            PatchNetwork.Weights weights = block.weights(d, pathName, new double[] {settings.timeMin(), settings.timeMax()});
            Path folder = out.resolve("model");
            PatchNetwork.save(weights, folder);
            Files.writeString(out.resolve("loss.csv"), DenoisingScoreMatching.lossCurve(outcome.losses(), outcome.heldOutLosses()),
                    StandardCharsets.UTF_8);
            return new Trained(folder, weights, outcome.finalLoss());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trained patch network into " + out + ": " + e.getMessage(), e);
        }
    }
}
