package org.scorepipe.onnx;

import org.scorepipe.api.NoisingPath;

/**
 * What a learned network predicts, and how its prediction {@code y} becomes the score of the
 * path's marginal, {@code s(x, t) = a_t y + b_t x}, for the path {@code X_t = alpha_t X_0 + sigma_t Z}:
 * <ul>
 *   <li>{@code score}: {@code y = grad log p_t(x)}, so {@code a = 1, b = 0};</li>
 *   <li>{@code epsilon}: the noise, {@code y = E[Z | X_t = x]} (Ho et al. 2020), and by Tweedie's formula
 *       {@code grad log p_t(x) = -E[Z | x] / sigma_t}: {@code a = -1/sigma_t, b = 0};</li>
 *   <li>{@code denoised}: {@code y = E[X_0 | X_t = x]}, and
 *       {@code grad log p_t(x) = (alpha_t E[X_0 | x] - x) / sigma_t^2}: {@code a = alpha_t/sigma_t^2, b = -1/sigma_t^2}.</li>
 * </ul>
 */
public enum ScoreOutput {
    SCORE, EPSILON, DENOISED;

    /** {@code a_t}, the factor of the network's output. */
    public double outputScale(NoisingPath path, double t) {
        return switch (this) {
            case SCORE -> 1.0;
            case EPSILON -> -1.0 / sigma(path, t);
            case DENOISED -> {
                double s = sigma(path, t);
                yield path.meanScale(t) / (s * s);
            }
        };
    }

    /** {@code b_t}, the factor of the point itself. */
    public double pointScale(NoisingPath path, double t) {
        return switch (this) {
            case SCORE, EPSILON -> 0.0;
            case DENOISED -> {
                double s = sigma(path, t);
                yield -1.0 / (s * s);
            }
        };
    }

    /** The name as configs write it ({@code epsilon}). */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private double sigma(NoisingPath path, double t) {
        double s = path.noiseScale(t);
        if (!(s > 0)) {
            throw new IllegalStateException("sigma_t = " + s + " at t = " + t + ": a network predicting " + configName()
                    + " gives no score where the path has no noise; stop the sampler at a time t > 0");
        }
        return s;
    }
}
