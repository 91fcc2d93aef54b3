package org.scorepipe.onnx;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;

/**
 * The variance-preserving path a DDPM schedule defines, in continuous time {@code t in [0, 1]}:
 * timestep {@code k} of the schedule ({@link DiscreteSchedule}) is the time {@code t_k = (k + 1) / T},
 * and between those times the log of {@code abar} is linear, i.e. {@code beta(t)} is piecewise constant:
 * <pre>
 *   B(t)    = B_{k-1} + (T t - k) (B_k - B_{k-1})   on [k/T, (k+1)/T],  B_{-1} = 0, B(0) = 0
 *   alpha_t = exp(-B(t) / 2),  sigma_t = sqrt(-expm1(-B(t)))          so alpha_{t_k}^2 = abar_k
 *   f(t)    = -beta(t) / 2,    g(t)^2 = beta(t) = T (B_k - B_{k-1}) = -T log(1 - beta_k)
 * </pre>
 * the VP SDE of Song et al. 2021 with this {@code beta(t)}. Its marginal at {@code t_k} is exactly
 * DDPM's {@code q(x_k | x_0)} (Ho et al. 2020), so a grid whose times are multiples of {@code 1/T}
 * ({@code uniform} from 1.0 to {@code m/T} with {@code (T - m)/j} steps, {@code j} a whole number) evaluates a
 * diffusers model ({@code onnx} with {@code time: timestep}) at its own timesteps, with no approximation.
 */
@Component(kind = ComponentKind.NOISING_PATH, name = "ddpm",
        doc = "The VP path of a DDPM (diffusers) beta schedule: timestep k at t = (k + 1) / T, abar exact there,"
                + " log abar linear in between (Ho et al. 2020).")
public final class DdpmPath implements NoisingPath {

    /** Parameters, named as diffusers' DDPMScheduler names them (in kebab case). */
    public record Params(
            @Doc("linear | scaled-linear | squaredcos-cap-v2 (diffusers' beta_schedule)") @Default("linear")
            BetaSchedule betaSchedule,
            @Doc("the first beta (diffusers' beta_start)") @Default("0.0001") double betaStart,
            @Doc("the last beta (diffusers' beta_end)") @Default("0.02") double betaEnd,
            @Doc("the number of timesteps T (diffusers' num_train_timesteps)") @Default("1000") int numTrainTimesteps) {
        public Params {
            new DiscreteSchedule(betaSchedule, betaStart, betaEnd, numTrainTimesteps);
        }

        DiscreteSchedule schedule() {
            return new DiscreteSchedule(betaSchedule, betaStart, betaEnd, numTrainTimesteps);
        }
    }

    private final int timesteps;
    /** {@code B(k / T)} for {@code k = 0 .. T}: {@code 0, B_0, .., B_{T-1}}. */
    private final double[] rates;

    @Inject
    public DdpmPath(Params params) {
        double[] b = params.schedule().cumulativeRates();
        this.timesteps = b.length;
        this.rates = new double[timesteps + 1];
        System.arraycopy(b, 0, rates, 1, timesteps);
    }

    /** {@code B(t)}, 0 before t = 0 and extended linearly after t = 1. */
    private double integral(double t) {
        if (t <= 0) {
            return 0.0;
        }
        double u = t * timesteps;
        int k = Math.min((int) Math.floor(u), timesteps - 1);
        // u = k exactly (a grid time) gives rates[k] with no rounding from the slope
        return rates[k] + (u - k) * (rates[k + 1] - rates[k]);
    }

    /** {@code beta(t)}: on {@code [k/T, (k+1)/T)} the constant {@code T (B(k+1/T) - B(k/T))}. */
    private double beta(double t) {
        int k = Math.max(0, Math.min((int) Math.floor(t * timesteps), timesteps - 1));
        return timesteps * (rates[k + 1] - rates[k]);
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-0.5 * integral(t));
    }

    @Override
    public double noiseScale(double t) {
        return Math.sqrt(-Math.expm1(-integral(t)));
    }

    @Override
    public double drift(double t) {
        return -0.5 * beta(t);
    }

    @Override
    public double diffusionSquared(double t) {
        return beta(t);
    }
}
