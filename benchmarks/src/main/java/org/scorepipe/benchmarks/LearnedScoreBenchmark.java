package org.scorepipe.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.scorepipe.api.Block;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Simd;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.correctors.LangevinCorrector;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.djl.DenoisingScoreMatching;
import org.scorepipe.djl.DjlScore;
import org.scorepipe.onnx.Engine;
import org.scorepipe.onnx.MlpWeights;
import org.scorepipe.onnx.OnnxScore;
import org.scorepipe.onnx.Precision;
import org.scorepipe.onnx.ScoreOutput;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Langevin steps with a learned score, one thread: particle-steps per second of the {@code langevin}
 * corrector ({@code x += h s(x, t) + sqrt(2h) xi}, {@code d = 2}, {@code t = 0.5} of the
 * Ornstein-Uhlenbeck path) on the noise-conditional MLP with two hidden layers of 128 SiLU units,
 * one block of 1k to 64k particles, with the {@code onnx} provider run by ONNX Runtime
 * ({@code onnx}), the same provider and model file with {@code engine: java} ({@code java}, the
 * Vector API forward pass; only with {@code --add-modules jdk.incubator.vector}) and the
 * {@code djl} provider; and the share of the step spent outside the model call (converting x to
 * float32, the output to the score, the noise and the update), and the points per second of the
 * model calls alone (the provider's timer: ONNX Runtime's {@code run}, the Java forward pass, or
 * DJL's tensors and forward). Not JMH: each point runs a fixed
 * wall time after a warm-up of half that and reads the providers' own model-call timers.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector \
 *     -cp benchmarks/target/benchmarks.jar:cli/target/lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar \
 *     org.scorepipe.benchmarks.LearnedScoreBenchmark [seconds per point, default 3] [providers, default onnx,java,djl]
 * </pre>
 */
public final class LearnedScoreBenchmark {
    private LearnedScoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        List<String> providers = List.of((args.length > 1 ? args[1] : "onnx,java,djl").split(","));
        if (providers.contains("java") && !Simd.ENABLED) {
            throw new IllegalArgumentException("the java engine needs the Vector API: run with --add-modules"
                    + " jdk.incubator.vector, or leave java out of the providers");
        }
        int d = 2;
        NoisingPath path = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
        GaussianMixtureSource data = new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
                new GaussianMixtureSource.Part(0.5, new double[] {-3, 0}, new double[] {0.5}),
                new GaussianMixtureSource.Part(0.5, new double[] {3, 1}, new double[] {1.0}))), new PipelineSpec("b", 1, 1, d));
        Path dir = Files.createTempDirectory("learned-score-benchmark");
        // a few training steps: the weights' values do not change the cost of a forward pass
        DenoisingScoreMatching.Settings settings = new DenoisingScoreMatching.Settings(new int[] {128, 128},
                MlpWeights.Activation.SILU, ScoreOutput.EPSILON, 20, 256, 1e-3, 1e-3, 1.0, 1);
        PhiloxNoise trainNoise = new PhiloxNoise(1);
        DenoisingScoreMatching.Result model = new DenoisingScoreMatching(settings, data, path, "ornstein-uhlenbeck")
                .train(k -> {
                    trainNoise.position(0, k);
                    return trainNoise;
                }, 1, dir, true, (step, steps, loss) -> { });
        PipelineSpec spec = new PipelineSpec("b", 1, 1, d);
        OnnxScore.Params onnxParams = new OnnxScore.Params(model.onnx().orElseThrow().toString(), "x", "t", null,
                ScoreOutput.EPSILON, Precision.FLOAT32, 1);
        OnnxScore onnx = new OnnxScore(onnxParams.withEngine(Engine.ONNXRUNTIME), spec, path);
        OnnxScore java = providers.contains("java") ? new OnnxScore(onnxParams.withEngine(Engine.JAVA), spec, path) : null;
        DjlScore djl = providers.contains("djl") ? new DjlScore(new DjlScore.Params(model.model().toString(), "x", "t", null,
                ScoreOutput.EPSILON, Precision.FLOAT32, 1), spec, path) : null;
        System.out.printf("Langevin, d = 2, MLP 4-128-128-2 (SiLU), float32, one thread, %.0f s per point%n", seconds);
        System.out.printf("%-8s %8s %16s %12s %14s %15s%n", "provider", "block", "particle-steps/s", "ms/step", "outside model",
                "model points/s");
        for (int block : new int[] {1 << 10, 1 << 12, 1 << 14, 1 << 16}) {
            if (providers.contains("onnx")) {
                run("onnx", onnx, onnx::modelCallNanos, block, d, seconds);
            }
            if (java != null) {
                run("java", java, java::modelCallNanos, block, d, seconds);
            }
            if (djl != null) {
                run("djl", djl, djl::modelCallNanos, block, d, seconds);
            }
        }
    }

    private static void run(String name, ScoreProvider score, LongSupplier modelNanos, int n, int d, double seconds) {
        Particles particles = new Particles(n, d);
        PhiloxNoise.of(3, 0, 0).normals(0, 0, particles.data(), 0, n * d);
        Block block = particles.all();
        LangevinCorrector langevin = new LangevinCorrector(new LangevinCorrector.Params(0.01, 1, 0), score);
        PhiloxNoise noise = new PhiloxNoise(5);
        long step = 0;
        // warm-up: half the point's time, at least 5 steps, so that the first point is not timing the JIT compiler
        long warmStart = System.nanoTime();
        for (int warm = 0; warm < 5 || System.nanoTime() - warmStart < (long) (seconds * 0.5e9); warm++) {
            noise.position(1, step++);
            langevin.correct(block, 0.5, noise);
        }
        long model0 = modelNanos.getAsLong();
        long start = System.nanoTime();
        long steps = 0;
        long budget = (long) (seconds * 1e9);
        while (System.nanoTime() - start < budget) {
            noise.position(1, step++);
            langevin.correct(block, 0.5, noise);
            steps++;
        }
        long total = System.nanoTime() - start;
        long inModel = modelNanos.getAsLong() - model0;
        System.out.printf(Locale.ROOT, "%-8s %8d %16.3g %12.3f %13.1f%% %15.3g%n", name, n, (double) n * steps / (total / 1e9),
                total / 1e6 / steps, 100.0 * (total - inModel) / total, (double) n * steps / (inModel / 1e9));
    }
}
