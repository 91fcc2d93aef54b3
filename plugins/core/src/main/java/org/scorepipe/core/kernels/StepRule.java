package org.scorepipe.core.kernels;

/**
 * How the Langevin step size {@code h_l} of level {@code l} of an annealed Langevin stage follows
 * from the base step {@code step}, with {@code sigma_l = sigma_{t_l}} the path's noise scale at
 * the level's time and {@code L} the last level.
 */
public enum StepRule {
    /** {@code h_l = step}, as in diffusion-annealed Langevin Monte Carlo (arXiv 2502.09306). */
    CONSTANT,
    /**
     * {@code h_l = step * sigma_l^2 / sigma_L^2}, the NCSN rule of Song &amp; Ermon, "Generative
     * modeling by estimating gradients of the data distribution" (2019). NCSN writes the update
     * {@code x += alpha_i/2 s + sqrt(alpha_i) z} with {@code alpha_i = eps sigma_i^2 / sigma_L^2}, so
     * its {@code eps} is {@code 2 * step}.
     */
    NOISE_SQUARED
}
