package org.scorepipe.onnx;

/**
 * The beta schedules of diffusers' {@code DDPMScheduler} ({@code beta_schedule}), written in kebab
 * case ({@code scaled_linear} is {@code scaled-linear} here). For {@code T = num_train_timesteps}
 * and {@code i = 0 .. T-1}:
 * <ul>
 *   <li>{@code linear}: {@code beta_i = linspace(beta_start, beta_end, T)[i]
 *       = beta_start + (beta_end - beta_start) i / (T - 1)} (Ho et al. 2020, 1e-4 to 0.02);</li>
 *   <li>{@code scaled-linear}: {@code beta_i = linspace(sqrt(beta_start), sqrt(beta_end), T)[i]^2}
 *       (latent diffusion / Stable Diffusion, 0.00085 to 0.012);</li>
 *   <li>{@code squaredcos-cap-v2}: diffusers' {@code betas_for_alpha_bar(T)}, the cosine schedule of
 *       Nichol &amp; Dhariwal 2021: {@code f(u) = cos((u + 0.008) / 1.008 * pi / 2)^2},
 *       {@code beta_i = min(1 - f((i + 1) / T) / f(i / T), 0.999)}; beta-start and beta-end are unused.</li>
 * </ul>
 * diffusers then keeps {@code alphas_cumprod = cumprod(1 - beta)} in float32; here everything is in
 * double, which differs from diffusers' table by float32 rounding only (about 1e-6 relative).
 */
public enum BetaSchedule {
    LINEAR, SCALED_LINEAR, SQUAREDCOS_CAP_V2;

    /** diffusers' {@code max_beta} in {@code betas_for_alpha_bar}. */
    static final double MAX_BETA = 0.999;

    /** The name as configs write it ({@code scaled-linear}). */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** {@code beta_0 .. beta_{T-1}}. */
    public double[] betas(double betaStart, double betaEnd, int timesteps) {
        double[] beta = new double[timesteps];
        for (int i = 0; i < timesteps; i++) {
            double u = timesteps == 1 ? 0.0 : (double) i / (timesteps - 1);
            beta[i] = switch (this) {
                case LINEAR -> betaStart + (betaEnd - betaStart) * u;
                case SCALED_LINEAR -> {
                    double r = Math.sqrt(betaStart) + (Math.sqrt(betaEnd) - Math.sqrt(betaStart)) * u;
                    yield r * r;
                }
                case SQUAREDCOS_CAP_V2 -> Math.min(1.0 - cosineAlphaBar((i + 1.0) / timesteps)
                        / cosineAlphaBar((double) i / timesteps), MAX_BETA);
            };
        }
        return beta;
    }

    /** {@code f(u) = cos((u + 0.008) / 1.008 * pi / 2)^2}, the alpha-bar function of {@code squaredcos-cap-v2}. */
    static double cosineAlphaBar(double u) {
        double c = Math.cos((u + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
