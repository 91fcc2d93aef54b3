package org.scorepipe.testkit;

import org.scorepipe.api.Block;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Noise;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.TimeGrid;

/**
 * The kit's test problem: data {@code X_0 ~ N(mu, v I)} noised by the Ornstein-Uhlenbeck (VP)
 * path {@code dX = -X dt + sqrt(2) dB}, so {@code alpha_t = e^-t}, {@code sigma_t^2 = 1 - e^-2t},
 * {@code f = -1}, {@code g^2 = 2}. Every marginal is Gaussian in closed form:
 * <pre>
 *   p_t = N(m_t, s_t^2 I),   m_t = alpha_t mu,   s_t^2 = alpha_t^2 v + sigma_t^2,
 *   grad log p_t(x) = -(x - m_t) / s_t^2,
 * </pre>
 * and the probability-flow ODE maps {@code x_t} to {@code m_u + (s_u / s_t)(x_t - m_t)} exactly.
 * The grid is {@code 1.0, 0.9, .., 0.5} (decreasing), for components that need one: it ends at
 * {@link #CORRECTOR_TIME}, where the corrector contract runs (an annealed corrector ends there).
 */
public final class GaussianTarget {
    /** The fixed time of the corrector contract, the grid's last time. */
    public static final double CORRECTOR_TIME = 0.5;

    private final double[] mu;
    private final double v;

    /** {@code N(mu, v I)} with {@code v > 0}. */
    public GaussianTarget(double[] mu, double v) {
        if (!(v > 0)) {
            throw new IllegalArgumentException("variance must be > 0, got " + v);
        }
        this.mu = mu.clone();
        this.v = v;
    }

    /** The kit's default problem: d = 2, {@code mu = (1, -0.5)}, {@code v = 0.25}. */
    public static GaussianTarget standard() {
        return new GaussianTarget(new double[] {1.0, -0.5}, 0.25);
    }

    public int dimension() {
        return mu.length;
    }

    /** {@code m_t}, coordinate {@code i}. */
    public double mean(double t, int i) {
        return Math.exp(-t) * mu[i];
    }

    /** {@code s_t^2}. */
    public double variance(double t) {
        double a = Math.exp(-t);
        return a * a * v + (-Math.expm1(-2 * t));
    }

    public NoisingPath path() {
        return new NoisingPath() {
            @Override
            public double meanScale(double t) {
                return Math.exp(-t);
            }

            @Override
            public double noiseScale(double t) {
                return Math.sqrt(-Math.expm1(-2 * t));
            }

            @Override
            public double drift(double t) {
                return -1.0;
            }

            @Override
            public double diffusionSquared(double t) {
                return 2.0;
            }
        };
    }

    public ScoreProvider score() {
        return new ScoreProvider() {
            @Override
            public void score(double[] x, int offset, int rows, double t, double[] out) {
                int d = mu.length;
                double s2 = variance(t);
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < d; i++) {
                        out[r * d + i] = -(x[offset + r * d + i] - mean(t, i)) / s2;
                    }
                }
            }

            @Override
            public boolean hasLogDensity() {
                return true;
            }

            @Override
            public void logDensity(double[] x, int offset, int rows, double t, double[] out) {
                int d = mu.length;
                double s2 = variance(t);
                for (int r = 0; r < rows; r++) {
                    double q = 0;
                    for (int i = 0; i < d; i++) {
                        double e = x[offset + r * d + i] - mean(t, i);
                        q += e * e;
                    }
                    out[r] = -0.5 * q / s2;
                }
            }
        };
    }

    public TimeGrid grid() {
        return () -> new double[] {1.0, 0.9, 0.8, 0.7, 0.6, CORRECTOR_TIME};
    }

    /** Overwrites the block's rows with exact draws from {@code p_t}, from stream 0 of {@code noise}. */
    public void sample(Block block, double t, Noise noise) {
        int d = mu.length;
        double s = Math.sqrt(variance(t));
        double[] x = block.data();
        noise.normalRows(block.particleIndex(0), block.size(), 0, x, block.offset(), d);
        for (int r = 0; r < block.size(); r++) {
            int o = block.offset() + r * d;
            for (int i = 0; i < d; i++) {
                x[o + i] = mean(t, i) + s * x[o + i];
            }
        }
    }
}
