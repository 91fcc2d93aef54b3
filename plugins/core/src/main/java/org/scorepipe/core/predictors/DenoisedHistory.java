package org.scorepipe.core.predictors;

import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.RowMemory;

/**
 * The previous step's denoised estimate of every particle, which the second-order multistep
 * solvers (DPM-Solver++(2M) and its SDE form) combine with the current one, and the step that
 * moves a block with it:
 * <pre>
 *   D   =  x0 + (h / (2 h_last)) (x0 - x0_last)     if this particle's last step ended at t,
 *   D   =  x0                                        otherwise, and on a step to sigma = 0 (first order),
 *   x'  =  keep x + onDenoised D + noiseScale xi,     xi ~ N(0, I) from stream 0,
 * </pre>
 * with {@code h = lambda_t' - lambda_t}, {@code h_last = lambda_t - lambda_t_last}.
 *
 * <p><b>Why state, and where it lives.</b> A true multistep solver spends one score evaluation
 * per step because it remembers the last one; a stateless step would have to recompute it at a
 * previous point it no longer has. So the estimate is kept per particle, with the two times of
 * the step that made it ({@code t_last} and the time that step ended at): {@value #EXTRA} doubles
 * more than the dimension per particle, {@code [x0_last (d), t_last, t_until]}. That row lives
 * with the particles, not here nor in the predictor: the predictor is a
 * {@link org.scorepipe.api.RowMemory} and reads and writes its block's rows of
 * {@link Block#rowState}, which the runner keeps next to the coordinates (in memory locally, in
 * each range's state on Spark executors) and a checkpoint stores under the predictor's key path.
 * So the component stays an immutable value, the solver runs on every runner, and a resume from
 * any checkpoint, on any runner and partitioning, continues bit for bit. A step uses a row's
 * stored estimate only if that row's last step ended exactly at the step's start (a fresh row is
 * NaN, so never): the first step of a stage, a new start after an init stage, and a predictor
 * shared by two stages all begin with a first-order step, as Algorithm 2 of Lu et al. does. Every
 * row's state depends only on its own particle, so the bytes do not depend on threads, blocking
 * or partitions, and the first {@code m} particles of an {@code n}-run equal an {@code m}-run.
 */
final class DenoisedHistory {
    /** Doubles per row besides the estimate: its time and the time its step ended at. */
    static final int EXTRA = 2;

    private DenoisedHistory() {
    }

    /** The row width for {@code d} dimensions. */
    static int width(int d) {
        return d + EXTRA;
    }

    /**
     * Moves the block from {@code t} to {@code tNext} as the class comment says, with the
     * denoised estimates of its rows at {@code t} in {@code work[0, n*d)} and
     * {@code work[n*d, n*d + d)} free for one row's noise, and {@code owner}'s rows of the block
     * as the history; draws no noise if {@code noiseScale} is 0.
     */
    static void step(RowMemory owner, Block block, NoisingPath path, double t, double tNext, double[] work, double keep,
            double onDenoised, double noiseScale, Noise noise) {
        double[] state = block.rowState(owner);
        int d = block.dimension();
        int width = width(d);
        int cells = block.size() * d;
        double[] x = block.data();
        int offset = block.offset();
        double lambda = ReverseStep.logSnr(path, t);
        double h = ReverseStep.logSnr(path, tNext) - lambda;
        double cachedFrom = Double.NaN;
        double q = 0.0;
        for (int r = 0; r < block.size(); r++) {
            int po = (block.from() + r) * width;
            int fromAt = po + d;
            int untilAt = po + d + 1;
            // A step to sigma' = 0 (h infinite) is first order, as in k-diffusion.
            boolean multistep = state[untilAt] == t && Double.isFinite(h);
            if (multistep && !(state[fromAt] == cachedFrom)) {
                // Rows of one run share their times, so lambda_last is computed once per block and step.
                cachedFrom = state[fromAt];
                q = h / (2.0 * (lambda - ReverseStep.logSnr(path, cachedFrom)));
            }
            if (noiseScale != 0.0) {
                noise.normals(block.particleIndex(r), 0, work, cells, d);
            }
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                double x0 = work[so + i];
                double denoised = multistep ? x0 + q * (x0 - state[po + i]) : x0;
                double xi = noiseScale != 0.0 ? noiseScale * work[cells + i] : 0.0;
                x[o + i] = keep * x[o + i] + onDenoised * denoised + xi;
                state[po + i] = x0;
            }
            state[fromAt] = t;
            state[untilAt] = tNext;
        }
    }
}
