package org.scorepipe.onnx;

/**
 * How a model takes its time, and so which variable it sees, at the path's time {@code t} with
 * {@code X_t = alpha_t X_0 + sigma_t Z}:
 * <ul>
 *   <li>{@code t}: the path's own time and point: {@code model(x, t)}, as scorepipe's trainer exports;</li>
 *   <li>{@code sigma}: k-diffusion's {@code model(x, sigma)} (Karras et al. 2022, "Elucidating the design
 *       space of diffusion-based generative models", EDM): the variance-exploding variable
 *       {@code z = x / alpha_t = X_0 + sigma Z} and its noise level {@code sigma = sigma_t / alpha_t};
 *       a VE path has {@code alpha_t = 1} and passes {@code x} and {@code sigma_t} unchanged;</li>
 *   <li>{@code timestep}: diffusers' {@code unet(x, timestep)}: an integer timestep {@code k} of a DDPM
 *       schedule ({@link DiscreteSchedule}) and the variance-preserving variable
 *       {@code z = x / sqrt(alpha_t^2 + sigma_t^2) = sqrt(abar) X_0 + sqrt(1 - abar) Z},
 *       {@code abar = alpha_t^2 / (alpha_t^2 + sigma_t^2)}; {@code k} is the timestep with
 *       {@code abar_k = abar} (see {@link TimestepRounding}).</li>
 * </ul>
 */
public enum TimeInput {
    T, SIGMA, TIMESTEP;

    /** The name as configs write it. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
