package org.scorepipe.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.scorepipe.api.Block;
import org.scorepipe.api.Particles;
import org.scorepipe.core.correctors.LangevinCorrector;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The parts of one Langevin step, one thread, over {@code n = 100 000} particles in blocks of
 * {@code blockSize}, each reported in particles per second: the analytic score alone, the noise
 * alone ({@code d} normals per particle from {@link PhiloxNoise}), the update
 * {@code x += h s + sqrt(2h) xi} alone (score and noise precomputed), and the whole corrector
 * call on the same blocks without the runner. Comparing their reciprocals says where a step's
 * time goes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class StepPartsBenchmark {
    private static final int N = BenchmarkTargets.PARTICLES;

    @Param({"2", "16", "64"})
    int d;

    @Param({"3", "8"})
    int k;

    @Param({"isotropic", "full"})
    String covariance;

    @Param({"1024"})
    int blockSize;

    private Particles particles;
    private Block[] blocks;
    private AnalyticScore score;
    private LangevinCorrector corrector;
    private PhiloxNoise noise;
    private double[] scores;
    private double[] normals;
    private long step;

    @Setup(Level.Trial)
    public void setUp() {
        score = BenchmarkTargets.score(d, k, "full".equals(covariance));
        corrector = new LangevinCorrector(new LangevinCorrector.Params(BenchmarkTargets.STEP, 1), score);
        particles = BenchmarkTargets.gaussianParticles(N, d);
        int count = (N + blockSize - 1) / blockSize;
        blocks = new Block[count];
        for (int b = 0; b < count; b++) {
            blocks[b] = particles.block(b * blockSize, Math.min(N, (b + 1) * blockSize));
        }
        noise = new PhiloxNoise(BenchmarkTargets.SEED);
        scores = new double[blockSize * d];
        normals = new double[N * d];
        score.score(particles.data(), 0, N, BenchmarkTargets.TIME, new double[N * d]);
        for (int r = 0; r < N; r++) {
            noise.normals(r, 1, normals, r * d, d);
        }
    }

    /** The analytic score of every particle, a block at a time. */
    @Benchmark
    @OperationsPerInvocation(N)
    public double score() {
        double[] x = particles.data();
        for (Block b : blocks) {
            score.score(x, b.offset(), b.size(), BenchmarkTargets.TIME, scores);
        }
        return scores[0];
    }

    /** {@code d} standard normals per particle, a block's rows at once, as the corrector draws them. */
    @Benchmark
    @OperationsPerInvocation(N)
    public double noise() {
        noise.position(0, step++);
        int d = this.d;
        double[] out = scores;
        for (Block b : blocks) {
            noise.normalRows(b.particleIndex(0), b.size(), 0, out, 0, d);
        }
        return out[0];
    }

    /** {@code x += h s + sqrt(2h) xi} with {@code s} and {@code xi} already computed. */
    @Benchmark
    @OperationsPerInvocation(N)
    public double update() {
        double h = BenchmarkTargets.STEP;
        double noiseScale = Math.sqrt(2.0 * h);
        double[] x = particles.data();
        double[] xi = normals;
        double[] s = scores;
        int d = this.d;
        for (Block b : blocks) {
            int o = b.offset();
            int cells = b.size() * d;
            for (int c = 0; c < cells; c++) {
                x[o + c] += h * s[c] + noiseScale * xi[o + c];
            }
        }
        return x[0];
    }

    /** The whole corrector call on every block, one thread, without the runner. */
    @Benchmark
    @OperationsPerInvocation(N)
    public double corrector() {
        noise.position(0, step++);
        for (Block b : blocks) {
            corrector.correct(b, BenchmarkTargets.TIME, noise);
        }
        return particles.data()[0];
    }
}
