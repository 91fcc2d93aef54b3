package org.scorepipe.core.evaluators;

import java.util.List;
import org.scorepipe.api.Block;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.Metrics;
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

    /**
     * The metrics a distributed runner finishes from chunk statistics: the ensemble cut at
     * {@code cuts} into ranges, each a {@link Particles} of its own with its global
     * {@code firstIndex} (as a partition holds it), each range cut into chunks aligned to the
     * global index ({@link MergeableEvaluator#chunks}), every chunk's {@code partial} added in
     * index order, then {@code combine}. Cuts off the multiples of {@link MergeableEvaluator#CHUNK}
     * split a chunk in two, which only sums of exact integers (counts) survive bit for bit.
     */
    static Metrics mergedOverRanges(MergeableEvaluator evaluator, Particles particles, int[] cuts, EvalContext context) {
        int d = particles.dimension();
        double[] sum = null;
        int from = 0;
        int[] ends = java.util.Arrays.copyOf(cuts, cuts.length + 1);
        ends[cuts.length] = particles.size();
        for (int to : ends) {
            Particles range = new Particles(to - from, d, particles.firstIndex() + from,
                    java.util.Arrays.copyOfRange(particles.data(), from * d, to * d), particles.time());
            for (Block chunk : MergeableEvaluator.chunks(range.all())) {
                double[] part = evaluator.partial(chunk, context);
                if (sum == null) {
                    sum = part.clone();
                } else {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += part[i];
                    }
                }
            }
            from = to;
        }
        return evaluator.combine(sum, particles.size(), context);
    }

    /** Every metric with its value's exact digits (arrays element by element). */
    static String text(Metrics metrics) {
        StringBuilder out = new StringBuilder();
        metrics.values().forEach((name, v) -> out.append(name).append('=')
                .append(v instanceof double[] a ? java.util.Arrays.toString(a) : String.valueOf(v)).append('\n'));
        return out.toString();
    }
}
