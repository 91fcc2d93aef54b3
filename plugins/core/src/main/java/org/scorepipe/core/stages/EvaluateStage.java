package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.MergeableStage;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.api.StageSpec;

/**
 * Measures the whole ensemble with each listed evaluator, in one step, and records their metrics,
 * merged into one entry, under the stage's name and the particles' time. Moves no particle.
 */
@Component(kind = ComponentKind.STAGE, name = "evaluate",
        doc = "Runs the listed evaluators on the whole ensemble and records their metrics.")
public final class EvaluateStage implements MergeableStage {
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
    public boolean observes() {
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
        List<Metrics> all = new ArrayList<>();
        for (Evaluator evaluator : evaluators) {
            all.add(evaluator.evaluate(particles, context));
        }
        record(all, time);
    }

    @Override
    public boolean mergeable() {
        return evaluators.stream().allMatch(e -> e instanceof MergeableEvaluator);
    }

    /** Each evaluator's statistics of the block, one after the other. */
    @Override
    public double[] partial(Block block, double time, Noise noise) {
        Evaluator.EvalContext context = new Evaluator.EvalContext(stage.name(), time, noise);
        double[][] parts = new double[evaluators.size()][];
        int length = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = ((MergeableEvaluator) evaluators.get(i)).partial(block, context);
            length += parts[i].length;
        }
        double[] joined = new double[length];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, joined, at, part.length);
            at += part.length;
        }
        return joined;
    }

    @Override
    public void finish(double[] statistics, long n, int dimension, double time, Noise noise) {
        Evaluator.EvalContext context = new Evaluator.EvalContext(stage.name(), time, noise);
        Block none = new Particles(0, dimension).all();
        List<Metrics> all = new ArrayList<>();
        int at = 0;
        for (Evaluator evaluator : evaluators) {
            MergeableEvaluator mergeable = (MergeableEvaluator) evaluator;
            int length = mergeable.partial(none, context).length;
            all.add(mergeable.combine(Arrays.copyOfRange(statistics, at, at + length), n, context));
            at += length;
        }
        if (at != statistics.length) {
            throw new IllegalStateException("stage " + stage.name() + ": " + statistics.length + " statistics for evaluators"
                    + " that take " + at);
        }
        record(all, time);
    }

    private void record(List<Metrics> all, double time) {
        Metrics.Builder merged = Metrics.builder();
        for (Metrics metrics : all) {
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
