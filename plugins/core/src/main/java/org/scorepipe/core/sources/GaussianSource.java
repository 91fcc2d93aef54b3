package org.scorepipe.core.sources;

import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.Noise;
import org.scorepipe.api.PipelineSpec;

/**
 * The standard normal {@code N(0, I)} in the pipeline's dimension {@code d}.
 *
 * <p>Row {@code r} is {@code x = z}, {@code z} the {@code d} normals of stream 0 of particle
 * {@code block.particleIndex(r)}.
 */
@Component(kind = ComponentKind.DATA_SOURCE, name = "gaussian",
        doc = "The standard normal N(0, I) in the pipeline's dimension.")
public final class GaussianSource implements DataSource {

    /** No parameters: the dimension is the pipeline's. */
    public record Params() {
    }

    private final int dimension;
    private final GaussianMixture mixture;

    @Inject
    public GaussianSource(Params params, PipelineSpec pipeline) {
        this.dimension = pipeline.dimension();
        this.mixture = new GaussianMixture(new double[] {1.0}, List.of(
                new GaussianMixture.Gaussian(new double[dimension], GaussianMixture.Form.SCALAR, new double[] {1.0})));
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public void sample(Block block, Noise noise) {
        noise.normalRows(block.particleIndex(0), block.size(), 0, block.data(), block.offset(), dimension);
    }

    /** The one-component mixture {@code N(0, I)}, written with a scalar variance 1. */
    @Override
    public Optional<GaussianMixture> gaussianMixture() {
        return Optional.of(mixture);
    }
}
