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
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Particles;
import org.scorepipe.api.TimeGrid;
import org.scorepipe.core.correctors.AnnealedLangevinCorrector;
import org.scorepipe.core.correctors.MalaCorrector;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.stages.CorrectorStage;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.run.LocalRunner;
import org.scorepipe.runtime.run.RunControl;

/**
 * The {@code annealed-langevin} and {@code mala} correctors with the {@code analytic} score, as a
 * pipeline runs them (a {@code corrector} stage on the {@link LocalRunner}, blocks of 1024), on the
 * target of {@link LangevinStepBenchmark}, {@code n = 100 000}. The annealed corrector visits
 * {@link #LEVELS} levels of the Ornstein-Uhlenbeck path, one Langevin step each, ending at
 * {@code t = 0.5}; MALA takes one proposal per call at {@code t = 0.5}. The JMH score is
 * particle-calls/s: one operation is one corrector call for one particle, which is {@link #LEVELS}
 * Langevin steps of the annealed corrector (multiply by 4 for particle-steps/s) and one proposal
 * with its accept step for MALA.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class CorrectorFamilyBenchmark {
    /** Stage steps per invocation: one segment. */
    static final int STEPS = 2;
    /** The annealed corrector's levels, one inner step each: the inner steps of one call. */
    static final int LEVELS = 4;

    @Param({"annealed-langevin", "mala"})
    String corrector;

    @Param({"64"})
    int d;

    @Param({"8"})
    int k;

    @Param({"1"})
    int threads;

    private Pipeline.PlannedStage planned;
    private Particles particles;
    private LocalRunner runner;
    private long from;

    @Setup(Level.Trial)
    public void setUp() {
        // Full covariances: the score is the block-times-precisions product the tiles feed.
        AnalyticScore score = BenchmarkTargets.score(d, k, true);
        Corrector chosen = switch (corrector) {
            case "annealed-langevin" -> {
                // Times 0.8, 0.7, 0.6, 0.5: the last is the stage's time.
                TimeGrid grid = () -> new double[] {0.8, 0.7, 0.6, BenchmarkTargets.TIME};
                yield new AnnealedLangevinCorrector(new AnnealedLangevinCorrector.Params(0.01, 1), grid,
                        new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params()), score);
            }
            case "mala" -> {
                yield new MalaCorrector(new MalaCorrector.Params(BenchmarkTargets.STEP, 1), score);
            }
            default -> throw new IllegalArgumentException("corrector is annealed-langevin or mala, got " + corrector);
        };
        CorrectorStage stage = new CorrectorStage(new CorrectorStage.Params(BenchmarkTargets.TIME, Integer.MAX_VALUE),
                chosen);
        planned = Pipeline.PlannedStage.of("corrector", 1, stage);
        particles = BenchmarkTargets.gaussianParticles(BenchmarkTargets.PARTICLES, d);
        runner = new LocalRunner(threads, 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        runner.close();
    }

    /** One segment of {@link #STEPS} stage steps (corrector calls) over every block. */
    @Benchmark
    @OperationsPerInvocation(BenchmarkTargets.PARTICLES * STEPS)
    public long correctorSteps() {
        long reached = runner.runSegment(BenchmarkTargets.SEED, planned, particles, from, from + STEPS, new RunControl()).reached();
        from = reached;
        return reached;
    }
}
