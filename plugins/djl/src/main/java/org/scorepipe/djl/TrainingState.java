package org.scorepipe.djl;

import static java.util.Objects.requireNonNull;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link DenoisingScoreMatching} needs to continue after step {@code k} exactly as an
 * uninterrupted training would: the weights, Adam's state ({@link RestorableAdam}), the weight
 * average ({@link WeightAverage}) and the losses of steps 1 to {@code k}. Nothing else carries over
 * a step: each batch is a pure function of {@code (seed, step, row)}, the learning rate of the
 * update count, the skip's Gaussian of the seed (estimated again on resume), and libtorch's generator
 * is used only for the initial weights, which the saved ones replace.
 *
 * <p>Bytes, big-endian ({@link DataOutputStream}): the text {@value #FORMAT}, the step {@code k};
 * the parameter count {@code P} and for each parameter, in the block's order, its size {@code n},
 * its {@code n} weights, Adam's update count and its {@code n + n} moments {@code m, v} (float32);
 * whether a weight average follows, and if so its update count and {@code P} arrays of {@code n}
 * floats; then {@code k} training losses and {@code k} held-out losses (float64, NaN where none was
 * measured). The runtime's checkpoint file around these bytes carries the checksum and the config.
 */
record TrainingState(int step, List<float[]> weights, List<RestorableAdam.State> adam, long averageUpdates,
        float[][] averages, double[] losses, double[] heldOutLosses) {
    static final String FORMAT = "scorepipe-dsm-state/1";

    TrainingState {
        requireNonNull(weights, "weights is null");
        requireNonNull(adam, "adam is null");
        requireNonNull(losses, "losses is null");
        requireNonNull(heldOutLosses, "heldOutLosses is null");
    }

    /** The state after step {@code step}; the loss arrays may be longer (the training's whole length). */
    static TrainingState of(int step, List<Parameter> parameters, RestorableAdam adam, WeightAverage average, double[] losses,
            double[] heldOutLosses) {
        List<float[]> weights = new ArrayList<>();
        for (Parameter p : parameters) {
            weights.add(p.getArray().toFloatArray());
        }
        return new TrainingState(step, weights, adam.state(parameters), average == null ? 0 : average.updates(),
                average == null ? null : average.averages(), java.util.Arrays.copyOf(losses, step),
                java.util.Arrays.copyOf(heldOutLosses, step));
    }

    /** Puts this state into a network built as the saved one was, its optimiser and its weight average. */
    void restore(List<Parameter> parameters, RestorableAdam optimiser, WeightAverage average) {
        if (parameters.size() != weights.size()) {
            throw new IllegalArgumentException("the checkpoint's network has " + weights.size() + " parameters, this one "
                    + parameters.size() + " (another architecture)");
        }
        if ((average == null) != (averages == null)) {
            throw new IllegalArgumentException("the checkpoint was written " + (averages == null ? "without" : "with")
                    + " a weight average, this training runs " + (average == null ? "without" : "with") + " one (ema)");
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            for (int i = 0; i < parameters.size(); i++) {
                NDArray w = parameters.get(i).getArray();
                if (w.size() != weights.get(i).length) {
                    throw new IllegalArgumentException("the checkpoint's parameter " + i + " has " + weights.get(i).length
                            + " numbers, this network's " + w.size() + " (another architecture)");
                }
                overwrite(w, weights.get(i));
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        optimiser.restore(parameters, adam);
        if (average != null) {
            average.restore(averageUpdates, averages);
        }
    }

    /**
     * Copies {@code values} into {@code target} in place, the caller having turned gradient recording
     * off. Not {@code NDArray.set(Buffer)}: on PyTorch that makes the tensor's storage a direct
     * buffer of DJL's, and trainings whose weights were set so drifted from uninterrupted ones after
     * hundreds of steps (measured); an indexed copy keeps libtorch's own storage, bit for bit.
     */
    static void overwrite(NDArray target, float[] values) {
        try (NDArray source = target.getManager().create(values, target.getShape())) {
            target.set(new ai.djl.ndarray.index.NDIndex("..."), source);
        }
    }

    byte[] write() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(FORMAT);
            out.writeInt(step);
            out.writeInt(weights.size());
            for (int i = 0; i < weights.size(); i++) {
                out.writeInt(weights.get(i).length);
                writeFloats(out, weights.get(i));
                out.writeInt(adam.get(i).count());
                writeFloats(out, adam.get(i).mean());
                writeFloats(out, adam.get(i).variance());
            }
            out.writeBoolean(averages != null);
            if (averages != null) {
                out.writeLong(averageUpdates);
                for (float[] a : averages) {
                    writeFloats(out, a);
                }
            }
            for (double l : losses) {
                out.writeDouble(l);
            }
            for (double l : heldOutLosses) {
                out.writeDouble(l);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #write} wrote; {@link IllegalArgumentException} if the bytes are of another
     * format or do not hold one (every length is checked against the bytes left before it is used).
     */
    static TrainingState read(byte[] bytes) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            String format = in.readUTF();
            if (!FORMAT.equals(format)) {
                throw new IllegalArgumentException("the checkpoint holds a training state of format '" + format + "', this"
                        + " trainer reads " + FORMAT);
            }
            int step = in.readInt();
            int count = in.readInt();
            if (step < 0 || count < 0 || count > bytes.length) {
                throw new IllegalArgumentException("the checkpoint's training state is corrupt (step " + step + ", "
                        + count + " parameters)");
            }
            List<float[]> weights = new ArrayList<>();
            List<RestorableAdam.State> adam = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = in.readInt();
                requireLeft(in, 12L * n, "parameter " + i);
                float[] w = readFloats(in, n);
                int updates = in.readInt();
                adam.add(new RestorableAdam.State(updates, readFloats(in, n), readFloats(in, n)));
                weights.add(w);
            }
            float[][] averages = null;
            long averageUpdates = 0;
            if (in.readBoolean()) {
                averageUpdates = in.readLong();
                averages = new float[count][];
                for (int i = 0; i < count; i++) {
                    requireLeft(in, 4L * weights.get(i).length, "the weight average");
                    averages[i] = readFloats(in, weights.get(i).length);
                }
            }
            requireLeft(in, 16L * step, "the losses");
            double[] losses = new double[step];
            double[] heldOut = new double[step];
            for (int k = 0; k < step; k++) {
                losses[k] = in.readDouble();
            }
            for (int k = 0; k < step; k++) {
                heldOut[k] = in.readDouble();
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException("the checkpoint's training state is corrupt: " + in.available()
                        + " bytes after its end");
            }
            return new TrainingState(step, weights, adam, averageUpdates, averages, losses, heldOut);
        } catch (EOFException e) {
            throw new IllegalArgumentException("the checkpoint's training state is truncated");
        } catch (IOException e) {
            throw new IllegalArgumentException("the checkpoint's training state cannot be read: " + e.getMessage(), e);
        }
    }

    private static void requireLeft(DataInputStream in, long needed, String what) throws IOException {
        if (needed < 0 || in.available() < needed) {
            throw new IllegalArgumentException("the checkpoint's training state is corrupt: it ends inside " + what);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length);
        b.asFloatBuffer().put(values);
        out.write(b.array());
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        byte[] raw = new byte[4 * n];
        in.readFully(raw);
        float[] values = new float[n];
        ByteBuffer.wrap(raw).asFloatBuffer().get(values);
        return values;
    }
}
