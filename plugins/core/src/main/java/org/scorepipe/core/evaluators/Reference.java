package org.scorepipe.core.evaluators;

import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.core.scores.NoisedMixture;

/**
 * What an evaluator compares the particles with: the data itself, or the data carried along the
 * noising path to the particles' time {@code t}. The second is the right target for particles
 * that are meant to be at {@code t} (after a forward stage, a corrector at {@code T1}, or a reverse
 * sampler stopped early at {@code delta}); the first says how far they are from the data.
 */
public enum Reference {
    /** The data source's distribution, at path time 0. */
    DATA,
    /** The path's marginal at the particles' time {@code t}: {@code alpha_t X_0 + sigma_t Z}. */
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
        return this == DATA ? NoisedMixture.of(mixture, 1.0, 0.0)
                : NoisedMixture.of(mixture, path.meanScale(t), path.noiseScale(t));
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
            // noise (variance exploding: sigma_0 = sigma-min) the two differ.
            double alpha = path.meanScale(context.time());
            double sigma = path.noiseScale(context.time());
            double[] x = reference.data();
            double[] z = new double[d];
            for (int i = 0; i < m; i++) {
                context.noise().normals(i, NOISING_STREAMS, z, 0, d);
                for (int j = 0; j < d; j++) {
                    x[i * d + j] = alpha * x[i * d + j] + sigma * z[j];
                }
            }
        }
        reference.setTime(this == NOISED ? context.time() : 0.0);
        return reference;
    }
}
