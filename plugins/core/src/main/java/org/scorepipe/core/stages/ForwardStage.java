package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Stage;

/**
 * Noises the particles forward along the path from time {@code from} to {@code to}, in one step,
 * with the path's exact transition {@code X_to = a X_from + s xi},
 * {@code a = alpha_to / alpha_from}, {@code s^2 = sigma_to^2 - a^2 sigma_from^2}, {@code xi ~ N(0, I)}
 * from stream 0 ({@link NoisingPath#push}). With particles drawn from the data at {@code from = 0}
 * this gives exact samples of the marginal at {@code to}, e.g. the forward OU process to a finite
 * {@code T1} of prediction-correction with finite T1 (arXiv 2305.14164).
 */
@Component(kind = ComponentKind.STAGE, name = "forward",
        doc = "Moves the particles forward along the noising path from time 'from' to time 'to' with the exact transition.")
public final class ForwardStage implements Stage {

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("the path time the particles are at") @Default("0.0") double from,
            @Doc("the path time to noise them to, >= from") double to) {
        public Params {
            if (!Double.isFinite(from) || !Double.isFinite(to)) {
                throw new IllegalArgumentException("from and to must be finite, got from = " + from + ", to = " + to);
            }
            if (to < from) {
                throw new IllegalArgumentException("to must be >= from (the forward process runs forward in time), got from = "
                        + from + ", to = " + to + "; to go backwards use a sample stage");
            }
        }
    }

    private final Params params;
    private final NoisingPath path;

    @Inject
    public ForwardStage(Params params, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.path = requireNonNull(path, "path is null");
    }

    @Override
    public long steps() {
        return 1;
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k != 0) {
            throw new IllegalArgumentException("the forward stage has one step, got step " + k);
        }
        path.push(block, params.from(), params.to(), noise);
    }

    /** {@code start} before the step, {@code to} after it. */
    @Override
    public double time(long k, double start) {
        return k == 0 ? start : params.to();
    }
}
