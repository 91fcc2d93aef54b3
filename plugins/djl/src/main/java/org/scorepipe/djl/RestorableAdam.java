package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba 2015) whose state can be saved and restored, for a training that resumes:
 * DJL's {@code Adam} keeps its moments in private fields with no way to read or set them. The
 * update is DJL's, operation for operation, so a training with this optimiser takes the bits of
 * one with {@code Optimizer.adam()}: at the {@code k}-th update of a parameter ({@code k = 1, 2, ...})
 * <pre>
 *   lr_k = tracker(k),   c_k = lr_k sqrt(1 - beta2^k) / (1 - beta1^k)        (in double, then float)
 *   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g^2,   w -= c_k m / (sqrt(v) + eps)
 * </pre>
 * the last line being libtorch's fused {@code adam_update} through DJL's {@code NDArrayEx}, with
 * DJL's defaults {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8}, no weight decay, no clipping.
 *
 * <p>The state of a parameter is its update count and its two moments {@code m, v}; DJL keys it
 * by the parameter's id (a random UUID per process), so {@link #state} and {@link #restore} take
 * the parameters in the block's order and address them by position.
 */
final class RestorableAdam extends Optimizer {
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final float EPSILON = 1e-8f;

    private final ParameterTracker learningRate;
    private final Map<String, Moments> moments = new HashMap<>();
    private int numUpdate;

    /** One parameter's Adam state. */
    private static final class Moments {
        final NDArray mean;
        final NDArray variance;
        int count;

        Moments(NDArray mean, NDArray variance, int count) {
            this.mean = mean;
            this.variance = variance;
            this.count = count;
        }
    }

    /**
     * One parameter's saved state.
     *
     * @param count the updates it has had
     * @param mean m, as many floats as the parameter
     * @param variance v, likewise
     */
    record State(int count, float[] mean, float[] variance) {
        State {
            requireNonNull(mean, "mean is null");
            requireNonNull(variance, "variance is null");
        }
    }

    RestorableAdam(ParameterTracker learningRate) {
        super(new Builder());
        this.learningRate = requireNonNull(learningRate, "learningRate is null");
    }

    /** As DJL's {@code Optimizer.updateCount}: this parameter's count goes up by one; the largest count so far is returned. */
    @Override
    protected int updateCount(String parameterId) {
        Moments m = moments.get(parameterId);
        int count = m == null ? 1 : m.count + 1;
        if (m != null) {
            m.count = count;
        }
        numUpdate = Math.max(numUpdate, count);
        return numUpdate;
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        // DJL's Adam.update, in the same order and precision
        Moments state = moments.get(parameterId);
        int t = updateCount(parameterId);
        if (state == null) {
            state = new Moments(weight.zerosLike(), weight.zerosLike(), 1);
            moments.put(parameterId, state);
        }
        double coef1 = 1.0 - Math.pow(BETA1, t);
        double coef2 = 1.0 - Math.pow(BETA2, t);
        float lr = learningRate.getNewValue(parameterId, t);
        float biasCorrected = (float) (lr * Math.sqrt(coef2) / coef1);
        float weightDecay = getWeightDecay();
        if (Float.isNaN(biasCorrected) || Float.isNaN(weightDecay) || Float.isInfinite(biasCorrected)
                || Float.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("learning rate or weight decay is nan or infinite");
        }
        NDList inputs = new NDList(weight, grad, state.mean, state.variance);
        NDList weights = new NDList(weight);
        weight.getNDArrayInternal().adamUpdate(inputs, weights, lr, biasCorrected, weightDecay, rescaleGrad, clipGrad, BETA1,
                BETA2, EPSILON, true, false);
    }

    /** The state of each parameter, in the order given; a parameter not updated yet has count 0 and zero moments. */
    List<State> state(List<Parameter> parameters) {
        return parameters.stream().map(p -> {
            Moments m = moments.get(p.getId());
            int size = Math.toIntExact(p.getArray().size());
            return m == null ? new State(0, new float[size], new float[size])
                    : new State(m.count, m.mean.toFloatArray(), m.variance.toFloatArray());
        }).toList();
    }

    /**
     * Restores the state {@link #state} gave, for the same parameters in the same order (of a new
     * block with the same architecture); the largest count becomes the optimiser's update count.
     */
    void restore(List<Parameter> parameters, List<State> states) {
        if (parameters.size() != states.size()) {
            throw new IllegalArgumentException("the optimiser's state has " + states.size() + " parameters, the network "
                    + parameters.size());
        }
        moments.clear();
        numUpdate = 0;
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).getArray();
                State s = states.get(i);
                if (s.mean().length != w.size() || s.variance().length != w.size()) {
                    throw new IllegalArgumentException("the optimiser's state of parameter " + i + " has " + s.mean().length
                            + " numbers, the parameter " + w.size());
                }
                if (s.count() == 0) {
                    continue;
                }
                NDArray mean = w.zerosLike();
                TrainingState.overwrite(mean, s.mean());
                NDArray variance = w.zerosLike();
                TrainingState.overwrite(variance, s.variance());
                moments.put(parameters.get(i).getId(), new Moments(mean, variance, s.count()));
                numUpdate = Math.max(numUpdate, s.count());
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /** Only for the superclass's rescale, clip and weight-decay fields, left at DJL's defaults (1, none, 0). */
    private static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
