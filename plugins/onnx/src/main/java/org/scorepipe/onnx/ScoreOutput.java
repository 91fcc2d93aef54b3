package org.scorepipe.onnx;

import org.scorepipe.api.NoisingPath;

/**
 * What a learned network predicts, and how its prediction {@code y} becomes the score of the
 * path's marginal, {@code s(x, t) = a y + b x}, for the path {@code X_t = alpha_t X_0 + sigma_t Z}.
 *
 * <p>The network may see the point rescaled, {@code z = c x} (diffusers' models see the
 * variance-preserving {@code x / sqrt(alpha_t^2 + sigma_t^2)}, k-diffusion's the variance-exploding
 * {@code x / alpha_t}; see {@link TimeInput}); then {@code z = alpha' X_0 + sigma' Z} with
 * {@code alpha' = c alpha_t}, {@code sigma' = c sigma_t}, the same {@code Z}, and:
 * <ul>
 *   <li>{@code score}: {@code y = grad_z log p(z)}, and {@code grad_x = c grad_z}: {@code a = c, b = 0};</li>
 *   <li>{@code epsilon}: the noise, {@code y = E[Z | X_t = x]} (Ho et al. 2020), and by Tweedie's formula
 *       {@code grad log p_t(x) = -E[Z | x] / sigma_t}: {@code a = -1/sigma_t, b = 0};</li>
 *   <li>{@code denoised}, and {@code sample} (diffusers' name for it): {@code y = E[X_0 | X_t = x]}, and
 *       {@code grad log p_t(x) = (alpha_t E[X_0 | x] - x) / sigma_t^2}: {@code a = alpha_t/sigma_t^2, b = -1/sigma_t^2};</li>
 *   <li>{@code v-prediction}: {@code y = E[v | x]}, {@code v = alpha' Z - sigma' X_0} (Salimans &amp; Ho 2022,
 *       "Progressive distillation", eq. 7-8; diffusers' {@code v_prediction}), so
 *       {@code E[Z | x] = (alpha' y + sigma' z) / (alpha'^2 + sigma'^2)} and
 *       {@code a = -alpha_t / (c (alpha_t^2 + sigma_t^2) sigma_t), b = -1 / (alpha_t^2 + sigma_t^2)}
 *       (for a VP variable, {@code alpha'^2 + sigma'^2 = 1}: {@code eps = alpha' v + sigma' z}).</li>
 * </ul>
 */
public enum ScoreOutput {
    SCORE, EPSILON, DENOISED, SAMPLE, V_PREDICTION;

    /** {@code a_t}, the factor of the network's output, for a network that sees {@code x} itself. */
    public double outputScale(NoisingPath path, double t) {
        return outputScale(path.meanScale(t), sigma(path.noiseScale(t), t), 1.0);
    }

    /** {@code b_t}, the factor of the point itself, for a network that sees {@code x} itself. */
    public double pointScale(NoisingPath path, double t) {
        return pointScale(path.meanScale(t), sigma(path.noiseScale(t), t), 1.0);
    }

    /** {@code a}, the factor of the output of a network that sees {@code z = c x}; {@code sigma > 0}. */
    public double outputScale(double alpha, double sigma, double c) {
        return switch (this) {
            case SCORE -> c;
            case EPSILON -> -1.0 / sigma;
            case DENOISED, SAMPLE -> alpha / (sigma * sigma);
            case V_PREDICTION -> -alpha / (c * (alpha * alpha + sigma * sigma) * sigma);
        };
    }

    /** {@code b}, the factor of the point {@code x}, for a network that sees {@code z = c x}; {@code sigma > 0}. */
    public double pointScale(double alpha, double sigma, double c) {
        return switch (this) {
            case SCORE, EPSILON -> 0.0;
            case DENOISED, SAMPLE -> -1.0 / (sigma * sigma);
            case V_PREDICTION -> -1.0 / (alpha * alpha + sigma * sigma);
        };
    }

    /** The name as configs write it ({@code v-prediction}). */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** {@code sigma_t}, refused where it is not positive: no prediction but the score itself gives a score there. */
    double sigma(double s, double t) {
        if (this != SCORE && !(s > 0)) {
            throw new IllegalStateException("sigma_t = " + s + " at t = " + t + ": a network predicting " + configName()
                    + " gives no score where the path has no noise; stop the sampler at a time t > 0");
        }
        return s;
    }
}
