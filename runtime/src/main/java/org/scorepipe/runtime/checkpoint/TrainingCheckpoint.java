package org.scorepipe.runtime.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ConfigTrees;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.run.AtomicFiles;

/**
 * The checkpoint of a training ({@code scorepipe train}), {@value #FILE} in its run directory:
 * the resolved config it was written for, the step, and the trainer's state (bytes in the trainer's
 * own format); or, once the training has finished, a record of that with no state. Format version
 * {@value #VERSION}:
 * <pre>
 *   8 bytes   magic "SPTRAIN\n"
 *   4 bytes   format version (big-endian int)
 *   8 bytes   payload length L (big-endian long)
 *   L bytes   payload: step, steps (ints), finished (byte), config (int length + UTF-8),
 *             state (int length + bytes)
 *   4 bytes   CRC32C of the payload (big-endian int)
 * </pre>
 * Read back, the magic, the version, the length against the file's size and the checksum are all
 * checked before a field is trusted. Written with {@link AtomicFiles}: a killed process leaves the
 * previous checkpoint, never part of a new one.
 *
 * @param step the optimiser steps done
 * @param steps the training's steps in all
 * @param finished whether the training has finished (its outputs are written; the state is empty)
 * @param config the resolved config (YAML) the training ran with
 * @param state the trainer's state
 */
public record TrainingCheckpoint(int step, int steps, boolean finished, String config, byte[] state) {
    /** The checkpoint's path inside a run directory. */
    public static final String FILE = "checkpoints/train.sptrain";
    public static final int VERSION = 1;

    private static final byte[] MAGIC = {'S', 'P', 'T', 'R', 'A', 'I', 'N', '\n'};
    private static final int HEADER = MAGIC.length + 4 + 8;
    /** Keys of the {@code train:} section that do not change what is trained: they may differ on resume. */
    private static final List<String> FREE = List.of("train.checkpoint-every");

    public TrainingCheckpoint {
        requireNonNull(config, "config is null");
        requireNonNull(state, "state is null");
    }

    /** The checkpoint of {@code runDirectory}. */
    public static Path in(Path runDirectory) {
        return runDirectory.resolve(FILE);
    }

    /** Writes this checkpoint to {@code file} atomically, making its folder if needed. */
    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(out);
            }
        });
    }

    void write(OutputStream out) throws IOException {
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        try (DataOutputStream p = new DataOutputStream(payload)) {
            p.writeInt(step);
            p.writeInt(steps);
            p.writeBoolean(finished);
            byte[] text = config.getBytes(StandardCharsets.UTF_8);
            p.writeInt(text.length);
            p.write(text);
            p.writeInt(state.length);
            p.write(state);
        }
        byte[] bytes = payload.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        out.write(ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN).put(MAGIC).putInt(VERSION).putLong(bytes.length).array());
        out.write(bytes);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /**
     * Reads {@code file}, checking everything before trusting any field.
     *
     * @throws CheckpointException naming the file and what is wrong with it
     */
    public static TrainingCheckpoint read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CheckpointException(file + " cannot be read: " + e.getMessage());
        }
        return read(all, file.toString());
    }

    static TrainingCheckpoint read(byte[] all, String name) {
        if (all.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new CheckpointException(name + " is not a scorepipe training checkpoint (wrong magic bytes)");
        }
        if (all.length < HEADER) {
            throw new CheckpointException(name + " is truncated: it ends inside the header");
        }
        ByteBuffer h = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
        int version = h.getInt(MAGIC.length);
        long length = h.getLong(MAGIC.length + 4);
        if (version != VERSION) {
            throw new CheckpointException(name + " was written in training checkpoint format " + version + "; this scorepipe"
                    + " reads format " + VERSION + " only. Continue it with the scorepipe that wrote it, or train again");
        }
        if (length < 0 || length != all.length - HEADER - 4L) {
            throw new CheckpointException(name + " is truncated or corrupt: its header announces " + length + " bytes of"
                    + " payload, but the file has " + all.length + " bytes in all (expected " + (HEADER + length + 4) + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, HEADER, (int) length);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, HEADER + (int) length, 4).getInt()) {
            throw new CheckpointException(name + " is corrupt: its checksum does not match its contents");
        }
        try {
            ByteBuffer p = ByteBuffer.wrap(all, HEADER, (int) length).slice();
            int step = p.getInt();
            int steps = p.getInt();
            boolean finished = p.get() != 0;
            byte[] text = new byte[p.getInt()];
            p.get(text);
            byte[] state = new byte[p.getInt()];
            p.get(state);
            if (p.hasRemaining() || step < 0 || steps < 1 || step > steps) {
                throw new IllegalArgumentException("step " + step + " of " + steps);
            }
            return new TrainingCheckpoint(step, steps, finished, new String(text, StandardCharsets.UTF_8), state);
        } catch (RuntimeException e) {
            // a length beyond the payload (BufferUnderflow, NegativeArraySize) or fields out of range
            throw new CheckpointException(name + " is corrupt: its fields do not fit its payload (" + e + ")");
        }
    }

    /**
     * The keys in which {@code resolvedConfig} (YAML, as {@link #config} is) differs from the config
     * this checkpoint was written for, among those training reads: {@code pipeline.seed},
     * {@code pipeline.dimension}, the {@code train:} section (but for {@code checkpoint-every}) and
     * the shared components; each as {@code key: checkpoint's value -> the other's}.
     */
    public List<String> differences(String resolvedConfig) {
        ConfigSection before = PipelineFile.parse("checkpoint", config, List.of()).root();
        ConfigSection after = PipelineFile.parse("config", resolvedConfig, List.of()).root();
        List<String> out = new ArrayList<>();
        for (String key : List.of("seed", "dimension")) {
            out.addAll(ConfigTrees.diff("pipeline." + key, leaf(before, "pipeline", key), leaf(after, "pipeline", key)));
        }
        for (String section : List.of("train", "components")) {
            for (String d : ConfigTrees.diff(section, node(before, section), node(after, section))) {
                if (FREE.stream().noneMatch(free -> d.startsWith(free + ":"))) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    private static ImmutableNode node(ConfigSection root, String name) {
        return root.section(name).map(ConfigSection::tree).orElse(null);
    }

    private static ImmutableNode leaf(ConfigSection root, String section, String key) {
        Optional<ImmutableNode> s = root.section(section).map(ConfigSection::tree);
        return s.flatMap(n -> n.getChildren().stream().filter(c -> c.getNodeName().equals(key)).findFirst()).orElse(null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingCheckpoint c && step == c.step && steps == c.steps && finished == c.finished
                && config.equals(c.config) && Arrays.equals(state, c.state);
    }

    @Override
    public int hashCode() {
        return 31 * config.hashCode() + Arrays.hashCode(state) + step;
    }

    @Override
    public String toString() {
        return "TrainingCheckpoint[step " + step + " of " + steps + (finished ? ", finished" : "") + ", " + state.length
                + " bytes of state]";
    }
}
