package org.scorepipe.core.correctors;

import jakarta.inject.Inject;
import java.util.List;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Counting;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.kernels.LangevinStep;

/**
 * The Metropolis-adjusted Langevin algorithm (Roberts &amp; Tweedie, "Exponential convergence of
 * Langevin distributions and their discrete approximations", Bernoulli 1996) at a fixed time
 * {@code t}, which leaves {@code p_t} exactly invariant. Inner step {@code j}, per particle:
 * <pre>
 *   y  =  x + h s(x) + sqrt(2h) xi,                 xi ~ N(0, I) from stream 2j
 *   log A  =  log p(y) - log p(x) + log q(x | y) - log q(y | x),
 *   log q(b | a)  =  -|b - a - h s(a)|^2 / (4h)     (so log q(y | x) = -|xi|^2 / 2)
 *   x  &lt;-  y   if  u &lt; min(1, A),                  u ~ U[0, 1) from stream 2j + 1
 * </pre>
 * It needs the score provider's log density ({@link ScoreProvider#hasLogDensity}). The proposal is
 * the shared Langevin step's ({@link LangevinStep#propose}), drawn with block noise a tile of rows
 * at a time.
 *
 * <p>Reports {@code acceptance-rate} (accepted / proposed over the run, left out before the first
 * proposal), {@code proposals} and {@code accepted}. The two counts are added to the block
 * ({@link Counting}), not kept here: the runtime sums them over blocks, threads and executors and
 * checkpoints the totals, so the report is the same on every runner and across a resume.
 */
@Component(kind = ComponentKind.CORRECTOR, name = "mala",
        doc = "Metropolis-adjusted Langevin (Roberts & Tweedie 1996); needs a score with a log density; reports its"
                + " acceptance rate.")
public final class MalaCorrector implements Corrector, Counting {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("step size h > 0 of the Langevin proposal") double step,
            @Doc("inner steps per call, >= 1") @Default("1") int steps) {
        public Params {
            if (!(step > 0) || Double.isInfinite(step)) {
                throw new IllegalArgumentException("step must be a finite number > 0, got " + step);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
        }
    }

    private final double step;
    private final int steps;
    private final ScoreProvider score;
    private static final List<String> COUNTS = List.of("proposals", "accepted");
    /** Owners of the workspaces that the score and log density write from index 0. */
    private final Object proposalScores = new Object();
    private final Object currentLogDensity = new Object();
    private final Object proposalLogDensity = new Object();

    @Inject
    public MalaCorrector(Params params, ScoreProvider score) {
        if (!score.hasLogDensity()) {
            throw new IllegalArgumentException("mala needs a score provider with a log density for its accept step, but "
                    + score.getClass().getSimpleName() + " has none; use a score that has one (e.g. analytic) or the"
                    + " unadjusted langevin corrector");
        }
        this.step = params.step();
        this.steps = params.steps();
        this.score = score;
    }

    /**
     * Each inner step {@code j} takes the block {@value LangevinStep#TILE} rows at a time: the tile's
     * {@code xi} in one block-noise call, its proposals ({@link LangevinStep#propose}), their score
     * and log density, then each row's accept step. {@code s(x)} and {@code log p(x)} of the whole
     * block are kept across inner steps and updated where a proposal is taken.
     */
    @Override
    public void correct(Block block, double t, Noise noise) {
        int d = block.dimension();
        int n = block.size();
        double[] x = block.data();
        int offset = block.offset();
        int tile = Math.min(LangevinStep.TILE, n);
        int tileCells = tile * d;
        // [0, n*d): s(x); then a tile's proposals y, their xi, one uniform, |xi|^2 per row.
        int cells = n * d;
        int y = cells;
        int xi = y + tileCells;
        int u = xi + tileCells;
        int xiNorms = u + 1;
        double[] work = block.workspace(this, xiNorms + tile);
        double[] scoreY = block.workspace(proposalScores, tileCells);
        double[] logX = block.workspace(currentLogDensity, n);
        double[] logY = block.workspace(proposalLogDensity, tile);
        double h = step;
        double inverseFourH = 1.0 / (4.0 * h);
        score.score(x, offset, n, t, work);
        score.logDensity(x, offset, n, t, logX);
        long acceptedHere = 0;
        for (int j = 0; j < steps; j++) {
            for (int first = 0; first < n; first += tile) {
                int rows = Math.min(tile, n - first);
                noise.normalRows(block.particleIndex(first), rows, 2 * j, work, xi, d);
                LangevinStep.propose(x, offset + first * d, work, first * d, work, xi, work, y, rows * d, h);
                for (int r = 0; r < rows; r++) {
                    double norm2 = 0.0;
                    for (int i = xi + r * d, end = i + d; i < end; i++) {
                        norm2 += work[i] * work[i];
                    }
                    work[xiNorms + r] = norm2;
                }
                score.score(work, y, rows, t, scoreY);
                score.logDensity(work, y, rows, t, logY);
                for (int r = 0; r < rows; r++) {
                    int row = first + r;
                    int o = offset + row * d;
                    int so = row * d;
                    int yo = y + r * d;
                    int sy = r * d;
                    double backward = 0.0;
                    for (int i = 0; i < d; i++) {
                        double back = x[o + i] - work[yo + i] - h * scoreY[sy + i];
                        backward += back * back;
                    }
                    // log q(y | x) = -|sqrt(2h) xi|^2 / (4h) = -|xi|^2 / 2.
                    double logAcceptance = logY[r] - logX[row] - backward * inverseFourH + 0.5 * work[xiNorms + r];
                    noise.uniforms(block.particleIndex(row), 2 * j + 1, work, u, 1);
                    // log(0) = -inf accepts, as u < A does for u = 0.
                    if (Math.log(work[u]) < logAcceptance) {
                        acceptedHere++;
                        for (int i = 0; i < d; i++) {
                            x[o + i] = work[yo + i];
                            work[so + i] = scoreY[sy + i];
                        }
                        logX[row] = logY[r];
                    }
                }
            }
        }
        long[] counts = block.counts(this, COUNTS.size());
        counts[0] += (long) n * steps;
        counts[1] += acceptedHere;
    }

    @Override
    public List<String> countNames() {
        return COUNTS;
    }

    @Override
    public Metrics report(long[] totals) {
        long proposed = totals[0];
        long taken = totals[1];
        Metrics.Builder metrics = Metrics.builder();
        if (proposed > 0) {
            metrics.put("acceptance-rate", (double) taken / proposed);
        }
        return metrics.put("proposals", (double) proposed).put("accepted", (double) taken).build();
    }
}
