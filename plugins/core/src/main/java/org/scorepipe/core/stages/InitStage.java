package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Stage;

/**
 * Puts every particle at its starting point, in one step.
 *
 * <ul>
 *   <li>{@code from: gaussian}: {@code x_i = scale * xi_i}, {@code xi_i ~ N(0, I)} drawn from stream 0
 *       of particle {@code i}'s noise (the reverse samplers' start, e.g. N(0, I) at the final time of
 *       an Ornstein-Uhlenbeck path);</li>
 *   <li>{@code from: data}: {@code x_i} an independent draw of the pipeline's data source (a forward
 *       stage then noises it).</li>
 * </ul>
 * The particles are then at the path time {@code time}.
 */
@Component(kind = ComponentKind.STAGE, name = "init",
        doc = "Overwrites every particle with scale * N(0, I) or with a sample of the data source, at a given time.")
public final class InitStage implements Stage {

    /** Where the particles come from. */
    public enum Source {
        /** {@code scale * N(0, I)}. */
        GAUSSIAN,
        /** A sample of the pipeline's data source. */
        DATA
    }

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("where the particles come from: gaussian (scale * N(0, I)) or data (the data source)")
            @Default("gaussian") Source from,
            @Doc("standard deviation of the Gaussian start (from: gaussian only)") @Default("1.0") double scale,
            @Doc("the path time the particles are at afterwards") @Default("0.0") double time) {
        public Params {
            requireNonNull(from, "from is null");
            if (!(scale > 0) || Double.isInfinite(scale)) {
                throw new IllegalArgumentException("scale must be a finite number > 0, got " + scale);
            }
            // Every noising path starts at t = 0; before it, noise scales are NaN (OU: sqrt(1 - e^{-2t})).
            if (!(time >= 0) || Double.isInfinite(time)) {
                throw new IllegalArgumentException("time must be a finite path time >= 0, got " + time);
            }
        }
    }

    private final Params params;
    private final DataSource data;

    @Inject
    public InitStage(Params params, DataSource data) {
        this.params = requireNonNull(params, "params is null");
        this.data = requireNonNull(data, "data is null");
    }

    @Override
    public long steps() {
        return 1;
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k != 0) {
            throw new IllegalArgumentException("the init stage has one step, got step " + k);
        }
        if (params.from() == Source.DATA) {
            data.sample(block, noise);
            return;
        }
        int d = block.dimension();
        double[] x = block.data();
        double scale = params.scale();
        int o = block.offset();
        noise.normalRows(block.particleIndex(0), block.size(), 0, x, o, d);
        for (int j = o, end = o + block.size() * d; j < end; j++) {
            x[j] *= scale;
        }
    }

    /** {@code start} before the step, {@code time} after it. */
    @Override
    public double time(long k, double start) {
        return k == 0 ? start : params.time();
    }
}
