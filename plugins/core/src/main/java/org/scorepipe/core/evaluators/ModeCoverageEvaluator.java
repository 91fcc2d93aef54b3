package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Block;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;

/**
 * Which modes of a Gaussian-mixture target the particles found, the failure that "Mode-seeking of
 * Langevin dynamics" (Chained-LD) measures: with each particle assigned to its most responsible
 * component as in {@link ModeFrequenciesEvaluator}, a mode counts as covered when it holds at least
 * the share {@code s} ({@code min-share}) of the particles:
 * <pre>
 *   modes-covered  = #{k : #{i : k*(x_i) = k} / n >= s}
 *   mode-coverage  = modes-covered / K
 *   modes-missing  = #{k : w_k >= s and the mode is not covered}
 * </pre>
 * {@code modes-missing} counts only modes whose target weight reaches the threshold, so it is 0 for
 * a sampler that finds every mode it should (up to sampling noise near the threshold).
 *
 * <p>The metrics depend on the particles only through the counts per mode, which are additive:
 * the evaluator merges, with the statistics of {@link ModeFrequenciesEvaluator} (exact integers,
 * so any grouping of the chunks gives the same counts and the same metrics).
 */
@Component(kind = ComponentKind.EVALUATOR, name = "mode-coverage",
        doc = "Number and fraction of mixture modes that hold at least a given share (min-share) of the particles.")
public final class ModeCoverageEvaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("assign modes under the data (data) or the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("a mode is covered when at least this share of the particles is assigned to it")
            @Default("0.01") double minShare) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (!(minShare > 0) || minShare > 1) {
                throw new IllegalArgumentException("min-share must be in (0, 1], got " + minShare);
            }
        }
    }

    private final Params params;
    private final NoisingPath path;
    private final GaussianMixture mixture;

    @Inject
    public ModeCoverageEvaluator(Params params, DataSource data, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.path = requireNonNull(path, "path is null");
        this.mixture = requireNonNull(data, "data is null").gaussianMixture().orElseThrow(() ->
                new IllegalArgumentException("the mode-coverage evaluator needs a Gaussian-mixture data source"
                        + " (type: gaussian-mixture) to know the modes; for other data use sliced-wasserstein or mmd"));
    }

    /** The counts of the block's rows per component ({@link ModeFrequenciesEvaluator#counts(Reference.Components, Block)}). */
    @Override
    public double[] partial(Block block, EvalContext context) {
        if (mixture.dimension() != block.dimension()) {
            throw new IllegalArgumentException("the data source has dimension " + mixture.dimension()
                    + " but the particles have " + block.dimension());
        }
        return ModeFrequenciesEvaluator.counts(params.reference().components(mixture, path, context.time()), block);
    }

    @Override
    public Metrics combine(double[] counts, long n, EvalContext context) {
        if (n == 0) {
            throw new IllegalArgumentException("the mode-coverage evaluator needs at least one particle");
        }
        double[] weights = mixture.weights();
        // Compare counts, not rounded shares: covered <=> count >= s n.
        double threshold = params.minShare() * n;
        // The counts are exact integers below 2^53, as are their sums.
        int covered = 0;
        int missing = 0;
        for (int k = 0; k < counts.length; k++) {
            boolean isCovered = counts[k] >= threshold;
            if (isCovered) {
                covered++;
            } else if (weights[k] >= params.minShare()) {
                missing++;
            }
        }
        return Metrics.builder()
                .put("modes-covered", covered)
                .put("mode-coverage", (double) covered / counts.length)
                .put("modes-missing", missing)
                .build();
    }
}
