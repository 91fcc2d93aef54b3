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
 * particles; when the others all read the evenly spaced subsample under one cap (sliced
 * Wasserstein, MMD, ...), the statistics and that subsample ({@link #subsampleBesides}).
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

    /** Whether some evaluators merge, and the others (if any) read one subsample. */
    @Override
    public boolean mergeable() {
        List<Evaluator> rest = others();
        return rest.size() < evaluators.size() && (rest.isEmpty() || common(rest).isPresent());
    }

    /** The subsample cap the evaluators that do not merge share, if there are such evaluators. */
    @Override
    public OptionalInt subsampleBesides() {
        List<Evaluator> rest = others();
        return rest.isEmpty() ? OptionalInt.empty() : common(rest);
    }

    private List<Evaluator> others() {
        return evaluators.stream().filter(e -> !(e instanceof MergeableEvaluator)).toList();
    }

    private static OptionalInt common(List<Evaluator> some) {
        OptionalInt first = some.get(0).subsample();
        return some.stream().allMatch(e -> e.subsample().equals(first)) ? first : OptionalInt.empty();
    }

    /** The statistics of the block of each evaluator that merges, one after the other. */
    @Override
    public double[] partial(Block block, Observation at) {
        Evaluator.EvalContext context = at.evalContext();
        List<MergeableEvaluator> merging = merging();
        double[][] parts = new double[merging.size()][];
        int length = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = merging.get(i).partial(block, context);
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

    private List<MergeableEvaluator> merging() {
        return evaluators.stream().filter(e -> e instanceof MergeableEvaluator).map(e -> (MergeableEvaluator) e).toList();
    }

    @Override
    public void finish(double[] statistics, long n, int dimension, Observation at) {
        if (!others().isEmpty()) {
            throw new IllegalStateException(at.name() + ": evaluators that do not merge need the subsample too");
        }
        finish(statistics, n, dimension, null, at);
    }

    /**
     * The metrics of every evaluator in the listed order: those that merge from the statistics,
     * the others from the subsample, which gives them what the whole ensemble would
     * ({@link Evaluator#subsample}).
     */
    @Override
    public void finish(double[] statistics, long n, int dimension, Particles subsample, Observation at) {
        Evaluator.EvalContext context = at.evalContext();
        Block none = new Particles(0, dimension).all();
        List<Metrics> all = new ArrayList<>();
        int offset = 0;
        for (Evaluator evaluator : evaluators) {
            if (!(evaluator instanceof MergeableEvaluator mergeable)) {
                all.add(evaluator.evaluate(requireNonNull(subsample, "subsample is null"), context));
                continue;
            }
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
