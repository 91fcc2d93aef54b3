package org.scorepipe.core.grids;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Doc;
import org.scorepipe.api.TimeGrid;

/**
 * {@code steps + 1} equally spaced times {@code t_i = from + (to - from) i / steps},
 * {@code i = 0 .. steps}, with {@code t_0 = from} and {@code t_steps = to} exactly. A reverse
 * sampler runs it with {@code from > to} (e.g. {@code from: 1.0, to: 0.001}).
 */
@Component(kind = ComponentKind.TIME_GRID, name = "uniform",
        doc = "steps + 1 equally spaced times from 'from' to 'to', both ends exact.")
public final class UniformGrid implements TimeGrid {

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("the first time") double from,
            @Doc("the last time") double to,
            @Doc("number of intervals, >= 1") int steps) {
        public Params {
            if (!Double.isFinite(from)) {
                throw new IllegalArgumentException("from must be a finite number, got " + from);
            }
            if (!Double.isFinite(to)) {
                throw new IllegalArgumentException("to must be a finite number, got " + to);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be >= 1, got " + steps);
            }
        }
    }

    private final double from;
    private final double to;
    private final int steps;

    @Inject
    public UniformGrid(Params params) {
        if (params.from() == params.to()) {
            throw new IllegalArgumentException("from and to are both " + params.from()
                    + "; give two different times");
        }
        this.from = params.from();
        this.to = params.to();
        this.steps = params.steps();
    }

    @Override
    public double[] times() {
        double[] times = new double[steps + 1];
        double span = to - from;
        for (int i = 0; i < steps; i++) {
            times[i] = from + span * i / steps;
        }
        times[steps] = to;
        return times;
    }
}
