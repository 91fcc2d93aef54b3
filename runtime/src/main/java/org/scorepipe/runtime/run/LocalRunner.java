package org.scorepipe.runtime.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import org.scorepipe.api.Block;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.api.Stage;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Runs blocks of particles on a {@link ForkJoinPool}. Each block runs a whole segment of steps
 * while it is in cache; whole-ensemble stages run on the calling thread with one block of every
 * row.
 *
 * <p>The rows of the stage's {@link org.scorepipe.api.RowMemory} components live in the
 * particles ({@link Particles#rowState}), named by key path before the segment runs.
 *
 * <p>After every segment the runner checks that all coordinates are finite, so a diverging
 * step size stops the run with the stage and step range named instead of writing NaN samples.
 */
public final class LocalRunner implements Runner {
    private final int threads;
    private final int blockSize;
    private final ForkJoinPool pool;
    private Particles particles;

    /**
     * @param threads worker threads (0: one per available core)
     * @param blockSize particles per block
     */
    public LocalRunner(int threads, int blockSize) {
        if (threads < 0 || blockSize < 1) {
            throw new IllegalArgumentException("need threads >= 0 and blockSize >= 1, got " + threads + ", " + blockSize);
        }
        this.threads = threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
        this.blockSize = blockSize;
        this.pool = this.threads == 1 ? null : new ForkJoinPool(this.threads);
    }

    public int threads() {
        return threads;
    }

    @Override
    public String description() {
        return "local, " + threads + (threads == 1 ? " thread" : " threads") + ", blocks of " + blockSize;
    }

    /** Half a second: Ctrl-C stops a local run within about that, whatever its segment. */
    @Override
    public long segmentNanos() {
        return 500_000_000L;
    }

    @Override
    public void load(Particles particles) {
        this.particles = particles;
    }

    @Override
    public Particles gather() {
        if (particles == null) {
            throw new IllegalStateException("no particles loaded");
        }
        return particles;
    }

    @Override
    public SegmentResult runSegment(long seed, PlannedStage planned, double time, long from, long to, RunControl control) {
        Particles particles = gather();
        particles.setTime(time);
        return runSegment(seed, planned, particles, from, to, control);
    }

    /** Runs a segment on {@code particles} directly: the local runner's work, reused by distributed runners on each range. */
    public SegmentResult runSegment(long seed, PlannedStage planned, Particles particles, long from, long to, RunControl control) {
        control.beginSegment(from, to);
        Stage stage = planned.stage();
        RowStates.name(planned, particles);
        List<Block> blocks = new ArrayList<>();
        if (stage.wholeEnsemble()) {
            blocks.add(particles.all());
        } else {
            for (int start = 0; start < particles.size(); start += blockSize) {
                blocks.add(particles.block(start, Math.min(particles.size(), start + blockSize)));
            }
        }
        if (threads == 1 || blocks.size() == 1) {
            // One thread: the blocks run in turn on the calling thread (a Spark task's), which
            // keeps that thread's context (TaskContext, class loader) visible to the components.
            for (Block block : blocks) {
                runBlock(seed, planned, block, from, to, control);
            }
        } else {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (Block block : blocks) {
                tasks.add(() -> {
                    runBlock(seed, planned, block, from, to, control);
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                await(f, planned);
            }
        }
        long reached = control.reached(to);
        requireFinite(planned, particles, from, reached);
        Optional<Metrics> report = Optional.empty();
        for (Block block : blocks) {
            if (block.reported().isPresent()) {
                if (!stage.wholeEnsemble()) {
                    throw new ScorepipeException("stage '" + planned.name() + "' (" + planned.type() + ") reported metrics from a"
                            + " block of rows, which only a whole-ensemble stage may do; what blocks tally belongs in Block.counts"
                            + " of a Counting component (a bug of the stage's plugin)");
                }
                report = block.reported();
            }
        }
        return new SegmentResult(reached, Counts.of(planned, blocks), report);
    }

    private static void runBlock(long seed, PlannedStage planned, Block block, long from, long to, RunControl control) {
        PhiloxNoise noise = new PhiloxNoise(seed);
        Stage stage = planned.stage();
        long k = from;
        try {
            for (; k < to && control.mayRun(k); k++) {
                noise.position(planned.noiseKey(), k);
                stage.step(k, block, noise);
                control.stepDone(block.size());
            }
        } catch (RuntimeException | Error e) {
            // Turned into its message here, in the thread that ran the block: the same words for any thread count.
            throw ComponentFailure.of(planned, "step " + k, e);
        }
    }

    private static void await(Future<Void> future, PlannedStage planned) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScorepipeException("stage '" + planned.name() + "' was interrupted");
        } catch (ExecutionException e) {
            throw ComponentFailure.of(planned, "running a block", e.getCause());
        }
    }

    private static void requireFinite(PlannedStage planned, Particles particles, long from, long to) {
        double[] x = particles.data();
        int d = particles.dimension();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                throw new ScorepipeException("stage '" + planned.name() + "' diverged: particle "
                        + (particles.firstIndex() + i / d) + " became " + x[i] + " during steps " + from + ".." + (to - 1)
                        + ". The step size is probably too large for this target: reduce it (for example --set stages."
                        + planned.name() + ".corrector.step=...) or use more steps.");
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
