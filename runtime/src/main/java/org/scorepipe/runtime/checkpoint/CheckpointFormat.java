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
 * The checkpoint file format, version {@value #VERSION} (and {@value #OLDEST}, read still):
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
    /**
     * The format this code writes. Version 2 added the run's identity and the stage's starting
     * scale, and bounds every string; version 1 files are refused by name. Version 3 adds, at the
     * end of the metadata, the rows the particles carry for {@code RowMemory} components, by key
     * path (before, such per-particle state hid in the component's own state bytes). Version 4
     * adds, last, the shards of a sharded checkpoint: such a file is the manifest, and its
     * payload holds no particle ({@link CheckpointShards}).
     */
    public static final int VERSION = 4;

    /**
     * The oldest format this code reads: a version 2 file is version 3 without rows, and a version
     * 3 file is version 4 without shards. A version 2
     * file that holds a multistep solver's state in the component's old bytes is refused when it
     * is resumed, naming both versions.
     */
    public static final int OLDEST = 2;

    /** The longest string a checkpoint may hold (the resolved config, the metrics): 256 MiB of UTF-8. */
    static final int MAX_STRING_BYTES = 1 << 28;

    private static final byte[] MAGIC = {'S', 'P', 'C', 'K', 'P', 'T', '\r', '\n'};
    private static final int HEADER = MAGIC.length + 4 + 8;
    private static final int CHUNK = 1 << 20;

    private CheckpointFormat() {
    }

    /** A Kryo for checkpoint metadata. Every class a checkpoint may contain is registered here. */
    static Kryo newKryo() {
        return newKryo(VERSION);
    }

    /** A Kryo for the metadata of format {@code version}. */
    private static Kryo newKryo(int version) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        kryo.register(Metadata.class, new MetadataSerializer(version), 100);
        return kryo;
    }

    /** Writes a checkpoint to {@code out} (which it does not close). */
    public static void write(Checkpoint c, OutputStream out) throws IOException {
        write(Metadata.of(c), c.particles(), out);
    }

    /** Writes metadata and particles as they are (tests craft checkpoints with fields a {@link Checkpoint} refuses). */
    static void write(Metadata metadata, double[] x, OutputStream out) throws IOException {
        write(metadata, x, out, VERSION);
    }

    /** Writes in format {@code version}, {@link #OLDEST} to {@link #VERSION} (tests write older files with it). */
    static void write(Metadata metadata, double[] x, OutputStream out, int version) throws IOException {
        Output meta = new Output(4096, -1);
        newKryo(version).writeObject(meta, metadata);
        byte[] metaBytes = meta.toBytes();
        long payloadLength = 4L + metaBytes.length + 8L * x.length;

        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.BIG_ENDIAN);
        header.put(MAGIC).putInt(version).putLong(payloadLength);
        out.write(header.array());

        CRC32C crc = new CRC32C();
        byte[] metaLength = ByteBuffer.allocate(4).putInt(metaBytes.length).array();
        crc.update(metaLength);
        out.write(metaLength);
        crc.update(metaBytes);
        out.write(metaBytes);

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
        if (version < OLDEST) {
            throw new CheckpointException(name + " was written in checkpoint format " + version + " by an older scorepipe;"
                    + " this one reads format " + OLDEST + " up to format " + VERSION + " only (they record the run's identity)."
                    + " Resume it with the scorepipe that wrote it, or start the run again");
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
            meta = newKryo(version).readObject(input, Metadata.class);
        } catch (KryoException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new CheckpointException(name + " is corrupt: its metadata cannot be read (" + e.getMessage() + ")");
        }
        long values = meta.shards().isEmpty() ? (long) meta.n() * meta.dimension() : 0;
        if (meta.n() < 0 || meta.dimension() < 1 || 4L + metaLength + 8L * values != length) {
            throw new CheckpointException(name + " is corrupt: " + meta.n() + " x " + meta.dimension()
                    + " particles do not fill its payload");
        }
        double[] particles = new double[(int) values];
        ByteBuffer.wrap(payload, 4 + metaLength, (int) (8 * values)).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(particles);
        try {
            if (!(com.google.gson.JsonParser.parseString(meta.metrics()).isJsonObject())) {
                throw new IllegalArgumentException("its metrics are not a JSON object");
            }
            // Checkpoints are written only of healthy ensembles: anything else was made by hand.
            // (A manifest's shards are checked as they are read: CheckpointStore.)
            if (meta.shards().isEmpty() && !Health.healthy(Health.maxAbs(particles), meta.stageStartMaxAbs())) {
                throw new IllegalArgumentException("its particles are not finite, or far beyond their scale at the stage start");
            }
            return meta.toCheckpoint(particles);
        } catch (IllegalArgumentException | NullPointerException | com.google.gson.JsonParseException e) {
            throw new CheckpointException(name + " is corrupt: " + e.getMessage());
        }
    }

    /** A checkpoint without its particles: what Kryo serialises. */
    record Metadata(String runId, String pipeline, long seed, String noiseGenerator, String config, List<String> stageNames,
            List<String> stageHashes, int stage, long step, double stageStartTime, double stageStartMaxAbs, double time, int n,
            int dimension, long firstIndex, Map<String, byte[]> states, String metrics, Map<String, double[]> rows,
            List<CheckpointShard> shards) {

        /** Metadata of a single-file checkpoint, as format 3 has it. */
        Metadata(String runId, String pipeline, long seed, String noiseGenerator, String config, List<String> stageNames,
                List<String> stageHashes, int stage, long step, double stageStartTime, double stageStartMaxAbs, double time,
                int n, int dimension, long firstIndex, Map<String, byte[]> states, String metrics, Map<String, double[]> rows) {
            this(runId, pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step, stageStartTime,
                    stageStartMaxAbs, time, n, dimension, firstIndex, states, metrics, rows, List.of());
        }

        /** Metadata without rows, as format 2 has it (tests craft such files). */
        Metadata(String runId, String pipeline, long seed, String noiseGenerator, String config, List<String> stageNames,
                List<String> stageHashes, int stage, long step, double stageStartTime, double stageStartMaxAbs, double time,
                int n, int dimension, long firstIndex, Map<String, byte[]> states, String metrics) {
            this(runId, pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step, stageStartTime,
                    stageStartMaxAbs, time, n, dimension, firstIndex, states, metrics, Map.of());
        }

        static Metadata of(Checkpoint c) {
            return new Metadata(c.runId(), c.pipeline(), c.seed(), c.noiseGenerator(), c.config(), c.stageNames(),
                    c.stageHashes(), c.stage(), c.step(), c.stageStartTime(), c.stageStartMaxAbs(), c.time(), c.n(),
                    c.dimension(), c.firstIndex(), c.states(), c.metrics(), c.rows(), c.shards());
        }

        Checkpoint toCheckpoint(double[] particles) {
            return new Checkpoint(runId, pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step,
                    stageStartTime, stageStartMaxAbs, time, n, dimension, firstIndex, particles, states, rows, metrics, shards);
        }
    }

    /**
     * The shards a checkpoint file names (none for a single file), from its header and metadata
     * alone, without reading its particles or checking its checksum: for deciding which shard
     * files to keep, never for trusting any. Throws on anything it cannot read.
     */
    static List<CheckpointShard> peekShards(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[HEADER + 4];
        data.readFully(header);
        if (!Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
            throw new IOException("not a checkpoint");
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        int version = h.getInt(MAGIC.length);
        long payload = h.getLong(MAGIC.length + 4);
        int metaLength = h.getInt(HEADER);
        if (version < OLDEST || version > VERSION || metaLength < 0 || metaLength > payload - 4) {
            throw new IOException("not a readable checkpoint");
        }
        if (version < 4) {
            return List.of();
        }
        try (Input input = new Input(data.readNBytes(metaLength))) {
            return newKryo(version).readObject(input, Metadata.class).shards();
        } catch (KryoException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new IOException("unreadable metadata: " + e.getMessage(), e);
        }
    }

    /**
     * The run id of a checkpoint file, read from its header and the first field of its metadata
     * without reading (or checking) the rest: cheap enough to decide whose file it is before
     * pruning. Empty if the file is not a readable checkpoint of this format.
     */
    public static java.util.Optional<String> peekRunId(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] header = new byte[HEADER + 4];
        if (data.readNBytes(header, 0, header.length) < header.length
                || !Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
            return java.util.Optional.empty();
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN);
        int version = h.getInt(MAGIC.length);
        if (version < OLDEST || version > VERSION) {
            return java.util.Optional.empty();
        }
        // The metadata's first field: the run id's byte count (in Kryo's byte order) and its bytes.
        byte[] start = data.readNBytes(4 + 1024);
        if (start.length < 4) {
            return java.util.Optional.empty();
        }
        Input input = new Input(start);
        int length = input.readInt();
        if (length < 0 || length > start.length - 4) {
            return java.util.Optional.empty();
        }
        byte[] id = input.readBytes(length);
        return java.util.Optional.of(new String(id, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Field by field, in a fixed order: the file format, not Java serialisation. */
    private static final class MetadataSerializer extends Serializer<Metadata> {
        private final int version;

        MetadataSerializer(int version) {
            this.version = version;
        }

        @Override
        public void write(Kryo kryo, Output out, Metadata m) {
            // The run id first, as a fixed-width length and its bytes: peekRunId reads it alone.
            writeString(out, m.runId());
            writeString(out, m.pipeline());
            out.writeLong(m.seed());
            writeString(out, m.noiseGenerator());
            writeString(out, m.config());
            writeStrings(out, m.stageNames());
            writeStrings(out, m.stageHashes());
            out.writeInt(m.stage());
            out.writeLong(m.step());
            out.writeDouble(m.stageStartTime());
            out.writeDouble(m.stageStartMaxAbs());
            out.writeDouble(m.time());
            out.writeInt(m.n());
            out.writeInt(m.dimension());
            out.writeLong(m.firstIndex());
            out.writeInt(m.states().size());
            for (Map.Entry<String, byte[]> e : m.states().entrySet()) {
                writeString(out, e.getKey());
                out.writeInt(e.getValue().length);
                out.writeBytes(e.getValue());
            }
            writeString(out, m.metrics());
            if (version >= 3) {
                // Format 3: the rows, last, so that everything before keeps format 2's place.
                out.writeInt(m.rows().size());
                for (Map.Entry<String, double[]> e : m.rows().entrySet()) {
                    writeString(out, e.getKey());
                    out.writeInt(e.getValue().length);
                    out.writeDoubles(e.getValue(), 0, e.getValue().length);
                }
            }
            if (version >= 4) {
                // Format 4: the shards of a sharded checkpoint, in index order (none for a single file).
                out.writeInt(m.shards().size());
                for (CheckpointShard shard : m.shards()) {
                    writeString(out, shard.file());
                    out.writeLong(shard.first());
                    out.writeInt(shard.n());
                    out.writeLong(shard.bytes());
                    out.writeInt(shard.crc32c());
                }
            }
        }

        @Override
        public Metadata read(Kryo kryo, Input in, Class<? extends Metadata> type) {
            String runId = readString(in);
            String pipeline = readString(in);
            long seed = in.readLong();
            String noise = readString(in);
            String config = readString(in);
            List<String> names = readStrings(in);
            List<String> hashes = readStrings(in);
            int stage = in.readInt();
            long step = in.readLong();
            double stageStart = in.readDouble();
            double stageStartMaxAbs = in.readDouble();
            double time = in.readDouble();
            int n = in.readInt();
            int d = in.readInt();
            long first = in.readLong();
            int count = checkedCount(in.readInt(), in);
            Map<String, byte[]> states = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String key = readString(in);
                states.put(key, in.readBytes(checkedCount(in.readInt(), in)));
            }
            String metrics = readString(in);
            Map<String, double[]> rows = new LinkedHashMap<>();
            if (version >= 3) {
                int keys = checkedCount(in.readInt(), in);
                for (int i = 0; i < keys; i++) {
                    String key = readString(in);
                    int length = in.readInt();
                    checkedCount((int) Math.min(Integer.MAX_VALUE, Math.max(-1L, 8L * length)), in);
                    rows.put(key, in.readDoubles(length));
                }
            }
            List<CheckpointShard> shards = new ArrayList<>();
            if (version >= 4) {
                int shardCount = checkedCount(in.readInt(), in);
                for (int i = 0; i < shardCount; i++) {
                    shards.add(new CheckpointShard(readString(in), in.readLong(), in.readInt(), in.readLong(), in.readInt()));
                }
            }
            return new Metadata(runId, pipeline, seed, noise, config, names, hashes, stage, step, stageStart, stageStartMaxAbs,
                    time, n, d, first, states, metrics, rows, shards);
        }

        private static void writeStrings(Output out, List<String> strings) {
            out.writeInt(strings.size());
            for (String s : strings) {
                writeString(out, s);
            }
        }

        private static List<String> readStrings(Input in) {
            int count = checkedCount(in.readInt(), in);
            List<String> out = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                out.add(readString(in));
            }
            return out;
        }

        /**
         * A string as a big-endian int byte count and its UTF-8 bytes, not Kryo's own encoding:
         * Kryo allocates for a character count read from the file before it can check it.
         */
        private static void writeString(Output out, String s) {
            byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (bytes.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("a string of " + bytes.length + " bytes is too long for a checkpoint");
            }
            out.writeInt(bytes.length);
            out.writeBytes(bytes);
        }

        private static String readString(Input in) {
            int length = checkedCount(in.readInt(), in);
            return new String(in.readBytes(length), java.nio.charset.StandardCharsets.UTF_8);
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
