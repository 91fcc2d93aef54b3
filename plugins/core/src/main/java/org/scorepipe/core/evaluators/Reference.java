package org.scorepipe.core.evaluators;

import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.core.scores.HeavyTailedMixture;
import org.scorepipe.core.scores.NoisedMixture;
import org.scorepipe.core.sources.StudentT;

/**
 * What an evaluator compares the particles with: the data itself, or the data carried along the
 * noising path to the particles' time {@code t}. The second is the right target for particles
 * that are meant to be at {@code t} (after a forward stage, a corrector at {@code T1}, or a reverse
 * sampler stopped early at {@code delta}); the first says how far they are from the data.
 */
public enum Reference {
    /** The data source's distribution, at path time 0. */
    DATA,
    /**
     * The path's marginal at the particles' time {@code t}: {@code alpha_t X_0 + sigma_t Z}, with
     * the path's own noise {@code Z} (Gaussian, or Student-t on a heavy-tailed path).
     */
    NOISED;

    /**
     * The first stream of the evaluation's noise that reference samples are noised with: the data
     * source draws from the streams below it, the path's noise from stream
     * {@code NOISING_STREAMS} of each reference particle. Far above 1, since a data source may use
     * several streams (the Gaussian mixture picks its component from stream 0 and draws its
     * normals from stream 1): reusing one would correlate the noise with the sample.
     */
    public static final int NOISING_STREAMS = 1 << 16;

    /**
     * The reference law of a Gaussian-mixture target for particles at time {@code t}: the mixture
     * itself ({@code alpha = 1, sigma = 0}) for {@link #DATA}, its push {@code alpha_t X_0 + sigma_t Z}
     * along the path for {@link #NOISED}.
     */
    NoisedMixture mixture(GaussianMixture mixture, NoisingPath path, double t) {
        if (this == NOISED && Double.isFinite(path.noiseDegreesOfFreedom())) {
            throw new IllegalStateException("a Student-t path's marginal is no Gaussian mixture; use components or moments");
        }
        return this == DATA ? NoisedMixture.of(mixture, 1.0, 0.0)
                : NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t));
    }

    /** The components of a reference law, and which one a point most likely came from. */
    interface Components {
        int size();

        int mostResponsible(double[] x, int offset);
    }

    /**
     * The components of the reference law of a Gaussian-mixture target at time {@code t}: of the
     * mixture itself ({@link #DATA}), of its push along the path ({@link #NOISED}): with the path's
     * own noise, so on a Student-t path the law of {@code alpha_t X_0 + sigma_t Z},
     * {@code Z ~ t_nu}, through {@link HeavyTailedMixture}.
     */
    Components components(GaussianMixture mixture, NoisingPath path, double t) {
        double nu = path.noiseDegreesOfFreedom();
        if (this == NOISED && Double.isFinite(nu)) {
            HeavyTailedMixture law = HeavyTailedMixture.of(mixture, Double.POSITIVE_INFINITY, nu, path.meanScale(t),
                    path.noiseScale(t));
            return new Components() {
                @Override
                public int size() {
                    return law.size();
                }

                @Override
                public int mostResponsible(double[] x, int offset) {
                    return law.mostResponsible(x, offset);
                }
            };
        }
        NoisedMixture law = mixture(mixture, path, t);
        return new Components() {
            @Override
            public int size() {
                return law.size();
            }

            @Override
            public int mostResponsible(double[] x, int offset) {
                return law.mostResponsible(x, offset);
            }
        };
    }

    /**
     * The exact mean and covariance of the reference law of a Gaussian-mixture target at time
     * {@code t}. With Student-t noise of {@code nu > 2} degrees of freedom, {@code Cov Z = nu / (nu - 2) I},
     * so the moments are those of the Gaussian-noised mixture with {@code sigma^2 nu / (nu - 2)}
     * in place of {@code sigma^2} (the mean is {@code alpha_t} times the target's either way).
     */
    Moments moments(GaussianMixture mixture, NoisingPath path, double t) {
        double nu = path.noiseDegreesOfFreedom();
        if (this == NOISED && Double.isFinite(nu)) {
            if (!(nu > 2)) {
                throw new IllegalArgumentException("Student-t noise with " + nu + " <= 2 degrees of freedom has no"
                        + " covariance; the moments evaluators need nu > 2");
            }
            NoisedMixture matched = NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t) * Math.sqrt(nu / (nu - 2)));
            return new Moments(matched.mean(), matched.covariance());
        }
        NoisedMixture law = mixture(mixture, path, t);
        return new Moments(law.mean(), law.covariance());
    }

    /**
     * {@code m} fresh reference samples in {@code d} dimensions: reference particle {@code i} is
     * drawn by the data source from particle {@code i}'s noise of the evaluation, then, for
     * {@link #NOISED}, mapped to {@code alpha_t x + sigma_t z} with {@code z} from stream
     * {@link #NOISING_STREAMS}. The evaluate stage moves no particle, so reusing the particles' indices is harmless.
     */
    Particles samples(DataSource data, NoisingPath path, int m, int d, EvalContext context) {
        if (data.dimension() != d) {
            throw new IllegalArgumentException("the data source has dimension " + data.dimension()
                    + " but the particles have " + d);
        }
        Particles reference = new Particles(m, d);
        data.sample(reference.all(), context.noise());
        if (this == NOISED) {
            // The marginal itself, not path.push(0, t): on a path whose time 0 already carries
            // noise (variance exploding: sigma_0 = sigma-min) the two differ. The path's own noise:
            // standard normals from stream NOISING_STREAMS, or a standard Student-t from streams
            // NOISING_STREAMS (normals) and NOISING_STREAMS + 1 (uniforms).
            double alpha = path.meanScale(context.time());
            double sigma = path.noiseScale(context.time());
            double nu = path.noiseDegreesOfFreedom();
            StudentT studentT = Double.isFinite(nu) ? new StudentT(nu) : null;
            double[] x = reference.data();
            double[] z = new double[studentT == null ? d : StudentT.scratchLength(d) + d];
            int zo = studentT == null ? 0 : StudentT.scratchLength(d);
            for (int i = 0; i < m; i++) {
                if (studentT == null) {
                    context.noise().normals(i, NOISING_STREAMS, z, 0, d);
                } else {
                    studentT.sample(context.noise(), i, NOISING_STREAMS, NOISING_STREAMS + 1, z, z, zo, d);
                }
                for (int j = 0; j < d; j++) {
                    x[i * d + j] = alpha * x[i * d + j] + sigma * z[zo + j];
                }
            }
        }
        reference.setTime(this == NOISED ? context.time() : 0.0);
        return reference;
    }
}
