package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * An exponential moving average of a network's parameters (Polyak &amp; Juditsky 1992; the
 * weights diffusion models sample with, Ho et al. 2020, Song et al. 2021), with TensorFlow's
 * {@code tf.train.ExponentialMovingAverage} warm-up of the decay:
 * <pre>
 *   avg_0 = theta_0                                     (the initial parameters)
 *   beta_k = min(beta, (1 + k) / (10 + k))              k = 0, 1, 2, ... the update's index
 *   avg_{k+1} = beta_k avg_k + (1 - beta_k) theta_{k+1}  after optimiser step k + 1
 * </pre>
 * The warm-up keeps the initial parameters from weighing on a short run (with {@code beta = 0.999}
 * and no warm-up they would still carry {@code 0.999^2000 = 13%} of the average after 2000 steps).
 * The average lives in the manager given, apart from the parameters; {@link #copyInto} writes it
 * over them.
 */
final class WeightAverage {
    private final List<Parameter> parameters;
    private final List<NDArray> averages = new ArrayList<>();
    private final double beta;
    private long updates;

    /**
     * @param parameters the parameters to average (initialised)
     * @param beta the decay, in [0, 1)
     * @param manager where the averages live
     */
    WeightAverage(List<Parameter> parameters, double beta, NDManager manager) {
        this.parameters = List.copyOf(requireNonNull(parameters, "parameters is null"));
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("ema must be in [0, 1), got " + beta);
        }
        this.beta = beta;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (Parameter p : this.parameters) {
                NDArray a = manager.zeros(p.getArray().getShape(), p.getArray().getDataType());
                a.addi(p.getArray());
                averages.add(a);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** The decay of update {@code k} (0-based): {@code min(beta, (1 + k) / (10 + k))}. */
    static double decay(double beta, long k) {
        return Math.min(beta, (1.0 + k) / (10.0 + k));
    }

    /** Folds the parameters as they are now into the average. */
    void update() {
        double b = decay(beta, updates++);
        // avg += (1 - b) (theta - avg), in place
        eachPair((theta, a) -> {
            try (NDArray step = theta.sub(a)) {
                a.addi(step.muli(1.0 - b));
            }
        });
    }

    /** The updates folded in so far. */
    long updates() {
        return updates;
    }

    /** The average of each parameter, in float32, in the order of the parameters given. */
    float[][] averages() {
        float[][] out = new float[averages.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = averages.get(i).toFloatArray();
        }
        return out;
    }

    /** Goes back to what {@link #updates} and {@link #averages} gave (a training that resumes). */
    void restore(long updates, float[][] values) {
        if (values.length != averages.size()) {
            throw new IllegalArgumentException("the weight average's state has " + values.length + " parameters, the network "
                    + averages.size());
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i].length != averages.get(i).size()) {
                throw new IllegalArgumentException("the weight average of parameter " + i + " has " + values[i].length
                        + " numbers, the parameter " + averages.get(i).size());
            }
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < values.length; i++) {
                TrainingState.overwrite(averages.get(i), values[i]);
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        this.updates = updates;
    }

    /** Overwrites the parameters with the average. */
    void copyInto() {
        eachPair((theta, a) -> {
            try (NDArray delta = a.sub(theta)) {
                theta.addi(delta);
            }
        });
    }

    /** Runs {@code action} on each parameter and its average, in place, outside gradient recording. */
    private void eachPair(java.util.function.BiConsumer<NDArray, NDArray> action) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < parameters.size(); i++) {
                action.accept(parameters.get(i).getArray(), averages.get(i));
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }
}
