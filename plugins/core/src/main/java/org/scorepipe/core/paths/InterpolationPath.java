package org.scorepipe.core.paths;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.core.sources.StudentT;

/**
 * The interpolation path of diffusion-annealed Langevin Monte Carlo (Cordero-Encinar, Akyildiz,
 * Duncan, arXiv 2502.09306): {@code X_t = sqrt(lambda_t) X + sqrt(1 - lambda_t) Z}, the base
 * {@code Z} a standard Gaussian or a standard multivariate Student-t({@code nu}). Written in the
 * diffusion convention of the other paths: {@code t in [0, 1]}, {@code t = 0} the data
 * ({@code lambda_0 = 1}), {@code t = 1} the base ({@code lambda_1 = 0}), {@code lambda} decreasing:
 * <pre>
 *   linear    lambda_t = 1 - t
 *   cosine    lambda_t = cos^2(pi t / 2)                      (1 - lambda_t = sin^2(pi t / 2))
 *   sigmoid   lambda_t = [S(t) - S(1)] / [S(0) - S(1)],  S(t) = 1 / (1 + exp(-k (1/2 - t)))
 *                      = sinh(k (1 - t) / 2) / (2 sinh(k / 4) cosh(k (1 - 2t) / 4))
 *             1 - lambda_t = sinh(k t / 2) / (2 sinh(k / 4) cosh(k (1 - 2t) / 4))
 * </pre>
 * (the sigmoid rescaled to hit 1 and 0 exactly; {@code k} is {@code steepness}; both sigmoid
 * forms follow from {@code S(a) - S(b) = sinh((a - b)/2) / (2 cosh(a/2) cosh(b/2))} and keep full
 * relative precision near both ends). The paper's annealing index {@code l = 0 .. L} runs from the
 * base to the data; here it is the time {@code t_l = 1 - l / L} on a uniform grid, or any
 * decreasing grid {@code t_0 > ... > t_L = 0}: the paper's {@code lambda} at step {@code l} is
 * {@code lambda_{t_l}}.
 *
 * <p>As a linear SDE {@code dX = f X dt + g dB} (the Gaussian base):
 * {@code alpha_t = sqrt(lambda_t)}, {@code sigma_t = sqrt(1 - lambda_t)},
 * {@code f = d log alpha / dt = lambda' / (2 lambda)} and
 * {@code g^2 = d sigma^2 / dt - 2 f sigma^2 = -lambda' - lambda' (1 - lambda) / lambda = -lambda' / lambda},
 * which is {@code >= 0} for every schedule because each {@code lambda} decreases. Both blow up at
 * {@code t = 1}, where {@code alpha = 0}:
 * <pre>
 *   linear    lambda' = -1
 *   cosine    lambda' = -(pi / 2) sin(pi t)
 *   sigmoid   lambda' = -k / (4 tanh(k / 4) cosh^2(k (1 - 2t) / 4))
 * </pre>
 *
 * <p>With a Student-t base the marginals are not those of an SDE, and no two positive times have
 * a closed-form transition: {@link #push} then only starts at {@code t0 = 0}, where it draws the
 * exact marginal {@code alpha_t1 x + sigma_t1 Z} ({@code Z} from streams 0 and 1, see
 * {@link StudentT}); {@link #drift} and {@link #diffusionSquared} still return the Gaussian
 * path's coefficients, which is why the reverse-SDE and probability-flow samplers (Euler-Maruyama,
 * probability-flow, exponential integrator, ancestral) refuse this base; anneal along it instead.
 */
@Component(kind = ComponentKind.NOISING_PATH, name = "interpolation",
        doc = "Diffusion-annealed Langevin path X_t = sqrt(lambda_t) X + sqrt(1 - lambda_t) Z, lambda linear, cosine"
                + " or sigmoid, Z Gaussian or Student-t (arXiv 2502.09306); t = 0 is the data, t = 1 the base.")
public final class InterpolationPath implements NoisingPath {

    /** How {@code lambda_t} falls from 1 at {@code t = 0} to 0 at {@code t = 1}. */
    public enum Schedule {
        LINEAR, COSINE, SIGMOID
    }

