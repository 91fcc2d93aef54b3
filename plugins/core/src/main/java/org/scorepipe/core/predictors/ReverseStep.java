package org.scorepipe.core.predictors;

import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;

/**
 * What the reverse-time predictors share: a step runs from {@code t} back to {@code tNext < t},
 * and the first-order stochastic ones (Euler-Maruyama, ancestral sampling, the exponential
 * integrator) all move each row as {@code x' = keep x + pull s(x, t) + noise xi}; only their
 * coefficients differ. The solvers written on the half log signal-to-noise ratio
 * {@code lambda_t = log(alpha_t / sigma_t)} (DPM-Solver++, DDIM, EDM) find the times they need
 * here too.
 */
final class ReverseStep {
    private ReverseStep() {
    }

    static void requireBackwards(double t, double tNext) {
        if (!(t - tNext > 0)) {
            throw new IllegalArgumentException("a reverse step runs backwards in time, got t = " + t
                    + ", tNext = " + tNext);
        }
    }

    /** Refuses a Student-t path with one message naming the solver: its update assumes Gaussian transitions. */
    static void requireGaussian(NoisingPath path, String solver) {
        if (Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalArgumentException(solver + " needs a Gaussian noising path; this path's noise is Student-t with "
                    + path.noiseDegreesOfFreedom() + " degrees of freedom; use base: gaussian");
        }
    }

    /** {@code lambda_t = log(alpha_t / sigma_t)}, decreasing in {@code t} on every Gaussian path. */
    static double logSnr(NoisingPath path, double t) {
        return Math.log(path.meanScale(t) / path.noiseScale(t));
    }

    /**
     * The time {@code u} in {@code [lo, hi]} with {@code lambda_u = target}, by bisection to the last
     * representable step ({@code lambda} is monotone, so this is exact to rounding); needs
     * {@code lambda_lo >= target >= lambda_hi}.
     */
    static double timeAtLogSnr(NoisingPath path, double target, double lo, double hi) {
        for (int i = 0; i < 200; i++) {
            double mid = 0.5 * (lo + hi);
            if (!(mid > lo && mid < hi)) {
                break;
            }
            if (logSnr(path, mid) > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /**
     * Turns the scores {@code s} in {@code work[0, cells)} of the points {@code x[offset, offset + cells)}
     * into the Tweedie denoised estimates {@code x0 = (x + sigma^2 s) / alpha}, in place.
     */
    static void denoise(double[] x, int offset, int cells, double[] work, double alpha, double sigma) {
        double s2 = sigma * sigma;
        double inverse = 1.0 / alpha;
        for (int i = 0; i < cells; i++) {
            work[i] = (x[offset + i] + s2 * work[i]) * inverse;
        }
    }

    /**
     * {@code x' = keep x + pull s + noiseScale xi} for every row of the block, with the scores
     * {@code s} of the block's rows in {@code work[0, n*d)} and {@code xi ~ N(0, I)} drawn from stream
     * 0 of the row's particle into {@code work[n*d, n*d + d)}.
     */
    static void affineWithNoise(Block block, double[] work, double keep, double pull, double noiseScale,
            Noise noise) {
        int d = block.dimension();
        int n = block.size();
        int cells = n * d;
        double[] x = block.data();
        int offset = block.offset();
        for (int r = 0; r < n; r++) {
            noise.normals(block.particleIndex(r), 0, work, cells, d);
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                x[o + i] = keep * x[o + i] + pull * work[so + i] + noiseScale * work[cells + i];
            }
        }
    }

    /**
     * {@code x' = keep x + pull s + scale [W(t) - W(s)]} for every row of the block, with the scores in
     * {@code work[0, n*d)} as in {@link #affineWithNoise} and {@code W} the row's particle's
     * {@link BrownianPath} on stream 0 of the stage's path normals, {@code s < t}.
     */
    static void affineWithBrownian(Block block, double[] work, double keep, double pull, double scale, Noise noise,
            double s, double t) {
        int d = block.dimension();
        int n = block.size();
        // [0, d): a row's increment; [d, 4d): the path's scratch.
        double[] increment = block.workspace(BROWNIAN, (1 + BrownianPath.INCREMENT_SCRATCH) * d);
        double[] x = block.data();
        int offset = block.offset();
        for (int r = 0; r < n; r++) {
            BrownianPath.increment(noise, block.particleIndex(r), 0, s, t, d, increment, 0, increment, d);
            int o = offset + r * d;
            int so = r * d;
            for (int i = 0; i < d; i++) {
                x[o + i] = keep * x[o + i] + pull * work[so + i] + scale * increment[i];
            }
        }
    }

    /** Owner of the workspace that holds a row's Brownian increment and its scratch. */
    private static final Object BROWNIAN = new Object();
}
