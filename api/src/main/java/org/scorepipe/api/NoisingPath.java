package org.scorepipe.api;

/**
 * A forward noising process with Gaussian marginals {@code X_t = alpha_t X_0 + sigma_t Z},
 * {@code Z ~ N(0, I)}, the solution of the linear SDE {@code dX = f(t) X dt + g(t) dB}.
 *
 * <p>Its reverse-time SDE is {@code dX = [f(t) X - g(t)^2 grad log p_t(X)] dt + g(t) dB~}, and
 * its probability-flow ODE {@code dx/dt = f(t) x - g(t)^2 grad log p_t(x) / 2}
 * (Song et al., Score-based generative modeling through SDEs, 2021).
 */
public interface NoisingPath {
    /** {@code alpha_t}, the scale of the data in {@code X_t}. */
    double meanScale(double t);

    /** {@code sigma_t}, the standard deviation of the added noise in {@code X_t}. */
    double noiseScale(double t);

    /** {@code f(t)}, the linear drift coefficient of the forward SDE. */
    double drift(double t);

    /** {@code g(t)^2}, the squared diffusion coefficient of the forward SDE. */
    double diffusionSquared(double t);

    /**
     * The degrees of freedom {@code nu} of the noise {@code Z}: a standard multivariate
     * Student-t for a finite value, the standard Gaussian for {@code +infinity} (the default).
     * Only Gaussian paths have the SDE form above and Gaussian transitions between two times.
     */
    default double noiseDegreesOfFreedom() {
        return Double.POSITIVE_INFINITY;
    }

    /**
     * Moves the block's rows from time {@code t0} to {@code t1 >= t0} with the exact transition
     * {@code X_t1 = a X_t0 + s xi}, {@code a = alpha_t1 / alpha_t0},
     * {@code s^2 = sigma_t1^2 - a^2 sigma_t0^2}, drawing {@code xi} from stream 0.
     */
    default void push(Block block, double t0, double t1, Noise noise) {
        if (t1 < t0) {
            throw new IllegalArgumentException("the forward transition runs forward in time, got t0 = "
                    + t0 + " > t1 = " + t1);
        }
        double a = meanScale(t1) / meanScale(t0);
        double s0 = noiseScale(t0);
        double s1 = noiseScale(t1);
        double s = Math.sqrt(Math.max(0.0, s1 * s1 - a * a * s0 * s0));
        int d = block.dimension();
        double[] x = block.data();
        double[] xi = block.workspace(NoisingPath.class, d);
        for (int r = 0; r < block.size(); r++) {
            noise.normals(block.particleIndex(r), 0, xi, 0, d);
            int o = block.offset() + r * d;
            for (int j = 0; j < d; j++) {
                x[o + j] = a * x[o + j] + s * xi[j];
            }
        }
    }
}
