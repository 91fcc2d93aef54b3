package org.scorepipe.core.evaluators;

import java.util.List;
import org.scorepipe.api.Block;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;
import org.scorepipe.runtime.noise.PhiloxNoise;

/** Targets and samples shared by the evaluator tests. */
final class Targets {
    static final long SEED = 2024L;
    /** The evaluate stage's index in these tests; particles are drawn at other stage indices. */
    static final int EVALUATION_STAGE = 7;

    private Targets() {
    }

    static GaussianMixtureSource mixture(int d, Part... parts) {
        return new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(parts)),
                new PipelineSpec("test", SEED, 1, d));
    }

    static OrnsteinUhlenbeckPath ornsteinUhlenbeck() {
        return new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    }

    /** The evaluation's noise: step 0 of the evaluate stage. */
    static Noise evaluationNoise() {
        return PhiloxNoise.of(SEED, EVALUATION_STAGE, 0);
    }

    /** {@code n} samples of {@code data} drawn at stage {@code stage}, independent of the evaluation's draws. */
    static Particles sample(DataSource data, int n, int stage) {
        Particles particles = new Particles(n, data.dimension());
        data.sample(particles.all(), PhiloxNoise.of(SEED, stage, 0));
        return particles;
    }

    /** The same distribution as {@code data}, without its closed form. */
    static DataSource withoutClosedForm(DataSource data) {
        return new DataSource() {
            @Override
            public int dimension() {
                return data.dimension();
            }

            @Override
            public void sample(Block block, Noise noise) {
                data.sample(block, noise);
            }
        };
    }
}
