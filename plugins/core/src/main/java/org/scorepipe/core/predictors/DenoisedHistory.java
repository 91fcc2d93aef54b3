package org.scorepipe.core.predictors;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;

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
 * previous point it no longer has. So the estimate is kept per particle, by row of the ensemble,
 * with the two times of the step that made it ({@code t_last} and the time that step ended at).
 * A step uses a row's stored estimate only if that row's last step ended exactly at the step's
 * start: the first step of a stage, a new start after an init stage, and a predictor shared by
 * two stages all begin with a first-order step, as Algorithm 2 of Lu et al. does. The rows are
 * disjoint between blocks and every row's state depends only on its own particle, so the bytes
 * do not depend on threads or blocking, and the first {@code m} particles of an {@code n}-run
 * equal an {@code m}-run. The owning predictor is {@link org.scorepipe.api.Checkpointable}: the
 * state (the estimates and times, {@code n (d + 2)} doubles) is saved between steps and restored
 * on resume, so a resumed run continues bit for bit. The Spark runner refuses components with
 * state of their own (it cannot yet gather it from executors): run these solvers locally.
 */
final class DenoisedHistory {
    private static final int FORMAT = 1;

    /** Estimates and their times for {@code n} rows in {@code d} dimensions; NaN times mean none yet. */
    private record Rows(int n, int d, double[] denoised, double[] from, double[] until) implements RowState.Shape {
        static Rows empty(int n, int d) {
            double[] from = new double[n];
            double[] until = new double[n];
            Arrays.fill(from, Double.NaN);
            Arrays.fill(until, Double.NaN);
            return new Rows(n, d, new double[n * d], from, until);
        }
    }

    private final RowState<Rows> rows = new RowState<>(Rows::empty);

    /**
     * Moves the block from {@code t} to {@code tNext} as the class comment says, with the
     * denoised estimates of its rows at {@code t} in {@code work[0, n*d)} and
     * {@code work[n*d, n*d + d)} free for one row's noise; draws no noise if {@code noiseScale} is 0.
     */
    void step(Block block, NoisingPath path, double t, double tNext, double[] work, double keep, double onDenoised,
            double noiseScale, Noise noise) {
        Rows state = rows.of(block);
        int d = block.dimension();
        int cells = block.size() * d;
        double[] x = block.data();
        int offset = block.offset();
        double lambda = ReverseStep.logSnr(path, t);
        double h = ReverseStep.logSnr(path, tNext) - lambda;
        double cachedFrom = Double.NaN;
        double q = 0.0;
        for (int r = 0; r < block.size(); r++) {
            int row = block.from() + r;
            // A step to sigma' = 0 (h infinite) is first order, as in k-diffusion.
            boolean multistep = state.until()[row] == t && Double.isFinite(h);
            if (multistep && !(state.from()[row] == cachedFrom)) {
                // Rows of one run share their times, so lambda_last is computed once per block and step.
                cachedFrom = state.from()[row];
                q = h / (2.0 * (lambda - ReverseStep.logSnr(path, cachedFrom)));
            }
            if (noiseScale != 0.0) {
                noise.normals(block.particleIndex(r), 0, work, cells, d);
            }
            int o = offset + r * d;
            int so = r * d;
            int po = row * d;
            double[] last = state.denoised();
            for (int i = 0; i < d; i++) {
                double x0 = work[so + i];
                double denoised = multistep ? x0 + q * (x0 - last[po + i]) : x0;
                double xi = noiseScale != 0.0 ? noiseScale * work[cells + i] : 0.0;
                x[o + i] = keep * x[o + i] + onDenoised * denoised + xi;
                last[po + i] = x0;
            }
            state.from()[row] = t;
            state.until()[row] = tNext;
        }
    }

    /** {@code FORMAT, n, d}, then the estimates and the two times of every row. */
    byte[] save() {
        Rows r = rows.get();
        if (r == null) {
            return ByteBuffer.allocate(12).putInt(FORMAT).putInt(0).putInt(0).array();
        }
        long bytes = 12L + 8L * ((long) r.n() * r.d() + 2L * r.n());
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("the multistep solver's state of " + r.n() + " particles in " + r.d()
                    + " dimensions does not fit one checkpoint entry; use fewer particles per run or a single-step solver");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes).putInt(FORMAT).putInt(r.n()).putInt(r.d());
        b.asDoubleBuffer().put(r.denoised()).put(r.from()).put(r.until());
        return b.array();
    }

    void restore(byte[] state) {
        ByteBuffer b = ByteBuffer.wrap(state);
        if (state.length < 12 || b.getInt() != FORMAT) {
            throw new IllegalArgumentException("not a multistep solver state of format " + FORMAT);
        }
        int n = b.getInt();
        int d = b.getInt();
        if (n == 0 && d == 0 && state.length == 12) {
            rows.set(null);
            return;
        }
        if (n < 0 || d <= 0 || state.length != 12L + 8L * ((long) n * d + 2L * n)) {
            throw new IllegalArgumentException("a multistep solver state of " + state.length + " bytes cannot hold "
                    + n + " particles in " + d + " dimensions");
        }
        Rows r = Rows.empty(n, d);
        b.asDoubleBuffer().get(r.denoised()).get(r.from()).get(r.until());
        rows.set(r);
    }
}
