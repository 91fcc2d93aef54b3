package org.scorepipe.runtime.checkpoint;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The checkpoint file format, version {@value #VERSION}:
 * <pre>
 *   8 bytes   magic "SPCKPT\r\n"
 *   4 bytes   format version (big-endian int)
 *   8 bytes   payload length L (big-endian long)
 *   L bytes   payload: Kryo metadata, then the particles as raw little-endian doubles
 *   4 bytes   CRC32C of the payload (big-endian int)
 * </pre>
 * The checksum trails the payload so that writing is one streaming pass over the particles,
 * with no second copy of them in memory. Reading takes the whole payload in first and checks
 * the magic, the version, every length and the checksum before Kryo reads a single byte: a
 * corrupt length could otherwise make it allocate gigabytes before failing.
 *
 * <p>The metadata goes through Kryo with registration required, and the classes it may
 * contain are registered here and nowhere else; no class name read from a file is ever
 * instantiated. Readers and writers work on streams, so a checkpoint can live on any file
 * system that gives one (a local disk here, a Hadoop file system for the Spark runner).
 */
public final class CheckpointFormat {
    /** The newest format this code writes and reads. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC = {'S', 'P', 'C', 'K', 'P', 'T', '\r', '\n'};
    private static final int HEADER = MAGIC.length + 4 + 8;
    private static final int CHUNK = 1 << 20;

    private CheckpointFormat() {
    }

    /** A Kryo for checkpoint metadata. Every class a checkpoint may contain is registered here. */
    static Kryo newKryo() {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.register(Metadata.class, new MetadataSerializer(), 100);
        return kryo;
    }

    /** Writes a checkpoint to {@code out} (which it does not close). */
    public static void write(Checkpoint c, OutputStream out) throws IOException {
        Output meta = new Output(4096, -1);
        newKryo().writeObject(meta, Metadata.of(c));
        byte[] metaBytes = meta.toBytes();
        long payloadLength = 4L + metaBytes.length + 8L * c.particles().length;

        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        header.put(MAGIC).putInt(VERSION).putLong(payloadLength);
        out.write(header.array());

        CRC32C crc = new CRC32C();
        byte[] metaLength = ByteBuffer.allocate(4).putInt(metaBytes.length).array();
        crc.update(metaLength);
        out.write(metaLength);
        crc.update(metaBytes);
        out.write(metaBytes);

        double[] x = c.particles();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = CHUNK / Double.BYTES;
        for (int i = 0; i < x.length; i += perChunk) {
            int count = Math.min(perChunk, x.length - i);
            chunk.clear();
            chunk.asDoubleBuffer().put(x, i, count);
            crc.update(chunk.array(), 0, count * Double.BYTES);
            out.write(chunk.array(), 0, count * Double.BYTES);
        }
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        out.flush();
    }

    /**
     * Reads a checkpoint, checking everything before trusting any field.
     *
     * @param in the stream (not closed)
     * @param name the file's name, for messages
     * @param size the stream's total length if known (a file's size), or -1
     */
    public static Checkpoint read(InputStream in, String name, long size) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[HEADER];
        int got = data.readNBytes(header, 0, HEADER);
        if (got < MAGIC.length || !Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
            throw new CheckpointException(name + " is not a scorepipe checkpoint (wrong magic bytes)");
        }
        if (got < HEADER) {
            throw new CheckpointException(name + " is truncated: it ends inside the header");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        h.position(MAGIC.length);
        int version = h.getInt();
        long length = h.getLong();
        if (version > VERSION) {
            throw new CheckpointException(name + " was written in checkpoint format " + version
                    + ", newer than this scorepipe reads (up to " + VERSION + "); resume it with a newer scorepipe");
        }
        if (version < 1) {
            throw new CheckpointException(name + " has an invalid format version " + version);
        }
        long expected = HEADER + length + 4;
        if (length < 4 || length > Integer.MAX_VALUE - 16 || (size >= 0 && size != expected)) {
            throw new CheckpointException(name + " is truncated or corrupt: its header announces " + length
                    + " bytes of payload" + (size >= 0 ? " but the file has " + size + " bytes in all (expected " + expected + ")" : ""));
        }
        byte[] payload = new byte[(int) length];
        byte[] trailer = new byte[4];
        try {
            data.readFully(payload);
            data.readFully(trailer);
        } catch (EOFException e) {
            throw new CheckpointException(name + " is truncated: it ends before its " + length + " bytes of payload and checksum");
        }
        CRC32C crc = new CRC32C();
        crc.update(payload);
        int stored = ByteBuffer.wrap(trailer).getInt();
        if ((int) crc.getValue() != stored) {
            throw new CheckpointException(name + " is corrupt: its checksum does not match its contents");
        }
        ByteBuffer p = ByteBuffer.wrap(payload);
        int metaLength = p.getInt();
        if (metaLength < 0 || metaLength > payload.length - 4) {
            throw new CheckpointException(name + " is corrupt: bad metadata length " + metaLength);
        }
        Metadata meta;
        try (Input input = new Input(payload, 4, metaLength)) {
            meta = newKryo().readObject(input, Metadata.class);
        } catch (KryoException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CheckpointException(name + " is corrupt: its metadata cannot be read (" + e.getMessage() + ")");
        }
        long values = (long) meta.n() * meta.dimension();
        if (meta.n() < 0 || meta.dimension() < 1 || 4L + metaLength + 8L * values != length) {
            throw new CheckpointException(name + " is corrupt: " + meta.n() + " x " + meta.dimension()
                    + " particles do not fill its payload");
        }
        double[] particles = new double[(int) values];
        ByteBuffer.wrap(payload, 4 + metaLength, (int) (8 * values)).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(particles);
        try {
            return meta.toCheckpoint(particles);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CheckpointException(name + " is corrupt: " + e.getMessage());
        }
    }

    /** A checkpoint without its particles: what Kryo serialises. */
    record Metadata(String pipeline, long seed, String noiseGenerator, String config, List<String> stageNames,
            List<String> stageHashes, int stage, long step, double stageStartTime, double time, int n, int dimension,
            long firstIndex, Map<String, byte[]> states, String metrics) {

        static Metadata of(Checkpoint c) {
            return new Metadata(c.pipeline(), c.seed(), c.noiseGenerator(), c.config(), c.stageNames(), c.stageHashes(),
                    c.stage(), c.step(), c.stageStartTime(), c.time(), c.n(), c.dimension(), c.firstIndex(), c.states(),
                    c.metrics());
        }

        Checkpoint toCheckpoint(double[] particles) {
            return new Checkpoint(pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step, stageStartTime,
                    time, n, dimension, firstIndex, particles, states, metrics);
        }
    }

    /** Field by field, in a fixed order: the file format, not Java serialisation. */
    private static final class MetadataSerializer extends Serializer<Metadata> {
        @Override
        public void write(Kryo kryo, Output out, Metadata m) {
            out.writeString(m.pipeline());
            out.writeLong(m.seed());
            out.writeString(m.noiseGenerator());
            out.writeString(m.config());
            writeStrings(out, m.stageNames());
            writeStrings(out, m.stageHashes());
            out.writeInt(m.stage());
            out.writeLong(m.step());
            out.writeDouble(m.stageStartTime());
            out.writeDouble(m.time());
            out.writeInt(m.n());
            out.writeInt(m.dimension());
            out.writeLong(m.firstIndex());
            out.writeInt(m.states().size());
            for (Map.Entry<String, byte[]> e : m.states().entrySet()) {
                out.writeString(e.getKey());
                out.writeInt(e.getValue().length);
                out.writeBytes(e.getValue());
            }
            out.writeString(m.metrics());
        }

        @Override
        public Metadata read(Kryo kryo, Input in, Class<? extends Metadata> type) {
            String pipeline = in.readString();
            long seed = in.readLong();
            String noise = in.readString();
            String config = in.readString();
            List<String> names = readStrings(in);
            List<String> hashes = readStrings(in);
            int stage = in.readInt();
            long step = in.readLong();
            double stageStart = in.readDouble();
            double time = in.readDouble();
            int n = in.readInt();
            int d = in.readInt();
            long first = in.readLong();
            int count = checkedCount(in.readInt(), in);
            Map<String, byte[]> states = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String key = in.readString();
                states.put(key, in.readBytes(checkedCount(in.readInt(), in)));
            }
            String metrics = in.readString();
            return new Metadata(pipeline, seed, noise, config, names, hashes, stage, step, stageStart, time, n, d, first,
                    states, metrics);
        }

        private static void writeStrings(Output out, List<String> strings) {
            out.writeInt(strings.size());
            for (String s : strings) {
                out.writeString(s);
            }
        }

        private static List<String> readStrings(Input in) {
            int count = checkedCount(in.readInt(), in);
            List<String> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(in.readString());
            }
            return out;
        }

        /** A count can never exceed the bytes left: refuse before allocating for it. */
        private static int checkedCount(int count, Input in) {
            if (count < 0 || count > in.limit() - in.position()) {
                throw new IllegalArgumentException("a count of " + count + " exceeds the metadata");
            }
            return count;
        }
    }
}
