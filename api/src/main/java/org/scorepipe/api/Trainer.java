package org.scorepipe.api;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fits a model to a pipeline's data, for {@code scorepipe train}: the component built from a
 * pipeline file's {@code train:} section, by the rules of every component (its parameter record
 * from the section, its {@link DataSource} and {@link NoisingPath} from the section's
 * {@code data}/{@code path} keys or the pipeline's only shared one). A plugin ships a trainer as
 * it ships a corrector: a class annotated {@code @Component(kind = TRAINER, name = ...)}; the
 * section names it with {@code type}, and may leave it out when one trainer is installed.
 */
public interface Trainer {
    /**
     * Checks, before anything is written, what training needs of this machine (a native engine,
     * say), so that a missing piece leaves no run directory behind.
     *
     * @throws IllegalArgumentException saying what is missing and what to do
     */
    default void prepare() {
    }

    /**
     * Refuses, before anything is written, an export this trainer cannot make ({@code
     * --export-onnx} of a model the ONNX graph cannot express, say).
     *
     * @throws IllegalArgumentException saying why and what to do instead
     */
    default void checkExport(boolean exportOnnx) {
    }

    /**
     * Trains, writing the model's files into {@link Context#directory()}.
     *
     * @throws IllegalArgumentException or {@link IllegalStateException} for a training that
     *     cannot go on (a diverging loss, say), with a message for the user
     */
    Result train(Context context);

    /** What a training run is given by the runtime. */
    interface Context {
        /** The run directory, new and owned by this training: write the outputs here. */
        Path directory();

        /**
         * The noise of optimiser step {@code step}: its numbers for batch row {@code i} and stream
         * {@code j} are a pure function of {@code (seed, step, i, j)}, so a training is repeatable.
         * One thread at a time.
         */
        Noise noise(long step);

        /**
         * Noise keyed apart from every step's {@link #noise}, for a held-out batch: the same for the
         * whole training, and for a training that resumes. By default the noise of step -1, which no
         * optimiser step uses; the runtime keys it by a stream of its own.
         */
        default Noise heldOutNoise() {
            return noise(-1);
        }

        /**
         * The state a killed training last {@linkplain #checkpoint checkpointed}, to continue from
         * (the runtime has checked that the config is the same); empty for a new training.
         */
        default java.util.Optional<State> resumeFrom() {
            return java.util.Optional.empty();
        }

        /**
         * Keeps the trainer's state after a step, replacing the one kept before, so that a killed
         * training can continue from it ({@link #resumeFrom}): the runtime writes it atomically, with the
         * config, into the run directory. By default it keeps nothing.
         *
         * @throws IllegalStateException if it cannot be written (the training should stop)
         */
        default void checkpoint(State state) {
        }

        /** The pipeline's seed, for what the trainer's engine seeds itself (weight initialisation). */
        long seed();

        /** Whether the user asked for an ONNX copy of the model as well ({@code --export-onnx}). */
        boolean exportOnnx();

        /** Told after each optimiser step; the runtime shows progress and the time left. */
        void progress(int step, int steps, double loss);
    }

    /**
     * A trainer's state after a step, as opaque bytes in a format of the trainer's own (with its own
     * version check): for a training that resumes to take the path of an uninterrupted one, all that
     * the remaining steps read (weights, optimiser moments and step count, weight averages, the loss
     * history so far).
     *
     * @param step the optimiser steps done, 1 to {@code steps}
     * @param steps the steps the training has in all
     * @param bytes the state
     */
    record State(int step, int steps, byte[] bytes) {
        public State {
            if (step < 0 || steps < 1 || step > steps) {
                throw new IllegalArgumentException("need 0 <= step <= steps, steps >= 1, got step " + step + " of " + steps);
            }
            requireNonNull(bytes, "bytes is null");
        }
    }

    /**
     * What a training produced, for the user.
     *
     * @param summary one line: what was trained on what, e.g. "a silu MLP [128, 128] predicting epsilon"
     * @param finalLoss the loss at the end (a mean over the last steps)
     * @param files the files written, by what they are ("djl model", "loss curve"), in order
     * @param usage how to sample with the model, e.g. the {@code --set} options for a score provider
     */
    record Result(String summary, double finalLoss, Map<String, Path> files, String usage) {
        public Result {
            requireNonNull(summary, "summary is null");
            files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
            requireNonNull(usage, "usage is null");
        }
    }
}
