package org.scorepipe.runtime.run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import org.scorepipe.api.Block;
import org.scorepipe.api.Particles;
import org.scorepipe.api.Stage;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Runs blocks of particles on a {@link ForkJoinPool}. Each block runs a whole segment of steps
 * (here: the whole stage) while it is in cache; whole-ensemble stages run on the calling
 * thread with one block of every row.
 *
 * <p>After every segment the runner checks that all coordinates are finite, so a diverging
 * step size stops the run with the stage and step range named instead of writing NaN samples.
 */
public final class LocalRunner implements Runner {
    private final int threads;
    private final int blockSize;

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
    }

    public int threads() {
        return threads;
    }

    @Override
    public void run(Pipeline pipeline, Particles particles, RunListener listener) {
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            for (PlannedStage planned : pipeline.stages()) {
                Stage stage = planned.stage();
                long steps = stage.steps();
                double start = particles.time();
                listener.stageStarted(planned, steps);
                long began = System.nanoTime();
                runSegment(pool, pipeline.spec().seed(), planned, particles, 0, steps);
                particles.setTime(stage.time(steps, start));
                listener.stageFinished(planned, steps, particles.size(), Duration.ofNanos(System.nanoTime() - began));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Runs steps {@code [from, to)} of one stage on every block, then checks the result is finite. */
    void runSegment(ForkJoinPool pool, long seed, PlannedStage planned, Particles particles, long from, long to) {
        Stage stage = planned.stage();
        if (stage.wholeEnsemble()) {
            runBlock(seed, planned, particles.all(), from, to);
        } else {
            List<Callable<Void>> tasks = new ArrayList<>();
            for (int start = 0; start < particles.size(); start += blockSize) {
                Block block = particles.block(start, Math.min(particles.size(), start + blockSize));
                tasks.add(() -> {
                    runBlock(seed, planned, block, from, to);
                    return null;
                });
            }
            for (Future<Void> f : pool.invokeAll(tasks)) {
                await(f, planned);
            }
        }
        requireFinite(planned, particles, from, to);
    }

    private static void runBlock(long seed, PlannedStage planned, Block block, long from, long to) {
        PhiloxNoise noise = new PhiloxNoise(seed);
        Stage stage = planned.stage();
        for (long k = from; k < to; k++) {
            noise.position(planned.index(), k);
            stage.step(k, block, noise);
        }
    }

    private static void await(Future<Void> future, PlannedStage planned) {
        try {
            future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScorepipeException("stage '" + planned.name() + "' was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof ScorepipeException s) {
                throw s;
            }
            if (cause instanceof IllegalArgumentException || cause instanceof IllegalStateException) {
                throw new ScorepipeException("stage '" + planned.name() + "': " + cause.getMessage(), cause);
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
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
}
