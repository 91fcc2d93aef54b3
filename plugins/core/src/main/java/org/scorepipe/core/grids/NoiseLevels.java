package org.scorepipe.core.grids;

import org.scorepipe.api.NoisingPath;

/**
 * Turns noise levels {@code sigma} into times of a path: the time {@code t} with
 * {@code noiseScale(t) = sigma}, found by bisection on the path's increasing noise scale. This is
 * how a grid written in noise levels (NCSN's geometric {@code sigma_1 > ... > sigma_L}, Karras'
 * {@code rho}-spaced levels) drives samplers and scores that take times: for the
 * variance-exploding path it inverts {@code sigma(t) = sigmaMin (sigmaMax / sigmaMin)^t}, for VP
 * and Ornstein-Uhlenbeck paths it finds where their noise scale reaches {@code sigma}.
 */
public final class NoiseLevels {
    /** The bracket is doubled at most this many times beyond {@code t = 1}. */
    private static final int MAX_DOUBLINGS = 30;

    private NoiseLevels() {
    }

    /** The times of {@code sigmas} on {@code path}, in the same order. */
    public static double[] times(NoisingPath path, double[] sigmas) {
        double[] times = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            times[i] = timeOf(path, sigmas[i]);
        }
        return times;
    }

    /**
     * The time {@code t >= 0} at which {@code path.noiseScale(t) = sigma}, to the last bit the
     * bisection resolves (the nearer of the two final bracket ends).
     *
     * @throws IllegalArgumentException if the path's noise scale does not reach {@code sigma}
     */
    public static double timeOf(NoisingPath path, double sigma) {
        double start = path.noiseScale(0.0);
        if (sigma < start) {
            throw new IllegalArgumentException("noise level " + sigma + " is below the path's noise scale at t = 0, sigma(0) = "
                    + start + "; give noise levels >= " + start);
        }
        double lo = 0.0;
        double hi = 1.0;
        double previous = start;
        int doublings = 0;
        while (true) {
            double s = path.noiseScale(hi);
            if (!Double.isFinite(s) || !Double.isFinite(path.meanScale(hi)) || !(s > previous)) {
                throw new IllegalArgumentException("noise level " + sigma + " is above every noise scale the path reaches"
                        + " (sigma(" + lo + ") = " + previous + ", and it stops increasing by t = " + hi
                        + "); give smaller noise levels");
            }
            if (s >= sigma) {
                break;
            }
            if (++doublings > MAX_DOUBLINGS) {
                throw new IllegalArgumentException("noise level " + sigma + " is not reached by t = " + hi
                        + " (sigma = " + s + "); give smaller noise levels");
            }
            lo = hi;
            previous = s;
            hi *= 2.0;
        }
        while (true) {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi) {
                break;
            }
            if (path.noiseScale(mid) < sigma) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return path.noiseScale(hi) - sigma <= sigma - path.noiseScale(lo) ? hi : lo;
    }
}
