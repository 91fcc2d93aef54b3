package org.scorepipe.onnx;

/**
 * Whether the model is the bare network inside Karras et al.'s preconditioned denoiser
 * (2022, EDM, Table 1; k-diffusion's {@code layers.Denoiser}): with the VE noise level {@code sigma},
 * the VE point {@code z} and the data's standard deviation {@code sigma_data},
 * <pre>
 *   D(z, sigma) = c_skip z + c_out F(c_in z, sigma)
 *   c_in = 1 / sqrt(sigma^2 + sigma_data^2),   c_skip = sigma_data^2 / (sigma^2 + sigma_data^2),
 *   c_out = sigma sigma_data / sqrt(sigma^2 + sigma_data^2)
 * </pre>
 * ({@code edm}: the model is {@code F}, fed {@code c_in z} and k-diffusion's time input {@code sigma}),
 * or the model already is what its output kind says ({@code none}). With {@code edm} the denoiser
 * {@code D} becomes the score as {@code denoised} does in {@link ScoreOutput}.
 */
public enum Preconditioning {
    NONE, EDM;

    /** The name as configs write it. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
