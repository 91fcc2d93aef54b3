package org.scorepipe.onnx;

import static java.util.Objects.requireNonNull;

import org.scorepipe.api.NoisingPath;

/**
 * How a model is called at the path's time {@code t}, and how what it returns becomes the path's
 * score: the one place where a calling convention ({@link TimeInput}, {@link Preconditioning},
 * {@link ScoreOutput}) meets the path {@code X_t = alpha_t X_0 + sigma_t Z}. At each {@code t} it
 * gives a {@link Call}: the model is fed {@code c x} and the time value, and the score is
 * {@code s = a y + b x} of its output {@code y}.
 *
 * <p>The model's variable {@code z = c x}, by time input:
 * <pre>
 *   t:         c = 1,                           time t
 *   sigma:     c = 1 / alpha_t,                 time sigma = sigma_t / alpha_t         (k-diffusion, EDM)
 *              c = c_in / alpha_t with edm preconditioning
 *   timestep:  c = 1 / sqrt(alpha_t^2 + sigma_t^2),  timestep k with abar_k = alpha_t^2 / (alpha_t^2 + sigma_t^2)
 * </pre>
 * then {@code (a, b)} from {@link ScoreOutput#outputScale(double, double, double)} and
 * {@link ScoreOutput#pointScale(double, double, double)}; with {@code edm} preconditioning the model's
 * {@code F} gives {@code D = c_out F + (c_skip / alpha_t) x}, which is read as {@code denoised}.
 */
public final class ScoreConvention {

    /**
     * One model call: feed {@code inputScale * x} and {@code time} (the timestep {@code k} as a
     * whole number for {@link TimeInput#TIMESTEP}); the score is {@code outputScale * y + pointScale * x}.
     */
    public record Call(double time, double inputScale, double outputScale, double pointScale) {
    }

    private final NoisingPath path;
    private final TimeInput time;
    private final Preconditioning preconditioning;
    private final ScoreOutput output;
    private final double sigmaData;
    private final TimestepRounding rounding;
    private final DiscreteSchedule schedule;
    /** {@code log(abar_k / (1 - abar_k))}, decreasing in k; only for timesteps. */
    private final double[] logSnr;

    /**
     * @param schedule the model's schedule, used with {@code timestep} only (may be null otherwise)
     * @throws IllegalArgumentException for a combination without a meaning, naming its keys
     */
    public ScoreConvention(NoisingPath path, TimeInput time, Preconditioning preconditioning, ScoreOutput output,
            double sigmaData, DiscreteSchedule schedule, TimestepRounding rounding) {
        this.path = requireNonNull(path, "path is null");
        this.time = requireNonNull(time, "time is null");
        this.preconditioning = requireNonNull(preconditioning, "preconditioning is null");
        this.output = requireNonNull(output, "output is null");
        this.rounding = requireNonNull(rounding, "timestep-rounding is null");
        this.sigmaData = sigmaData;
        if (preconditioning == Preconditioning.EDM) {
            if (time != TimeInput.SIGMA) {
                throw new IllegalArgumentException("preconditioning: edm is Karras et al.'s (k-diffusion's) wrapper of a"
                        + " model called with the noise level sigma; it needs time: sigma, not time: " + time.configName());
            }
            if (output != ScoreOutput.DENOISED) {
                throw new IllegalArgumentException("preconditioning: edm makes the denoiser D = c_skip x + c_out F from the"
                        + " model's F; it needs output: denoised, not output: " + output.configName());
            }
            if (!(sigmaData > 0) || Double.isInfinite(sigmaData)) {
                throw new IllegalArgumentException("sigma-data must be a finite number > 0 with preconditioning: edm, got "
                        + sigmaData);
            }
        }
        if (time == TimeInput.SIGMA && output == ScoreOutput.V_PREDICTION) {
            // k-diffusion's v models (VDenoiser) feed their inner network atan(sigma) 2/pi, not sigma
            throw new IllegalArgumentException("output: v-prediction is defined on a variance-preserving variable, and"
                    + " k-diffusion's v models (VDenoiser) take a time of their own; with time: sigma export the wrapped"
                    + " model(x, sigma), which returns the denoised point, and set output: denoised");
        }
        if (time == TimeInput.TIMESTEP) {
            this.schedule = requireNonNull(schedule, "schedule is null");
            double[] rates = schedule.cumulativeRates();
            this.logSnr = new double[rates.length];
            for (int k = 0; k < rates.length; k++) {
                // abar / (1 - abar) = exp(-B) / -expm1(-B)
                logSnr[k] = -rates[k] - Math.log(-Math.expm1(-rates[k]));
            }
        } else {
            this.schedule = null;
            this.logSnr = null;
        }
    }

