package org.scorepipe.core.scores;

/**
 * The softmax of one point's logits {@code v[at + k*stride]}, {@code k < K}, in place: the
 * responsibilities of a mixture's components,
 * <pre>
 *   r_k = e^{l_k - max} / sum_j e^{l_j - max},    log sum_k e^{l_k} = max + log sum_j e^{l_j - max}
 * </pre>
 * with {@link Exp}. {@link Lanes} runs the same operations for many points at once in SIMD
 * lanes (points side by side, {@code stride} apart), so both give the same bits.
 */
final class Softmax {
    private Softmax() {
    }

    /** Replaces the logits by the responsibilities; returns the log-sum-exp. */
    static double apply(double[] v, int at, int size, int stride) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0, i = at; k < size; k++, i += stride) {
            if (v[i] > max) {
                max = v[i];
            }
        }
        double sum = 0.0;
        for (int k = 0, i = at; k < size; k++, i += stride) {
            double e = Exp.negative(v[i] - max);
            v[i] = e;
            sum += e;
        }
        double inverse = 1.0 / sum;
        for (int k = 0, i = at; k < size; k++, i += stride) {
            v[i] *= inverse;
        }
        return max + Math.log(sum);
    }
}
