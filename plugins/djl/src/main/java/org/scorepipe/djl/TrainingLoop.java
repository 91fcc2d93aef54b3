package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.IntToDoubleFunction;

/**
 * The optimiser loop of every trainer here ({@link DenoisingScoreMatching}, {@link PatchTraining}):
 * Xavier-initialised weights, Adam ({@link RestorableAdam}) on a learning rate decayed along a
 * cosine to a hundredth of it, an optional exponential moving average of the weights
 * ({@link WeightAverage}), the loss of every step and a held-out loss every so often, and a
 * checkpoint of all of it ({@link TrainingState}) every {@code checkpointEvery} steps, from which a
 * killed training continues exactly as an uninterrupted one would. A trainer supplies only its
 * network, its batch and its loss.
 */
final class TrainingLoop {
    private TrainingLoop() {
    }

    /** Told after each optimiser step. */
    interface Progress {
        void step(int step, int steps, double loss);
    }

    /** The loss of step {@code k}: draws the step's batch and returns its mean loss, to be differentiated. */
    interface Step {
        NDArray loss(int k, NDManager manager, Trainer trainer);
    }

    /**
     * How the loop runs.
     *
     * @param steps optimiser steps
     * @param learningRate Adam's base learning rate
     * @param ema the weight average's decay, 0 for none
     * @param checkpointEvery steps between checkpoints, 0 for none
     * @param heldOutEvery steps between held-out losses (and at the last step), 0 for none
     * @param divergence what to tell a user whose loss is not finite: which keys to change
     */
    record Schedule(int steps, double learningRate, double ema, int checkpointEvery, int heldOutEvery, String divergence) {
        Schedule {
            requireNonNull(divergence, "divergence is null");
        }
    }

    /**
     * What the loop did.
     *
     * @param losses the loss of each step
     * @param heldOutLosses the held-out loss after each step, NaN where none was measured
     * @param finalLoss the mean loss over the last tenth of the steps
     */
    record Outcome(double[] losses, double[] heldOutLosses, double finalLoss) {
    }

    /**
     * Trains {@code model}'s block, initialised for {@code inputs}, continuing from {@code resume}
     * if given; ends with the average's weights in the block when there is an average.
     *
     * @param heldOut the held-out loss under the block's current weights, or null for none
     */
    static Outcome run(Model model, Schedule schedule, Shape[] inputs, Step step, IntToDoubleFunction heldOut,
            Optional<org.scorepipe.api.Trainer.State> resume, Consumer<org.scorepipe.api.Trainer.State> checkpoint,
            Progress progress) {
        int steps = schedule.steps();
        double[] losses = new double[steps];
        double[] heldOutLosses = new double[steps];
        Arrays.fill(heldOutLosses, Double.NaN);
        double tailSum = 0;
        int tailCount = 0;
        int tailFrom = steps - Math.max(1, steps / 10);
        Tracker rate = Tracker.cosine().setBaseValue((float) schedule.learningRate())
                .optFinalValue((float) (schedule.learningRate() / 100)).setMaxUpdates(steps).build();
        RestorableAdam adam = new RestorableAdam(rate);
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
                .optOptimizer(adam);
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(inputs);
            List<Parameter> parameters = new ArrayList<>();
            model.getBlock().getParameters().forEach(p -> parameters.add(p.getValue()));
            WeightAverage average = schedule.ema() > 0 ? new WeightAverage(parameters, schedule.ema(), trainer.getManager())
                    : null;
            int first = 0;
            if (resume.isPresent()) {
                TrainingState state = TrainingState.read(resume.get().bytes());
                if (state.step() != resume.get().step() || state.step() >= steps) {
                    throw new IllegalArgumentException("the checkpoint's training state is at step " + state.step()
                            + ", its record at step " + resume.get().step() + " of " + steps + ": it is corrupt");
                }
                state.restore(parameters, adam, average);
                first = state.step();
                System.arraycopy(state.losses(), 0, losses, 0, first);
                System.arraycopy(state.heldOutLosses(), 0, heldOutLosses, 0, first);
                for (int k = tailFrom; k < first; k++) {
                    tailSum += losses[k];
                    tailCount++;
                }
            }
            for (int k = first; k < steps; k++) {
                double loss;
                try (NDManager m = trainer.getManager().newSubManager()) {
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray l = step.loss(k, m, trainer);
                        collector.backward(l);
                        loss = l.getFloat();
                    }
                    trainer.step();
                }
                if (average != null) {
                    average.update();
                }
                if (!Double.isFinite(loss)) {
                    throw new IllegalStateException("the loss is " + loss + " at step " + (k + 1) + "; " + schedule.divergence());
                }
                if (k >= tailFrom) {
                    tailSum += loss;
                    tailCount++;
                }
                losses[k] = loss;
                if (heldOut != null && schedule.heldOutEvery() > 0 && ((k + 1) % schedule.heldOutEvery() == 0 || k + 1 == steps)) {
                    heldOutLosses[k] = heldOut.applyAsDouble(k);
                }
                progress.step(k + 1, steps, loss);
                if (schedule.checkpointEvery() > 0 && (k + 1) % schedule.checkpointEvery() == 0 && k + 1 < steps) {
                    byte[] bytes = TrainingState.of(k + 1, parameters, adam, average, losses, heldOutLosses).write();
                    checkpoint.accept(new org.scorepipe.api.Trainer.State(k + 1, steps, bytes));
                }
            }
            if (average != null) {
                average.copyInto();
            }
        }
        return new Outcome(losses, heldOutLosses, tailSum / tailCount);
    }
}