    public TimeInput time() {
        return time;
    }

    /** The call at path time {@code t}. */
    public Call at(double t) {
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        switch (time) {
            case T -> {
                return affine(t, alpha, output.sigma(sigma, t), 1.0);
            }
            case SIGMA -> {
                double s = output.sigma(sigma, t);
                double level = s / alpha;
                if (preconditioning == Preconditioning.NONE) {
                    return affine(level, alpha, s, 1.0 / alpha);
                }
                double norm = level * level + sigmaData * sigmaData;
                double cIn = 1.0 / Math.sqrt(norm);
                double cSkip = sigmaData * sigmaData / norm;
                double cOut = level * sigmaData / Math.sqrt(norm);
                double a = ScoreOutput.DENOISED.outputScale(alpha, s, 1.0);
                double b = ScoreOutput.DENOISED.pointScale(alpha, s, 1.0);
                return new Call(level, cIn / alpha, a * cOut, b + a * cSkip / alpha);
            }
            case TIMESTEP -> {
                double s = output.sigma(sigma, t);
                return affine(timestep(t, alpha, s), alpha, s, 1.0 / Math.hypot(alpha, s));
            }
            default -> throw new AssertionError(time);
        }
    }

    private Call affine(double timeValue, double alpha, double sigma, double c) {
        return new Call(timeValue, c, output.outputScale(alpha, sigma, c), output.pointScale(alpha, sigma, c));
    }

    /** The timestep of the path's noise level at {@code t}, by {@link TimestepRounding}. */
    private long timestep(double t, double alpha, double sigma) {
        double target = 2.0 * Math.log(alpha / sigma);
        // logSnr decreases in k: the first k with logSnr[k] <= target, and its left neighbour
        int lo = 0;
        int hi = logSnr.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (logSnr[mid] > target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int best = lo;
        if (best == logSnr.length || best > 0 && Math.abs(logSnr[best - 1] - target) < Math.abs(logSnr[best] - target)) {
            best--;
        }
        double gap = Math.abs(logSnr[best] - target);
        if (rounding == TimestepRounding.EXACT && !(gap <= TimestepRounding.LOG_SNR_TOLERANCE)) {
            double abar = alpha * alpha / (alpha * alpha + sigma * sigma);
            throw new IllegalArgumentException("time: timestep: at t = " + t + " the path's noise level (abar = "
                    + abar + ", log-SNR " + target + ") is none of the model's schedule (" + schedule.describe()
                    + "); the nearest is timestep " + best + " (abar = " + Math.exp(-schedule.cumulativeRates()[best])
                    + ", log-SNR " + logSnr[best] + "). Sample on the schedule's own path (path: {type: ddpm} with the"
                    + " same beta-schedule, beta-start, beta-end, num-train-timesteps) with grid times that are multiples of"
                    + " 1/" + logSnr.length + " (there timestep k is t = (k + 1)/" + logSnr.length + "), or set"
                    + " timestep-rounding: nearest to call the model at the nearest timestep (an approximation).");
        }
        return best;
    }
}
