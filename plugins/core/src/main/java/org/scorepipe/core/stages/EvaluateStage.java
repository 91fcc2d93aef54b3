package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.List;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.api.Stage;
import org.scorepipe.api.StageSpec;

/**
 * Measures the whole ensemble with each listed evaluator, in one step, and records their metrics,
 * merged into one entry, under the stage's name and the particles' time. Moves no particle.
 */
@Component(kind = ComponentKind.STAGE, name = "evaluate",
        doc = "Runs the listed evaluators on the whole ensemble and records their metrics.")
public final class EvaluateStage implements Stage {
    private final StageSpec stage;
    private final List<Evaluator> evaluators;
    private final RunOutputs outputs;

    @Inject
    public EvaluateStage(StageSpec stage, List<Evaluator> evaluators, RunOutputs outputs) {
        this.stage = requireNonNull(stage, "stage is null");
        this.evaluators = List.copyOf(requireNonNull(evaluators, "evaluators is null"));
        this.outputs = requireNonNull(outputs, "outputs is null");
        if (this.evaluators.isEmpty()) {
            throw new IllegalArgumentException(
                    "the evaluate stage needs at least one evaluator; list them under evaluators: [moments, ...]");
        }
    }

    @Override
    public long steps() {
        return 1;
    }

    @Override
    public boolean wholeEnsemble() {
        return true;
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k != 0) {
            throw new IllegalArgumentException("the evaluate stage has one step, got step " + k);
        }
        Particles particles = block.particles();
        double time = particles.time();
        Evaluator.EvalContext context = new Evaluator.EvalContext(stage.name(), time, noise);
        Metrics.Builder merged = Metrics.builder();
        for (Evaluator evaluator : evaluators) {
            Metrics metrics = evaluator.evaluate(particles, context);
            try {
                merged.putAll(metrics);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("stage " + stage.name() + ": " + e.getMessage()
                        + " (two evaluators report the same metric; list each evaluator once)", e);
            }
        }
        outputs.recordMetrics(stage.name(), time, merged.build());
    }
}