    /** The law of {@code Z}. */
    public enum Base {
        GAUSSIAN, STUDENT_T
    }

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("lambda_t: linear (1 - t), cosine (cos^2(pi t / 2)) or sigmoid") @Default("linear") Schedule schedule,
            @Doc("the base Z: gaussian or student-t") @Default("gaussian") Base base,
            @Doc("degrees of freedom of the student-t base, > 2") @Default("3") double df,
            @Doc("steepness k of the sigmoid schedule, > 0") @Default("10") double steepness) {
        public Params {
            if (schedule == null) {
                throw new IllegalArgumentException("schedule is missing; give linear, cosine or sigmoid");
            }
            if (base == null) {
                throw new IllegalArgumentException("base is missing; give gaussian or student-t");
            }
            if (!(df > 2) || Double.isInfinite(df)) {
                throw new IllegalArgumentException("df must be > 2 (the Student-t base needs a finite variance), got "
                        + df + "; for a Gaussian base use base: gaussian");
            }
            if (!(steepness > 0) || Double.isInfinite(steepness)) {
                throw new IllegalArgumentException("steepness must be a finite number > 0, got " + steepness);
            }
        }
    }

    private final Schedule schedule;
    private final StudentT studentT;
    private final double k;
    /** Sigmoid: {@code 2 sinh(k / 4)} and {@code k / (4 tanh(k / 4))}. */
    private final double sigmoidNorm;
    private final double sigmoidSlope;

    @Inject
    public InterpolationPath(Params params) {
        this.schedule = params.schedule();
        this.studentT = params.base() == Base.STUDENT_T ? new StudentT(params.df()) : null;
        this.k = params.steepness();
        this.sigmoidNorm = 2.0 * Math.sinh(k / 4.0);
        this.sigmoidSlope = k / (4.0 * Math.tanh(k / 4.0));
    }

    /** {@code lambda_t}. */
    public double lambda(double t) {
        return switch (schedule) {
            case LINEAR -> 1.0 - t;
            case COSINE -> {
                double c = Math.cos(0.5 * Math.PI * t);
                yield c * c;
            }
            case SIGMOID -> Math.sinh(0.5 * k * (1.0 - t)) / (sigmoidNorm * Math.cosh(0.25 * k * (1.0 - 2.0 * t)));
        };
    }

    /** {@code 1 - lambda_t}, computed without cancellation near {@code t = 0}. */
    private double oneMinusLambda(double t) {
        return switch (schedule) {
            case LINEAR -> t;
            case COSINE -> {
                double s = Math.sin(0.5 * Math.PI * t);
                yield s * s;
            }
            case SIGMOID -> Math.sinh(0.5 * k * t) / (sigmoidNorm * Math.cosh(0.25 * k * (1.0 - 2.0 * t)));
        };
    }

    /** {@code d lambda / dt}. */
    public double lambdaDerivative(double t) {
        return switch (schedule) {
            case LINEAR -> -1.0;
            case COSINE -> -0.5 * Math.PI * Math.sin(Math.PI * t);
            case SIGMOID -> {
                double c = Math.cosh(0.25 * k * (1.0 - 2.0 * t));
                yield -sigmoidSlope / (c * c);
            }
        };
    }

    @Override
    public double meanScale(double t) {
        return Math.sqrt(lambda(t));
    }

    @Override
    public double noiseScale(double t) {
        return Math.sqrt(oneMinusLambda(t));
    }

    /** {@code f = lambda' / (2 lambda)}. */
    @Override
    public double drift(double t) {
        return 0.5 * lambdaDerivative(t) / lambda(t);
    }

    /** {@code g^2 = -lambda' / lambda}. */
    @Override
    public double diffusionSquared(double t) {
        return -lambdaDerivative(t) / lambda(t);
    }

    @Override
    public double noiseDegreesOfFreedom() {
        return studentT == null ? Double.POSITIVE_INFINITY : studentT.degreesOfFreedom();
    }

    /**
     * The Gaussian base: the exact Gaussian transition of {@link NoisingPath#push}. The Student-t
     * base: from {@code t0 = 0} only, {@code x <- alpha_t1 x + sigma_t1 Z}, {@code Z} a standard
     * multivariate Student-t drawn from streams 0 (normals) and 1 (uniforms).
     */
    @Override
    public void push(Block block, double t0, double t1, Noise noise) {
        if (studentT == null) {
            NoisingPath.super.push(block, t0, t1, noise);
            return;
        }
        if (t1 < t0) {
            throw new IllegalArgumentException("the forward transition runs forward in time, got t0 = "
                    + t0 + " > t1 = " + t1);
        }
        if (t0 != 0.0) {
            throw new IllegalArgumentException("the interpolation path with a student-t base has no closed-form"
                    + " transition between two positive times (asked from t0 = " + t0 + " to t1 = " + t1
                    + "); noise from the data at t0 = 0, or use base: gaussian");
        }
        double a = meanScale(t1);
        double s = noiseScale(t1);
        int d = block.dimension();
        double[] x = block.data();
        double[] scratch = block.workspace(this, StudentT.scratchLength(d) + d);
        int z = StudentT.scratchLength(d);
        for (int r = 0; r < block.size(); r++) {
            studentT.sample(noise, block.particleIndex(r), 0, 1, scratch, scratch, z, d);
            int o = block.offset() + r * d;
            for (int j = 0; j < d; j++) {
                x[o + j] = a * x[o + j] + s * scratch[z + j];
            }
        }
    }
}
