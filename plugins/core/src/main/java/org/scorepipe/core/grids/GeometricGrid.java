package org.scorepipe.core.grids;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.TimeGrid;

/**
 * Geometric noise levels {@code sigma_1 > ... > sigma_L} of annealed Langevin dynamics (Song &amp;
 * Ermon, "Generative modeling by estimating gradients of the data distribution", NeurIPS 2019):
 * <pre>
 *   sigma_l = first (last / first)^{(l - 1) / (L - 1)},   l = 1 .. L
 * </pre>
 * so {@code sigma_{l+1} / sigma_l} is one constant ratio. As a {@link TimeGrid} it returns the
 * times of the pipeline's path at these levels, {@code t_l} with {@code noiseScale(t_l) = sigma_l}
 * ({@link NoiseLevels}: bisection on the path's increasing noise scale). Times are what every
 * score, predictor and corrector takes, so the levels mean the same on any path; on the
 * variance-exploding path they are exactly NCSN's {@code sigma_l}.
 */
@Component(kind = ComponentKind.TIME_GRID, name = "geometric",
        doc = "Geometric noise levels first > ... > last (NCSN), returned as the path's times at those noise scales.")
public final class GeometricGrid implements TimeGrid {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the largest noise level sigma_1, > last") double first,
            @Doc("the smallest noise level sigma_L, > 0") double last,
            @Doc("the number of levels L, >= 2") int levels) {
        public Params {
            if (!(last > 0) || Double.isInfinite(last)) {
                throw new IllegalArgumentException("last must be a finite number > 0, got " + last);
            }
            if (!(first > last) || Double.isInfinite(first)) {
                throw new IllegalArgumentException("first must be a finite number > last = " + last + ", got " + first);
            }
            if (levels < 2) {
                throw new IllegalArgumentException("levels must be >= 2, got " + levels);
            }
        }
    }

    private final double[] sigmas;
    private final double[] times;

    @Inject
    public GeometricGrid(Params params, NoisingPath path) {
        int count = params.levels();
        this.sigmas = new double[count];
        double logRatio = Math.log(params.last() / params.first());
        for (int l = 0; l < count; l++) {
            sigmas[l] = params.first() * Math.exp(logRatio * l / (count - 1));
        }
        sigmas[0] = params.first();
        sigmas[count - 1] = params.last();
        this.times = NoiseLevels.times(path, sigmas);
    }

    /** The noise levels {@code sigma_1 .. sigma_L}. */
    public double[] noiseLevels() {
        return sigmas.clone();
    }

    @Override
    public double[] times() {
        return times.clone();
    }
}
