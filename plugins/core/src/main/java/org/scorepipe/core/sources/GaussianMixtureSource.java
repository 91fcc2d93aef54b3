package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Doc;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.Noise;
import org.scorepipe.api.PipelineSpec;

/**
 * A Gaussian mixture {@code sum_k w_k N(mu_k, Sigma_k)} in the pipeline's dimension {@code d}.
 *
 * <p>Sampling row {@code r} (particle {@code i = block.particleIndex(r)}): one uniform
 * {@code u} from stream 0 of {@code i} picks component {@code k}, the first with
 * {@code u < w_1 + ... + w_k} (inverse CDF); then {@code x = mu_k + L_k z} with {@code z} the
 * {@code d} normals of stream 1 of {@code i} and {@code L_k} the lower Cholesky factor of
 * {@code Sigma_k} ({@code sqrt} of the variances for a scalar or diagonal covariance).
 *
 * <p>Each component's covariance is given as 1 value (a variance, {@code Sigma = v I}),
 * {@code d} values (a diagonal) or {@code d*d} values (a full matrix, row-major).
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "gaussian-mixture",
        doc = "A Gaussian mixture; each component has a weight, a mean and a covariance given as"
                + " one variance, a diagonal, or a full row-major matrix.")
public final class GaussianMixtureSource implements DataSource {

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("the mixture's components, each {weight, mean, covariance}") List<Part> components) {
        public Params {
            if (components == null || components.isEmpty()) {
                throw new IllegalArgumentException("components is empty; give at least one {weight, mean, covariance}");
            }
            components = List.copyOf(components);
            for (int k = 0; k < components.size(); k++) {
                Part part = components.get(k);
                if (!(part.weight() > 0) || Double.isInfinite(part.weight())) {
                    throw new IllegalArgumentException("components[" + k + "].weight must be a finite number > 0, got "
                            + part.weight());
                }
            }
        }
    }

    /** One mixture component. */
    public record Part(
            @Doc("the component's weight w_k > 0; the weights sum to 1") double weight,
            @Doc("the component's mean, d values") double[] mean,
            @Doc("the covariance: 1 value (a variance), d values (a diagonal) or d*d values"
                    + " (a full matrix, row-major)") double[] covariance) {
        public Part {
            if (mean == null) {
                throw new IllegalArgumentException("mean is missing; give d values");
            }
            if (covariance == null) {
                throw new IllegalArgumentException("covariance is missing; give a variance, a diagonal or a full matrix");
            }
            mean = mean.clone();
            covariance = covariance.clone();
        }

        @Override
        public double[] mean() {
            return mean.clone();
        }

        @Override
        public double[] covariance() {
            return covariance.clone();
        }
    }

    private final int dimension;
    private final GaussianMixture mixture;
    /** Cumulative weights, the last exactly 1. */
    private final double[] cumulative;
    /** Component means, row {@code k} at {@code k*d}. */
    private final double[] means;
    /** Per component: its form. */
    private final Form[] forms;
    /** Per component: sqrt of the variance(s) (SCALAR, DIAGONAL) or the lower Cholesky factor row-major (FULL). */
    private final double[][] factors;

    @Inject
    public GaussianMixtureSource(Params params, PipelineSpec pipeline) {
        int d = pipeline.dimension();
        List<Part> parts = params.components();
        int size = parts.size();
        double sum = 0.0;
        for (Part part : parts) {
            sum += part.weight();
        }
        if (Math.abs(sum - 1.0) > 1e-6) {
            throw new IllegalArgumentException("the components' weights sum to " + sum
                    + ", not 1; make them sum to 1 (within 1e-6)");
        }
        this.dimension = d;
        double[] weights = new double[size];
        this.cumulative = new double[size];
        this.means = new double[size * d];
        this.forms = new Form[size];
        this.factors = new double[size][];
        List<GaussianMixture.Gaussian> gaussians = new ArrayList<>(size);
        double running = 0.0;
        for (int k = 0; k < size; k++) {
            Part part = parts.get(k);
            weights[k] = part.weight() / sum;
            running += weights[k];
            cumulative[k] = running;
            double[] mean = part.mean();
            if (mean.length != d) {
                throw new IllegalArgumentException("dimension mismatch: components[" + k + "].mean has " + mean.length
                        + " values but the pipeline's dimension is " + d);
            }
            System.arraycopy(mean, 0, means, k * d, d);
            double[] covariance = part.covariance();
            String key = "components[" + k + "].covariance";
            Form form = CovarianceFactor.form(key, covariance.length, d);
            forms[k] = form;
            factors[k] = form == Form.FULL ? CovarianceFactor.lower(key, covariance, d)
                    : CovarianceFactor.roots(key, covariance);
            gaussians.add(new GaussianMixture.Gaussian(mean, form, covariance));
        }
        cumulative[size - 1] = 1.0;
        this.mixture = new GaussianMixture(weights, gaussians);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void sample(Block block, Noise noise) {
        int d = dimension;
        int size = cumulative.length;
        double[] x = block.data();
        int offset = block.offset();
        double[] scratch = block.workspace(this, d + 1);
        for (int r = 0; r < block.size(); r++) {
            long particle = block.particleIndex(r);
            noise.uniforms(particle, 0, scratch, d, 1);
            double u = scratch[d];
            int k = 0;
            while (k < size - 1 && u >= cumulative[k]) {
                k++;
            }
            noise.normals(particle, 1, scratch, 0, d);
            int o = offset + r * d;
            int m = k * d;
            double[] factor = factors[k];
            switch (forms[k]) {
                case SCALAR -> {
                    double root = factor[0];
                    for (int j = 0; j < d; j++) {
                        x[o + j] = means[m + j] + root * scratch[j];
                    }
                }
                case DIAGONAL -> {
                    for (int j = 0; j < d; j++) {
                        x[o + j] = means[m + j] + factor[j] * scratch[j];
                    }
                }
                case FULL -> {
                    for (int i = 0; i < d; i++) {
                        double v = means[m + i];
                        int row = i * d;
                        for (int j = 0; j <= i; j++) {
                            v += factor[row + j] * scratch[j];
                        }
                        x[o + i] = v;
                    }
                }
            }
        }
    }

    @Override
    public Optional<GaussianMixture> gaussianMixture() {
        return Optional.of(mixture);
    }
}
