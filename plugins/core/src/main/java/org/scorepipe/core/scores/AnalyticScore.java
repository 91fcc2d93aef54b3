package org.scorepipe.core.scores;

import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.core.sources.StudentTSource;

/**
 * The exact score of a Gaussian-mixture target pushed through a noising path: with
 * {@code alpha = alpha_t}, {@code sigma = sigma_t},
 * {@code p_t = sum_k w_k N(alpha mu_k, alpha^2 Sigma_k + sigma^2 I)} and
 * {@code grad log p_t(x) = -sum_k r_k(x) P_k (x - alpha mu_k)} (see {@link NoisedMixture}).
 *
 * <p>The noised mixture of the last time asked for is kept, so the blocks of one step and the
 * inner steps of a corrector at a fixed time share one set of precisions.
 *
 * <p>It is also the exact {@link ConditionalScore} of a noised patch given the clean coordinates
 * before it (see {@link ConditionalMixture}), which the chained Langevin stage samples from: a
 * point's state is its prefix's reweighting of the components, computed once per patch; the whole
 * vector ({@code from = 0, to = d}) is the score itself.
 *
 * <p>Heavy tails: a Student-t data source ({@code student-t}), a path with Student-t noise (the
 * interpolation path's {@code base: student-t}), or both, are Gaussian scale mixtures, and then the
 * score and log density are those of {@link HeavyTailedMixture}: quadratures over the chi-square
 * mixing variables (one when either side is Gaussian, a product grid of two when both are
 * Student-t), computed once per time. These have no conditional score.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "analytic",
        doc = "Exact score and log density of a Gaussian-mixture or Student-t data source (gaussian, gaussian-mixture,"
                + " student-t) pushed through the noising path (Gaussian or Student-t noise).")
public final class AnalyticScore implements ScoreProvider, ConditionalScore {

    /** No parameters: the data source and the path say everything. */
    public record Params() {
    }

    /** The last time and its noised mixture, published together. */
    private record Cached(double t, NoisedMixture mixture) {
    }

    /** The last patch and time of a conditional score, and its conditional mixture, published together. */
    private record CachedConditional(double t, ConditionalMixture mixture) {
    }

    /** Heavy-tailed laws kept at most: a whole anneal or reverse grid of times, each a few KB. */
    private static final int HEAVY_TIMES = 4096;

    private final GaussianMixture mixture;
    private final NoisingPath path;
    /** The target's chi-square degrees of freedom ({@code +infinity}: a Gaussian mixture). */
    private final double targetDf;
    /** Whether the target or the noise is Student-t. */
    private final boolean heavy;
    private volatile Cached cached;
    /**
     * The heavy-tailed laws by time. Not only the last time: a block runs its whole segment of
     * steps before the next block starts, so the blocks of one step ask for a time in turn, and a
     * law's grid (an inner quadrature per node) is worth building once per time, not per block.
     */
    private final ConcurrentHashMap<Double, HeavyTailedMixture> heavyByTime = new ConcurrentHashMap<>();
    private volatile CachedConditional cachedConditional;
    private volatile ConditionalMixture.Prefix cachedPrefix;

    @Inject
    public AnalyticScore(Params params, DataSource data, NoisingPath path) {
        if (data instanceof StudentTSource studentT) {
            this.mixture = studentT.scaleMixture();
            this.targetDf = studentT.degreesOfFreedom();
        } else {
            this.mixture = data.gaussianMixture().orElseThrow(() -> new IllegalArgumentException(
                    "the analytic score needs a data source with a closed form (gaussian, gaussian-mixture, student-t); "
                            + data.getClass().getSimpleName() + " has none; use a learned or empirical score instead"));
            this.targetDf = Double.POSITIVE_INFINITY;
        }
        this.heavy = Double.isFinite(targetDf) || Double.isFinite(path.noiseDegreesOfFreedom());
        this.path = path;
    }

    /** The target pushed to time {@code t}, from the cache when {@code t} is the last time asked for. */
    public NoisedMixture at(double t) {
        if (heavy) {
            throw new IllegalStateException("a Student-t target or path has no Gaussian-mixture marginal; use heavyAt(t)");
        }
        Cached c = cached;
        if (c == null || Double.doubleToLongBits(c.t()) != Double.doubleToLongBits(t)) {
            c = new Cached(t, NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t)));
            cached = c;
        }
        return c.mixture();
    }

    /** The heavy-tailed law at {@code t} (a Student-t target or path), built once per time (a pure function of it). */
    public HeavyTailedMixture heavyAt(double t) {
        if (!heavy) {
            throw new IllegalStateException("a Gaussian mixture on a Gaussian path: use at(t)");
        }
        HeavyTailedMixture law = heavyByTime.get(t);
        if (law == null) {
            if (heavyByTime.size() >= HEAVY_TIMES) {
                heavyByTime.clear();
            }
            law = heavyByTime.computeIfAbsent(t, time -> HeavyTailedMixture.of(mixture, targetDf,
                    path.noiseDegreesOfFreedom(), path.meanScale(time), path.noiseScale(time)));
        }
        return law;
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        if (heavy) {
            heavyAt(t).score(x, offset, rows, out);
        } else {
            at(t).score(x, offset, rows, out);
        }
    }

    @Override
    public boolean hasLogDensity() {
        return true;
    }

    /** The exact, normalised log density of the path's marginal at {@code t}. */
    @Override
    public void logDensity(double[] x, int offset, int rows, double t, double[] out) {
        if (heavy) {
            heavyAt(t).logDensity(x, offset, rows, out);
            return;
        }
        at(t).logDensity(x, offset, rows, out);
    }

    /** Refuses a heavy-tailed target or path, whose conditionals have no closed form here. */
    @Override
    public void checkPatches(int d, int q) {
        if (heavy && q != d) {
            throw new IllegalArgumentException("the analytic score has no conditional score for a Student-t target or path;"
                    + " use patch = d (" + d + ") or a Gaussian target and path");
        }
    }

    @Override
    public int stateWidth(int from, int to) {
        return from == 0 && to == mixture.dimension() ? 0 : prefixOf(from, to).width();
    }

    @Override
    public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
        if (!(from == 0 && to == mixture.dimension())) {
            prefixOf(from, to).state(x, offset, rows, mixture.dimension(), state, stateOffset);
        }
    }

    /**
     * {@code grad_y log p_t(y | x_A)} for the patch {@code [from, to)} noised by the path,
     * {@code y = alpha_t x_B + sigma_t z}, given the clean prefix {@code x_A = x[0, from)}; for the
     * whole vector exactly {@link #score}.
     */
    @Override
    public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int stateOffset,
            double[] out) {
        int d = mixture.dimension();
        if (from == 0 && to == d) {
            score(x, offset, rows, t, out);
            return;
        }
        checkPatches(d, to - from);
        CachedConditional c = cachedConditional;
        if (c == null || !c.mixture().prefix().covers(from, to)
                || Double.doubleToLongBits(c.t()) != Double.doubleToLongBits(t)) {
            c = new CachedConditional(t, new ConditionalMixture(prefixOf(from, to), path.meanScale(t), path.noiseScale(t)));
            cachedConditional = c;
        }
        c.mixture().score(x, offset, rows, d, state, stateOffset, out);
    }

    /** The time-free part of the patch's conditional, kept for the patch asked for last. */
    private ConditionalMixture.Prefix prefixOf(int from, int to) {
        checkPatches(mixture.dimension(), to - from);
        ConditionalMixture.Prefix p = cachedPrefix;
        if (p == null || !p.covers(from, to)) {
            p = new ConditionalMixture.Prefix(mixture, from, to);
            cachedPrefix = p;
        }
        return p;
    }
}
