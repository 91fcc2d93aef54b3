package org.scorepipe.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.core.grids.GeometricGrid;
import org.scorepipe.core.kernels.StepRule;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.stages.ChainedLangevinStage;
import org.scorepipe.djl.PatchScore;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Chained Langevin steps with the learned conditional score ({@code patch-lstm}), one thread: patch-steps
 * per second of the {@code chained-langevin} stage on one block of 16 to 4096 particles, for the shipped
 * networks {@code pipelines/models/mnist-rows} (d = 196, rows of 14: LSTM state 128, head 2 x 256) and
 * {@code chained-gmm-4d} (d = 4, patches of 2: state 32, head 2 x 128); the share of the step spent
 * outside the network (noise and update), and the LSTM's prefix (computed once per particle and patch)
 * against one head call. Not JMH: each point runs a fixed wall time after a warm-up of half that.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *     org.scorepipe.benchmarks.PatchScoreBenchmark [seconds per point, default 2] [pipelines folder, default pipelines]
 * </pre>
 */
public final class PatchScoreBenchmark {
    private PatchScoreBenchmark() {
    }

    /** The learned score, timing its own calls. */
    private static final class Timed implements ConditionalScore {
        final ConditionalScore score;
        long scoreNanos;
        long prefixNanos;
        long prefixRows;

        Timed(ConditionalScore score) {
            this.score = score;
        }

        @Override
        public void checkPatches(int d, int q) {
            score.checkPatches(d, q);
        }

        @Override
        public int stateWidth(int from, int to) {
            return score.stateWidth(from, to);
        }

        @Override
        public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
            long t0 = System.nanoTime();
            score.prefix(x, offset, rows, from, to, state, stateOffset);
            prefixNanos += System.nanoTime() - t0;
            prefixRows += rows;
        }

        @Override
        public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int so, double[] out) {
            long t0 = System.nanoTime();
            score.score(x, offset, rows, from, to, t, state, so, out);
            scoreNanos += System.nanoTime() - t0;
        }
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        Path pipelines = Path.of(args.length > 1 ? args[1] : "pipelines");
        NoisingPath mnistPath = new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 10.0));
        NoisingPath gmmPath = new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50.0));
        System.out.println("model, d, Q, particles, patch-steps/s, outside the network, prefix per row (us), head per row (us)");
        run("mnist-rows", pipelines, 196, 14, mnistPath, 0.02, seconds);
        run("chained-gmm-4d", pipelines, 4, 2, gmmPath, 0.01, seconds);
    }

    private static void run(String model, Path pipelines, int d, int q, NoisingPath path, double lastSigma, double seconds) {
        for (int n : List.of(16, 64, 256, 1024, 4096)) {
            PipelineSpec spec = new PipelineSpec("b", 1, n, d);
            Timed score = new Timed(new PatchScore(new PatchScore.Params(pipelines.resolve("models").resolve(model).toString()),
                    spec, path));
            TimeGrid levels = new GeometricGrid(new GeometricGrid.Params(1.0, lastSigma, 10), path);
            // 100 steps per level: the prefix is read once per 1000 steps of a patch, as in the shipped pipelines.
            ChainedLangevinStage stage = new ChainedLangevinStage(new ChainedLangevinStage.Params(q, 0, 1.0, 0.0, 100, 2e-4,
                    StepRule.NOISE_SQUARED), spec, Optional.of(levels), score, path);
            Particles particles = new Particles(n, d);
            PhiloxNoise noise = new PhiloxNoise(1);
            noise.position(0, 0);
            for (int i = 0; i < n; i++) {
                noise.uniforms(i, 0, particles.data(), i * d, d);
            }
            Block block = particles.all();
            long k = 0;
            long end = System.nanoTime() + (long) (seconds * 0.5e9);
            while (System.nanoTime() < end) {
                noise.position(1, k);
                stage.step(k++ % stage.steps(), block, noise);
            }
            score.scoreNanos = 0;
            score.prefixNanos = 0;
            score.prefixRows = 0;
            long steps = 0;
            long t0 = System.nanoTime();
            end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                noise.position(1, k);
                stage.step(k++ % stage.steps(), block, noise);
                steps++;
            }
            long wall = System.nanoTime() - t0;
            double rate = steps * (double) n / (wall * 1e-9);
            double outside = 1.0 - (score.scoreNanos + score.prefixNanos) / (double) wall;
            double prefixPerRow = score.prefixRows == 0 ? Double.NaN : score.prefixNanos * 1e-3 / score.prefixRows;
            System.out.printf("%s, %d, %d, %d, %.3g, %.1f%%, %.2f, %.2f%n", model, d, q, n, rate, 100 * outside, prefixPerRow,
                    score.scoreNanos * 1e-3 / (steps * (double) n));
        }
    }
}
