package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Stage;

/**
 * Runs a corrector at one fixed path time {@code t}: step {@code k} is one call
 * {@code corrector.correct(block, t, noise_k)}, e.g. {@code x += h s(x, t) + sqrt(2h) xi} for the
 * Langevin corrector. This is the corrector-only phase at {@code T1} of prediction-correction with
 * finite T1 (arXiv 2305.14164), and plain Langevin Monte Carlo on the data at {@code t = 0}
 * (Lee, Lu, Tan, polynomial complexity). The particles stay at time {@code t}.
 */
@Component(kind = ComponentKind.STAGE, name = "corrector",
        doc = "Applies a corrector (e.g. Langevin) a fixed number of times at one path time.")
public final class CorrectorStage implements Stage {

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("the path time the corrector targets") double time,
            @Doc("number of corrector calls, >= 0") int steps) {
        public Params {
            // Every noising path starts at t = 0; before it, noise scales are NaN (OU: sqrt(1 - e^{-2t})).
            if (!(time >= 0) || Double.isInfinite(time)) {
                throw new IllegalArgumentException("time must be a finite path time >= 0, got " + time);
            }
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be >= 0, got " + steps);
            }
        }
    }

    private final Params params;
    private final Corrector corrector;

    @Inject
    public CorrectorStage(Params params, Corrector corrector) {
        this.params = requireNonNull(params, "params is null");
        this.corrector = requireNonNull(corrector, "corrector is null");
    }

    /** As its corrector: a step size from ensemble averages needs every particle at once. */
    @Override
    public boolean wholeEnsemble() {
        return corrector.wholeEnsemble();
    }

    @Override
    public long steps() {
        return params.steps();
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k < 0 || k >= params.steps()) {
            throw new IllegalArgumentException("step " + k + " outside [0, " + params.steps() + ")");
        }
        corrector.correct(block, params.time(), noise);
    }

    /** Always {@code time}: the particles are meant to be at it from the start. */
    @Override
    public double time(long k, double start) {
        return params.time();
    }
}
