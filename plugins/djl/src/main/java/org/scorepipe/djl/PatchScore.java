package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.nio.file.Path;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.ConditionalScore;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;

/**
 * The learned conditional score of chained Langevin dynamics: the recurrent patch network
 * ({@link PatchNetwork}) that {@code scorepipe train} with {@code type: patch-dsm} writes,
 * <pre>
 *   s(y | x_{&lt;j}, t) = -eps(y | h_j, t, log sigma_t) / sigma_t,    h_j = LSTM(0, x_0, ..., x_{j-1})
 * </pre>
 * A point's state for patch {@code j} is {@code h_j}, {@code H} doubles: the LSTM runs over the
 * clean prefix once per particle and patch, and each Langevin step runs the head alone. Both run
 * in plain Java, in double precision from the float32 weights, so a row's score depends on its
 * own coordinates only and is the same on every thread, block and machine.
 */
@Component(kind = ComponentKind.CONDITIONAL_SCORE, name = "patch-lstm",
        doc = "Learned conditional score of a noised patch given the clean earlier ones: the recurrent patch network of"
                + " `scorepipe train` (type: patch-dsm), run in Java; for the chained-langevin stage.")
public final class PatchScore implements ConditionalScore {

    /** Parameters, bound from the component's config section. */
    public record Params(@Doc("the model folder (or its patch-lstm.json) of a patch-dsm training") @FilePath String model) {
        public Params {
            requireNonNull(model, "model is null");
        }
    }

    private final PatchNetwork.Weights weights;
    private final PatchNetwork.Forward network;
    private final NoisingPath path;

    @Inject
    public PatchScore(Params params, PipelineSpec pipeline, NoisingPath path) {
        this.weights = PatchNetwork.load(Path.of(params.model()));
        this.network = weights.forward();
        this.path = requireNonNull(path, "path is null");
        if (weights.dimension() != pipeline.dimension()) {
            throw new IllegalArgumentException("model: " + params.model() + " was trained on d = " + weights.dimension()
                    + ", but pipeline.dimension is " + pipeline.dimension());
        }
    }

    /** The weights it runs. */
    public PatchNetwork.Weights weights() {
        return weights;
    }

    @Override
    public void checkPatches(int d, int q) {
        if (q != weights.patch()) {
            throw new IllegalArgumentException("the patch network was trained on patches of " + weights.patch() + " coordinates,"
                    + " not " + q + "; set the stage's patch: " + weights.patch() + " (or train again with train.patch: " + q + ")");
        }
    }

    @Override
    public int stateWidth(int from, int to) {
        return weights.state();
    }

    @Override
    public void prefix(double[] x, int offset, int rows, int from, int to, double[] state, int stateOffset) {
        checkPatch(from, to);
        network.prefix(x, offset, rows, from, state, stateOffset);
    }

    @Override
    public void score(double[] x, int offset, int rows, int from, int to, double t, double[] state, int stateOffset,
            double[] out) {
        checkPatch(from, to);
        double sigma = path.noiseScale(t);
        network.epsilon(x, offset, rows, from, t, sigma, state, stateOffset, out);
        double scale = -1.0 / sigma;
        for (int i = 0; i < rows * weights.patch(); i++) {
            out[i] *= scale;
        }
    }

    private void checkPatch(int from, int to) {
        int q = weights.patch();
        if (to - from != q || from % q != 0 || to > weights.dimension()) {
            throw new IllegalArgumentException("the patch network scores the patches [jQ, (j+1)Q) with Q = " + q + ", not ["
                    + from + ", " + to + ")");
        }
    }
}
