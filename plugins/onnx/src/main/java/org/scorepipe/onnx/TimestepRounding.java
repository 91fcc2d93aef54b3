package org.scorepipe.onnx;

/**
 * Which timestep a diffusers model is called at when the path's noise level is not one of its
 * schedule's ({@link TimeInput#TIMESTEP}):
 * <ul>
 *   <li>{@code exact}: none; the path's {@code abar = alpha_t^2 / (alpha_t^2 + sigma_t^2)} must equal a
 *       timestep's {@code abar_k} (to 1e-9 in {@code log(abar / (1 - abar))}, the log signal-to-noise
 *       ratio), which holds on the {@code ddpm} path at the times {@code (k + 1) / T}; anything else is
 *       refused;</li>
 *   <li>{@code nearest}: the timestep whose log signal-to-noise ratio is nearest the path's; the
 *       model's output is then read as if made at the path's noise level, an approximation whose
 *       error is of the order of the schedule's spacing in log-SNR between neighbouring timesteps.</li>
 * </ul>
 */
public enum TimestepRounding {
    EXACT, NEAREST;

    /** The largest difference in log-SNR taken as the same noise level: double rounding, far below any schedule's spacing. */
    static final double LOG_SNR_TOLERANCE = 1e-9;

    /** The name as configs write it. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
