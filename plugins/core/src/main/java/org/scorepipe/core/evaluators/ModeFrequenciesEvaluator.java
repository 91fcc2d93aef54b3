package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Block;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;

/**
 * How the particles spread over the modes of a Gaussian-mixture target, the measure of mode
 * seeking in "Mode-seeking of Langevin dynamics" (Chained-LD): each particle is assigned to its
 * most responsible component {@code k*(x) = argmax_k w_k N(x; alpha mu_k, alpha^2 Sigma_k + sigma^2 I)}
 * under the reference mixture ({@code (alpha, sigma) = (alpha_t, sigma_t)} of the path at the
 * particles' time for {@code reference: noised}, {@code (1, 0)} for {@code data}), and
 * <pre>
 *   mode-frequencies[k]  = #{i : k*(x_i) = k} / n
 *   target-weights[k]    = w_k
 *   max-weight-error     = max_k |mode-frequencies[k] - w_k|
 * </pre>
 * For exact samples {@code mode-frequencies} estimates {@code P(k*(X) = k)}, which equals
 * {@code w_k} when the modes are well separated (the setting this metric is meant for); with
 * overlapping components even exact samples show an error of the order of the overlap.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "mode-frequencies",
        doc = "Fraction of particles nearest (most responsible) to each mixture component, against the weights.")
public final class ModeFrequenciesEvaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("assign modes under the data (data) or the data noised to the particles' time (noised)")
            @Default("noised") Reference reference) {
        public Params {
            requireNonNull(reference, "reference is null");
        }
    }

    private final Params params;
    private final NoisingPath path;
    private final GaussianMixture mixture;

    @Inject
    public ModeFrequenciesEvaluator(Params params, DataSource data, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.path = requireNonNull(path, "path is null");
        this.mixture = requireNonNull(data, "data is null").gaussianMixture().orElseThrow(() ->
                new IllegalArgumentException("the mode-frequencies evaluator needs a Gaussian-mixture data source"
                        + " (type: gaussian-mixture) to know the modes; for other data use sliced-wasserstein or"
                        + " moments"));
    }

    /** The counts of the block's rows per component: exact integers, so any grouping sums to the same. */
    @Override
    public double[] partial(Block block, EvalContext context) {
        if (mixture.dimension() != block.dimension()) {
            throw new IllegalArgumentException("the data source has dimension " + mixture.dimension()
                    + " but the particles have " + block.dimension());
        }
        return counts(params.reference().components(mixture, path, context.time()), block);
    }

    /** {@code counts[k] = #{rows of the block assigned to component k of target}}, as doubles (exact integers). */
    static double[] counts(Reference.Components target, Block block) {
        double[] counts = new double[target.size()];
        double[] x = block.data();
        int d = block.dimension();
        for (int r = 0; r < block.size(); r++) {
            counts[target.mostResponsible(x, block.offset() + r * d)]++;
        }
        return counts;
    }

    @Override
    public Metrics combine(double[] counts, long n, EvalContext context) {
        if (n == 0) {
            throw new IllegalArgumentException("the mode-frequencies evaluator needs at least one particle");
        }
        double[] weights = mixture.weights();
        double[] frequencies = new double[counts.length];
        double maxError = 0.0;
        for (int k = 0; k < counts.length; k++) {
            frequencies[k] = counts[k] / n;
            maxError = Math.max(maxError, Math.abs(frequencies[k] - weights[k]));
        }
        return Metrics.builder()
                .put("mode-frequencies", frequencies)
                .put("target-weights", weights)
                .put("max-weight-error", maxError)
                .build();
    }
}
