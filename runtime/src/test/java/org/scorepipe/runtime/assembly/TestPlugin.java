package org.scorepipe.runtime.assembly;

import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Evaluator;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Plugin;
import org.scorepipe.api.ScoreProvider;
import org.scorepipe.api.Stage;
import org.scorepipe.api.StageSpec;
import org.scorepipe.api.Trainer;

/** Small components that exercise every way the assembler wires things. */
public final class TestPlugin implements Plugin {
    @Override
    public String name() {
        return "test";
    }

    @Override
    public String apiVersion() {
        return API_VERSION;
    }

    @Override
    public List<Class<?>> components() {
        return List.of(Points.class, Linear.class, Nudge.class, Walk.class, Count.class, Fussy.class, Fit.class, Patchwise.class,
                Chain.class);
    }

    @Component(kind = ComponentKind.DATA_SOURCE, name = "points", doc = "Scaled standard normal points.")
    public static final class Points implements DataSource {
        public record Params(@Doc("scale") @Default("1.0") double scale, @Doc("dimension override") @Default("0") int dimension,
                @Doc("a file it names (never read); none by default") @Default("") @FilePath String file) {
        }

        final Params params;
        final PipelineSpec spec;

        @Inject
        public Points(Params params, PipelineSpec spec) {
            this.params = params;
            this.spec = spec;
        }

        @Override
        public int dimension() {
            return params.dimension() > 0 ? params.dimension() : spec.dimension();
        }

        @Override
        public void sample(Block block, Noise noise) {
        }
    }

    @Component(kind = ComponentKind.SCORE_PROVIDER, name = "linear", doc = "The score -p x; its conditionals too.")
    public static final class Linear implements ScoreProvider, ConditionalScore {
        public record Params(@Doc("precision p") double precision) {
            public Params {
                if (!(precision > 0)) {
                    throw new IllegalArgumentException("precision must be > 0, got " + precision);
                }
            }
        }

        final Params params;
        final DataSource data;

        @Inject
        public Linear(Params params, DataSource data) {
            this.params = params;
            this.data = data;
        }

        @Override
        public void score(double[] x, int offset, int rows, double t, double[] out) {
        }

        @Override
        public int stateWidth(int from, int to) {
            return 0;
        }

        @Override
        public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
        }

        @Override
        public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int stateOffset,
                double[] out) {
        }
    }

    @Component(kind = ComponentKind.CONDITIONAL_SCORE, name = "patchwise", doc = "A conditional score and nothing else.")
    public static final class Patchwise implements ConditionalScore {
        @Inject
        public Patchwise() {
        }

        @Override
        public int stateWidth(int from, int to) {
            return 0;
        }

        @Override
        public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
        }

        @Override
        public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int stateOffset,
                double[] out) {
        }
    }

    @Component(kind = ComponentKind.STAGE, name = "chain", doc = "A stage that needs a conditional score.")
    public static final class Chain implements Stage {
        final ConditionalScore conditional;

        @Inject
        public Chain(ConditionalScore conditional) {
            this.conditional = conditional;
        }

        @Override
        public long steps() {
            return 1;
        }

        @Override
        public void step(long k, Block block, Noise noise) {
        }
    }

    @Component(kind = ComponentKind.CORRECTOR, name = "nudge", doc = "Does nothing, carefully.")
    public static final class Nudge implements Corrector {
        public enum Mode { PLAIN, EXTRA_CAREFUL }

        public record Params(@Doc("step size") double step, @Doc("inner steps") @Default("1") int steps,
                @Doc("mode") @Default("plain") Mode mode, @Doc("weights") @Default("[0.5, 0.5]") double[] weights) {
        }

        final Params params;
        final ScoreProvider score;

        @Inject
        public Nudge(Params params, ScoreProvider score) {
            this.params = params;
            this.score = score;
        }

        @Override
        public void correct(Block block, double t, Noise noise) {
        }
    }

    @Component(kind = ComponentKind.EVALUATOR, name = "count", doc = "Counts particles.")
    public static final class Count implements Evaluator {
        @Inject
        public Count() {
        }

        @Override
        public Metrics evaluate(Particles particles, EvalContext context) {
            return Metrics.builder().put("count", particles.size()).build();
        }
    }

    @Component(kind = ComponentKind.STAGE, name = "walk", doc = "A stage with an optional corrector.")
    public static final class Walk implements Stage {
        public record Params(@Doc("steps") int steps) {
        }

        final Params params;
        final StageSpec stage;
        final Optional<Corrector> corrector;
        final List<Evaluator> evaluators;

        @Inject
        public Walk(Params params, StageSpec stage, Optional<Corrector> corrector, List<Evaluator> evaluators) {
            this.params = params;
            this.stage = stage;
            this.corrector = corrector;
            this.evaluators = evaluators;
        }

        @Override
        public long steps() {
            return params.steps();
        }

        @Override
        public void step(long k, Block block, Noise noise) {
        }
    }

    @Component(kind = ComponentKind.STAGE, name = "fussy", doc = "Refuses its weights.")
    public static final class Fussy implements Stage {
        public record Params(@Doc("weights") double[] weights) {
        }

        @Inject
        public Fussy(Params params) {
            double sum = 0;
            for (double w : params.weights()) {
                sum += w;
            }
            if (Math.abs(sum - 1) > 1e-9) {
                throw new IllegalArgumentException("weights sum to " + sum + ", not 1; fix the weights");
            }
        }

        @Override
        public long steps() {
            return 0;
        }

        @Override
        public void step(long k, Block block, Noise noise) {
        }
    }

    @Component(kind = ComponentKind.TRAINER, name = "fit", doc = "A trainer that records what it was built with.")
    public static final class Fit implements Trainer {
        public record Params(@Doc("optimiser steps") @Default("10") int steps) {
        }

        final Params params;
        final DataSource data;

        @Inject
        public Fit(Params params, DataSource data) {
            this.params = params;
            this.data = data;
        }

        @Override
        public Result train(Context context) {
            return new Result("nothing", 0, java.util.Map.of(), "");
        }
    }
}
