package org.scorepipe.onnx;

import java.util.Arrays;

/**
 * A DDPM noise schedule with {@code T} timesteps (Ho et al. 2020; diffusers' {@code DDPMScheduler}):
 * timestep {@code k = 0 .. T-1} noises the data as {@code x_k = sqrt(abar_k) x_0 + sqrt(1 - abar_k) eps},
 * {@code abar_k = prod_{i <= k} (1 - beta_i)}, with the betas of {@link BetaSchedule}.
 *
 * <p>It is kept as the cumulative log rates {@code B_k = -sum_{i <= k} log(1 - beta_i)}
 * ({@code abar_k = exp(-B_k)}), increasing in {@code k}, so that a noise level is looked up by a
 * binary search on {@code B}, and {@code 1 - abar_k = -expm1(-B_k)} keeps its digits near {@code k = 0}.
 */
public record DiscreteSchedule(BetaSchedule kind, double betaStart, double betaEnd, int timesteps) {

    public DiscreteSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("beta-schedule must be set: one of linear | scaled-linear | squaredcos-cap-v2");
        }
        if (timesteps < 1) {
            throw new IllegalArgumentException("num-train-timesteps must be >= 1, got " + timesteps);
        }
        if (kind != BetaSchedule.SQUAREDCOS_CAP_V2
                && !(betaStart > 0 && betaStart < 1 && betaEnd > 0 && betaEnd < 1)) {
            throw new IllegalArgumentException("beta-start and beta-end must lie in (0, 1), got " + betaStart + " and " + betaEnd);
        }
    }

    /** {@code B_0 .. B_{T-1}}, {@code B_k = -sum_{i <= k} log1p(-beta_i)}. */
    public double[] cumulativeRates() {
        double[] beta = kind.betas(betaStart, betaEnd, timesteps);
        double[] rates = new double[timesteps];
        double sum = 0.0;
        for (int k = 0; k < timesteps; k++) {
            sum -= Math.log1p(-beta[k]);
            rates[k] = sum;
        }
        return rates;
    }

    /** {@code abar_0 .. abar_{T-1}}, diffusers' {@code alphas_cumprod}. */
    public double[] alphasCumprod() {
        return Arrays.stream(cumulativeRates()).map(b -> Math.exp(-b)).toArray();
    }

    /** How it reads in a message: {@code linear 1.0E-4..0.02, 1000 timesteps}. */
    public String describe() {
        return kind.configName() + (kind == BetaSchedule.SQUAREDCOS_CAP_V2 ? "" : " " + betaStart + ".." + betaEnd)
                + ", " + timesteps + " timesteps";
    }
}
