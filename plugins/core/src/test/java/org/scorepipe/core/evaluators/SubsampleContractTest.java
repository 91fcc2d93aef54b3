package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.core.observers.EvaluateObserver;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

/**
 * {@link Evaluator#subsample}'s promise, which lets the Spark runner send the driver the
 * subsample alone: an evaluator that declares a cap gives, on the ensemble's evenly spaced rows
 * {@code floor(i n / m)} handed over as an ensemble of {@code m} particles, the very metrics it
 * gives on the whole ensemble.
 */
class SubsampleContractTest {
    private static final DataSource DATA = mixture(3, new Part(0.5, new double[] {1, 0, 0}, new double[] {1.0}),
            new Part(0.5, new double[] {-1, 2, 0}, new double[] {0.5, 1.0, 2.0}));
    private static final org.scorepipe.api.ScoreProvider SCORE = new AnalyticScore(new AnalyticScore.Params(), DATA,
            ornsteinUhlenbeck());

    @Test
    void theSubsampleAloneGivesTheWholeEnsemblesMetrics() {
        int cap = 120;
        List<Evaluator> evaluators = List.of(
                new MmdEvaluator(new MmdEvaluator.Params(Reference.NOISED, new double[0], 0, cap), DATA, ornsteinUhlenbeck()),
                new EnergyDistanceEvaluator(new EnergyDistanceEvaluator.Params(Reference.NOISED, 0, cap), DATA, ornsteinUhlenbeck()),
                new KnnKlEvaluator(new KnnKlEvaluator.Params(Reference.NOISED, 5, 0, cap), DATA, ornsteinUhlenbeck()),
                new SlicedWassersteinEvaluator(new SlicedWassersteinEvaluator.Params(Reference.NOISED, 16, 0, 0, cap), DATA,
                        ornsteinUhlenbeck()),
                new TailQuantilesEvaluator(new TailQuantilesEvaluator.Params(Reference.NOISED, new double[] {0.5, 0.9, 0.99}, 0,
                        cap), DATA, ornsteinUhlenbeck()),
                new TailQuantilesEvaluator(new TailQuantilesEvaluator.Params(Reference.DATA, new double[] {0.9}, 300, cap), DATA,
                        ornsteinUhlenbeck()),
                likelihood(LikelihoodEvaluator.Points.PARTICLES, cap),
                likelihood(LikelihoodEvaluator.Points.DATA, cap));
        for (int n : new int[] {121, 500, 1007}) {
            Particles all = sample(DATA, n, 3);
            all.setTime(0.3);
            Particles rows = new Particles(cap, 3, 0, Subsample.rows(all.data(), n, 3, cap), 0.3);
            EvalContext context = new EvalContext("eval", 0.3, evaluationNoise());
            for (Evaluator e : evaluators) {
                assertEquals(OptionalInt.of(cap), e.subsample());
                assertEquals(text(e.evaluate(all, context)), text(e.evaluate(rows, context)),
                        e.getClass().getSimpleName() + " at n = " + n);
            }
        }
    }

    /** A cheap likelihood (tolerance 1e-3, end 2, the closed-form score of DATA) under max-points {@code cap}. */
    private static Evaluator likelihood(LikelihoodEvaluator.Points points, int cap) {
        return new LikelihoodEvaluator(new LikelihoodEvaluator.Params(points, cap, -1, 2.0, LikelihoodEvaluator.Prior.NOISE,
                1e-3, LikelihoodEvaluator.Divergence.HUTCHINSON, 2, LikelihoodEvaluator.Probe.RADEMACHER,
                LikelihoodEvaluator.Difference.CENTRAL), DATA, ornsteinUhlenbeck(), SCORE);
    }

