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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.scorepipe.api.Particles;
import org.scorepipe.core.correctors.LangevinCorrector;
import org.scorepipe.core.stages.CorrectorStage;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.run.LocalRunner;
import org.scorepipe.runtime.run.RunControl;

/**
 * The {@code langevin} corrector with the {@code analytic} score, as a pipeline runs it: a
 * {@code corrector} stage of {@link #STEPS} steps at {@code t = 0.5} on the Ornstein-Uhlenbeck
 * path, run by the {@link LocalRunner} over blocks of {@code blockSize} particles on
 * {@code threads} threads, {@code n = 100 000}. The score reports operations per second, where one
 * operation is one particle-step ({@code x += h s(x, t) + sqrt(2h) xi} for one particle): the JMH
 * score is the throughput in particle-steps/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LangevinStepBenchmark {
    /** Corrector steps per invocation: one segment, as a real stage runs its steps. */
    static final int STEPS = 4;

    @Param({"2", "16", "64"})
    int d;

    @Param({"3", "8"})
    int k;

    @Param({"isotropic", "full"})
    String covariance;

    @Param({"1", "2"})
    int threads;

    @Param({"1024"})
    int blockSize;

    private Pipeline.PlannedStage planned;
    private Particles particles;
    private LocalRunner runner;
    private long from;

    @Setup(Level.Trial)
    public void setUp() {
        boolean full = switch (covariance) {
            case "isotropic" -> false;
            case "full" -> true;
            default -> throw new IllegalArgumentException("covariance is isotropic or full, got " + covariance);
        };
        LangevinCorrector corrector = new LangevinCorrector(new LangevinCorrector.Params(BenchmarkTargets.STEP, 1),
                BenchmarkTargets.score(d, k, full));
        CorrectorStage stage = new CorrectorStage(new CorrectorStage.Params(BenchmarkTargets.TIME, Integer.MAX_VALUE),
                corrector);
        planned = Pipeline.PlannedStage.of("langevin", 1, stage);
        particles = BenchmarkTargets.gaussianParticles(BenchmarkTargets.PARTICLES, d);
        runner = new LocalRunner(threads, blockSize);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runner.close();
    }

    /** One segment of {@link #STEPS} steps, every block on the runner's pool, then its finiteness check. */
    @Benchmark
    @OperationsPerInvocation(BenchmarkTargets.PARTICLES * STEPS)
    public long langevinStep() {
        // Steps k = from .. from + STEPS - 1 of the stage: each invocation draws fresh noise.
        long reached = runner.runSegment(BenchmarkTargets.SEED, planned, particles, from, from + STEPS, new RunControl()).reached();
        from = reached;
        return reached;
    }
}
