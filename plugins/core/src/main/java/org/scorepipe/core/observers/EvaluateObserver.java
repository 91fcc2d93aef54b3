package org.scorepipe.core.observers;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.MergeableObserver;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Particles;

/**
 * Measures the ensemble with each listed evaluator and records their metrics, merged into one
 * entry, under the observation's name and time: an {@code evaluate} entry between stages, or
 * the curve of a stage's {@code every: N}. When every evaluator is a {@link MergeableEvaluator},
 * a distributed runner feeds it statistics from where the particles live instead of the
 * particles.
 */
@Component(kind = ComponentKind.OBSERVER, name = "evaluate",
        doc = "Runs the listed evaluators on the whole ensemble and records their metrics.")
public final class EvaluateObserver implements MergeableObserver {
    private final List<Evaluator> evaluators;

    @Inject
    public EvaluateObserver(List<Evaluator> evaluators) {
        this.evaluators = List.copyOf(requireNonNull(evaluators, "evaluators is null"));
        if (this.evaluators.isEmpty()) {
            throw new IllegalArgumentException("evaluate needs at least one evaluator; list them under evaluators: [moments, ...]");
        }
    }

    @Override
    public void observe(Particles particles, Observation at) {
        Evaluator.EvalContext context = at.evalContext();
        List<Metrics> all = new ArrayList<>();
        for (Evaluator evaluator : evaluators) {
            all.add(evaluator.evaluate(particles, context));
        }
        record(all, at);
    }

    /** The evaluators' common subsample cap, when every one of them reads only the subsample under the same cap. */
    @Override
    public OptionalInt subsample() {
        OptionalInt first = evaluators.get(0).subsample();
        return evaluators.stream().allMatch(e -> e.subsample().equals(first)) ? first : OptionalInt.empty();
    }

    @Override
    public boolean mergeable() {
        return evaluators.stream().allMatch(e -> e instanceof MergeableEvaluator);
    }

    /** Each evaluator's statistics of the block, one after the other. */
    @Override
    public double[] partial(Block block, Observation at) {
        Evaluator.EvalContext context = at.evalContext();
        double[][] parts = new double[evaluators.size()][];
        int length = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = ((MergeableEvaluator) evaluators.get(i)).partial(block, context);
            length += parts[i].length;
        }
        double[] joined = new double[length];
        int offset = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, joined, offset, part.length);
            offset += part.length;
        }
        return joined;
    }

    @Override
    public void finish(double[] statistics, long n, int dimension, Observation at) {
        Evaluator.EvalContext context = at.evalContext();
        Block none = new Particles(0, dimension).all();
        List<Metrics> all = new ArrayList<>();
        int offset = 0;
        for (Evaluator evaluator : evaluators) {
            MergeableEvaluator mergeable = (MergeableEvaluator) evaluator;
            int length = mergeable.partial(none, context).length;
            all.add(mergeable.combine(Arrays.copyOfRange(statistics, offset, offset + length), n, context));
            offset += length;
        }
        if (offset != statistics.length) {
            throw new IllegalStateException(at.name() + ": " + statistics.length + " statistics for evaluators that take " + offset);
        }
        record(all, at);
    }

    private static void record(List<Metrics> all, Observation at) {
        Metrics.Builder merged = Metrics.builder();
        for (Metrics metrics : all) {
            try {
                merged.putAll(metrics);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at.name() + ": " + e.getMessage()
                        + " (two evaluators report the same metric; list each evaluator once)", e);
            }
        }
        at.outputs().recordMetrics(at.name(), at.time(), merged.build());
    }
}