    /**
     * An {@code evaluate} of evaluators that merge and one that reads the subsample, finished as a
     * distributed runner finishes it (chunk statistics summed in index order, and the subsample's
     * rows), records the very metrics it records from the whole ensemble.
     */
    @Test
    void aMixedEvaluateFinishedFromStatisticsAndTheSubsampleEqualsTheWholeEnsembles() {
        int cap = 150;
        EvaluateObserver mixed = new EvaluateObserver(List.of(
                new MomentsEvaluator(new MomentsEvaluator.Params(Reference.NOISED, 0), DATA, ornsteinUhlenbeck()),
                new GaussianW2Evaluator(new GaussianW2Evaluator.Params(Reference.NOISED, 0), DATA, ornsteinUhlenbeck()),
                new ModeCoverageEvaluator(new ModeCoverageEvaluator.Params(Reference.NOISED, 0.01), DATA, ornsteinUhlenbeck()),
                new SlicedWassersteinEvaluator(new SlicedWassersteinEvaluator.Params(Reference.NOISED, 16, 0, 0, cap), DATA,
                        ornsteinUhlenbeck()),
                new TailQuantilesEvaluator(new TailQuantilesEvaluator.Params(Reference.NOISED, new double[] {0.9, 0.99}, 0, cap),
                        DATA, ornsteinUhlenbeck())));
        assertEquals(true, mixed.mergeable());
        assertEquals(OptionalInt.of(cap), mixed.subsampleBesides());
        assertEquals(OptionalInt.empty(), mixed.subsample(), "moments read every particle");
        int n = 1000;
        Particles all = sample(DATA, n, 3);
        all.setTime(0.3);
        List<Metrics> whole = new java.util.ArrayList<>();
        List<Metrics> finished = new java.util.ArrayList<>();
        mixed.observe(all, observation(whole));
        double[] sum = null;
        for (int from = 0; from < n; from += org.scorepipe.api.MergeableEvaluator.CHUNK) {
            double[] chunk = mixed.partial(all.block(from, Math.min(n, from + org.scorepipe.api.MergeableEvaluator.CHUNK)),
                    observation(finished));
            if (sum == null) {
                sum = chunk;
            } else {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += chunk[i];
                }
            }
        }
        mixed.finish(sum, n, 3, new Particles(cap, 3, 0, Subsample.rows(all.data(), n, 3, cap), 0.3), observation(finished));
        assertEquals(1, whole.size());
        assertEquals(text(whole.get(0)), text(finished.get(0)));
    }

    private static org.scorepipe.api.Observation observation(List<Metrics> into) {
        return new org.scorepipe.api.Observation("eval", 0, 0.3, evaluationNoise(), new org.scorepipe.api.RunOutputs() {
            @Override
            public void recordMetrics(String stage, double time, Metrics metrics) {
                into.add(metrics);
            }

            @Override
            public void saveSamples(String stage, String fileName, Particles particles) {
                throw new UnsupportedOperationException();
            }
        });
    }

    /** Every metric with its value's exact digits (arrays element by element). */
    private static String text(Metrics metrics) {
        StringBuilder out = new StringBuilder();
        metrics.values().forEach((name, v) -> out.append(name).append('=')
                .append(v instanceof double[] a ? java.util.Arrays.toString(a) : String.valueOf(v)).append('\n'));
        return out.toString();
    }

    @Test
    void anEvaluateObserverHasASubsampleOnlyWhenEveryEvaluatorSharesIt() {
        Evaluator mmd = new MmdEvaluator(new MmdEvaluator.Params(Reference.DATA, new double[0], 0, 100), DATA, ornsteinUhlenbeck());
        Evaluator energy = new EnergyDistanceEvaluator(new EnergyDistanceEvaluator.Params(Reference.DATA, 0, 100), DATA,
                ornsteinUhlenbeck());
        Evaluator wider = new EnergyDistanceEvaluator(new EnergyDistanceEvaluator.Params(Reference.DATA, 0, 200), DATA,
                ornsteinUhlenbeck());
        Evaluator moments = new MomentsEvaluator(new MomentsEvaluator.Params(Reference.DATA, 0), DATA, ornsteinUhlenbeck());
        assertEquals(OptionalInt.of(100), new EvaluateObserver(List.of(mmd, energy)).subsample());
        assertEquals(OptionalInt.empty(), new EvaluateObserver(List.of(mmd, wider)).subsample());
        assertEquals(OptionalInt.empty(), new EvaluateObserver(List.of(mmd, moments)).subsample());
    }
}
