package org.scorepipe.runtime.checkpoint;

import static java.util.Objects.requireNonNull;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The shard files of a sharded checkpoint, format version {@value #VERSION}: the particles of
 * one contiguous range with the rows they carry for {@code RowMemory} components. Each runner
 * writes its ranges where they live (a Spark executor its partitions); the checkpoint's
 * manifest ({@link CheckpointFormat}, with {@link Checkpoint#shards()}) names them and is
 * written last, so a checkpoint exists only once every shard it names is complete.
 * <pre>
 *   8 bytes   magic "SPSHRD\r\n"
 *   4 bytes   format version (big-endian int)
 *   8 bytes   payload length L (big-endian long)
 *   L bytes   payload:
 *               4 bytes  header length H, then H bytes of header (big-endian): the run id, the
 *                        checkpoint's stage and step, the range's first index, n and d, and the
 *                        row keys with their widths (strings as a length and UTF-8 bytes)
 *               8 n d    the particles, row-major, little-endian doubles
 *               8 n w    for each row key in order, its rows, little-endian doubles
 *   4 bytes   CRC32C of the payload (big-endian int)
 * </pre>
 * Both writing and reading stream: a shard is never held twice, and verifying one holds a
 * megabyte of it at a time, so the driver of a Spark run checks shards far larger than its heap.
 */
public final class CheckpointShards {
    /** The shard format this code writes and reads. */
    public static final int VERSION = 1;

    private static final byte[] MAGIC = {'S', 'P', 'S', 'H', 'R', 'D', '\r', '\n'};
    private static final int PREFIX = MAGIC.length + 4 + 8;
    private static final int MAX_HEADER = 1 << 20;
    private static final int CHUNK_DOUBLES = 1 << 17;

    private CheckpointShards() {
    }

    /** Whose shard it is, and of which checkpoint: what a shard's header must repeat of its manifest. */
    public record Position(String runId, int stage, long step) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Position {
            requireNonNull(runId, "runId is null");
        }

        /** The position of a checkpoint. */
        public static Position of(Checkpoint c) {
            return new Position(c.runId(), c.stage(), c.step());
        }
    }

    /**
     * A shard's file name: the checkpoint's ({@code ckpt-s002-k0000000500}), the first particle's
     * index and a token of the writer's own, so that two attempts at one range (a retried task)
     * never write one file.
     */
    public static String fileName(int stage, long step, long first, String token) {
        if (!token.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("a shard token is letters, digits and '-', not '" + token + "'");
        }
        return String.format("ckpt-s%03d-k%010d.%012d.%s.spshard", stage, step, first, token);
    }

    /** Whether {@code name} is a shard file's name. */
    public static boolean isShard(String name) {
        return name.matches("ckpt-s\\d{3,}-k\\d{10,}\\.\\d{12,}\\.[A-Za-z0-9-]{1,64}\\.spshard");
    }

    /**
     * Writes the shard of rows {@code [from, from + n)} of an ensemble to {@code out} (which it does
     * not close).
     *
     * @param file the name the shard will have, for its manifest entry
     * @param first the global index of row {@code from}
     * @param data the ensemble's coordinates, row-major, {@code d} per row
     * @param rows the rows the ensemble carries, by key: {@code width} doubles per particle of an
     *     ensemble of {@code total} particles
     * @param total how many particles {@code data} and {@code rows} hold
     * @return the manifest's entry for it
     */
    public static CheckpointShard write(OutputStream out, String file, Position at, long first, int from, int n, int d,
            double[] data, Map<String, double[]> rows, int total) throws IOException {
        Map<String, double[]> sorted = new TreeMap<>(rows);
        ByteBuffer header = ByteBuffer.allocate(MAX_HEADER);
        putString(header, at.runId());
        header.putInt(at.stage()).putLong(at.step()).putLong(first).putInt(n).putInt(d).putInt(sorted.size());
        long values = (long) n * d;
        for (Map.Entry<String, double[]> e : sorted.entrySet()) {
            int width = total == 0 ? 0 : e.getValue().length / total;
            putString(header, e.getKey());
            header.putInt(width);
            values += (long) n * width;
        }
        int headerLength = header.position();
        long payload = 4L + headerLength + 8L * values;

        CRC32C crc = new CRC32C();
        out.write(ByteBuffer.allocate(PREFIX).put(MAGIC).putInt(VERSION).putLong(payload).array());
        byte[] start = ByteBuffer.allocate(4 + headerLength).putInt(headerLength).put(header.array(), 0, headerLength).array();
        crc.update(start);
        out.write(start);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_DOUBLES * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        writeDoubles(out, crc, chunk, data, (long) from * d, (long) n * d);
        for (double[] r : sorted.values()) {
            int width = r.length / total;
            writeDoubles(out, crc, chunk, r, (long) from * width, (long) n * width);
        }
        int value = (int) crc.getValue();
        out.write(ByteBuffer.allocate(4).putInt(value).array());
        out.flush();
        return new CheckpointShard(file, first, n, PREFIX + payload + 4, value);
    }

    private static void writeDoubles(OutputStream out, CRC32C crc, ByteBuffer chunk, double[] x, long offset, long count)
            throws IOException {
        for (long i = 0; i < count; i += CHUNK_DOUBLES) {
            int c = (int) Math.min(CHUNK_DOUBLES, count - i);
            chunk.clear();
            chunk.asDoubleBuffer().put(x, (int) (offset + i), c);
            crc.update(chunk.array(), 0, c * Double.BYTES);
            out.write(chunk.array(), 0, c * Double.BYTES);
        }
    }

    /**
     * What was read of a shard: the particles of the window asked for, with their rows by key, and
     * the largest |x| of the whole shard (which {@link Health} checks).
     */
    public record Slice(long first, int n, int dimension, double[] data, Map<String, double[]> rows, double maxAbs) {
    }

    /**
     * Reads shard {@code expected}, checking everything its manifest says of it (length, checksum,
     * run, position, range, dimension) while it streams, and keeps the particles (and rows) of
     * indices {@code [from, from + count)} that fall in it.
     *
     * @param name the shard's location, for messages
     * @param count 0 to verify the shard and keep nothing
     * @throws CheckpointException naming the shard and what is wrong with it
     */
    public static Slice read(InputStream in, String name, CheckpointShard expected, Position at, int d, long from, int count)
            throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] prefix = new byte[PREFIX];
        int got = data.readNBytes(prefix, 0, PREFIX);
        if (got < MAGIC.length || !Arrays.equals(Arrays.copyOf(prefix, MAGIC.length), MAGIC)) {
            throw new CheckpointException("the shard " + name + " is not a scorepipe checkpoint shard (wrong magic bytes)");
        }
        if (got < PREFIX) {
            throw new CheckpointException("the shard " + name + " is truncated: it ends inside its header");
        }
        ByteBuffer p = ByteBuffer.wrap(prefix);
        int version = p.getInt(MAGIC.length);
        long payload = p.getLong(MAGIC.length + 4);
        if (version != VERSION) {
            throw new CheckpointException("the shard " + name + " is in shard format " + version + "; this scorepipe reads format "
                    + VERSION);
        }
        if (PREFIX + payload + 4 != expected.bytes()) {
            throw new CheckpointException("the shard " + name + " is truncated or corrupt: it announces " + (PREFIX + payload + 4)
                    + " bytes, its manifest " + expected.bytes());
        }
        CRC32C crc = new CRC32C();
        try {
            byte[] lengthBytes = new byte[4];
            data.readFully(lengthBytes);
            crc.update(lengthBytes);
            int headerLength = ByteBuffer.wrap(lengthBytes).getInt();
            if (headerLength < 0 || headerLength > MAX_HEADER || headerLength > payload - 4) {
                throw new CheckpointException("the shard " + name + " is corrupt: bad header length " + headerLength);
            }
            byte[] headerBytes = new byte[headerLength];
            data.readFully(headerBytes);
            crc.update(headerBytes);
            ByteBuffer h = ByteBuffer.wrap(headerBytes);
            Map<String, Integer> widths = new LinkedHashMap<>();
            long values;
            try {
                String runId = getString(h);
                int stage = h.getInt();
                long step = h.getLong();
                long first = h.getLong();
                int n = h.getInt();
                int dimension = h.getInt();
                int keys = h.getInt();
                if (!runId.equals(at.runId()) || stage != at.stage() || step != at.step() || first != expected.first()
                        || n != expected.n() || dimension != d || keys < 0 || keys > headerLength) {
                    throw new CheckpointException("the shard " + name + " is not the one its manifest names: it holds "
                            + n + " x " + dimension + " particles from index " + first + " of run " + runId + " at stage index "
                            + stage + ", step " + step + "; the manifest expects " + expected.n() + " x " + d + " from index "
                            + expected.first() + " of run " + at.runId() + " at stage index " + at.stage() + ", step " + at.step());
                }
                values = (long) n * d;
                for (int i = 0; i < keys; i++) {
                    String key = getString(h);
                    int width = h.getInt();
                    if (width < 1) {
                        throw new CheckpointException("the shard " + name + " is corrupt: rows of " + key + " of width " + width);
                    }
                    widths.put(key, width);
                    values += (long) n * width;
                }
            } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
                throw new CheckpointException("the shard " + name + " is corrupt: its header cannot be read");
            }
            if (4L + headerLength + 8L * values != payload) {
                throw new CheckpointException("the shard " + name + " is corrupt: its particles do not fill its payload");
            }
            long lo = Math.max(from, expected.first());
            long hi = Math.min(from + count, expected.end());
            int kept = (int) Math.max(0, hi - lo);
            int skip = (int) Math.max(0, lo - expected.first());
            byte[] buffer = new byte[CHUNK_DOUBLES * Double.BYTES];
            double[] x = new double[Math.multiplyExact(kept, d)];
            double maxAbs = readDoubles(data, crc, buffer, (long) expected.n() * d, x, (long) skip * d, true);
            Map<String, double[]> rows = new TreeMap<>();
            for (Map.Entry<String, Integer> e : widths.entrySet()) {
                int width = e.getValue();
                double[] r = new double[Math.multiplyExact(kept, width)];
                readDoubles(data, crc, buffer, (long) expected.n() * width, r, (long) skip * width, false);
                if (kept > 0) {
                    rows.put(e.getKey(), r);
                }
            }
            byte[] trailer = new byte[4];
            data.readFully(trailer);
            int stored = ByteBuffer.wrap(trailer).getInt();
            if ((int) crc.getValue() != stored || stored != expected.crc32c()) {
                throw new CheckpointException("the shard " + name + " is corrupt: its checksum does not match its contents"
                        + ((int) crc.getValue() == stored ? " as its manifest records them" : ""));
            }
            if (data.read() >= 0) {
                throw new CheckpointException("the shard " + name + " is corrupt: it goes on after its checksum");
            }
            return new Slice(lo, kept, d, x, rows, maxAbs);
        } catch (EOFException e) {
            throw new CheckpointException("the shard " + name + " is truncated: it ends before its " + payload + " bytes of payload");
        }
    }

    /**
     * Streams {@code count} doubles through the checksum, copying those from {@code skip} on into
     * {@code into} (as many as it holds); returns their largest |x| if {@code measure}.
     */
    private static double readDoubles(DataInputStream in, CRC32C crc, byte[] buffer, long count, double[] into, long skip,
            boolean measure) throws IOException {
        ByteBuffer view = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
        double maxAbs = 0;
        for (long i = 0; i < count; i += CHUNK_DOUBLES) {
            int c = (int) Math.min(CHUNK_DOUBLES, count - i);
            in.readFully(buffer, 0, c * Double.BYTES);
            crc.update(buffer, 0, c * Double.BYTES);
            if (measure && !Double.isNaN(maxAbs)) {
                for (int j = 0; j < c; j++) {
                    double a = Math.abs(view.getDouble(j * Double.BYTES));
                    // as Health.maxAbs: NaN once anything is not finite, which Health refuses
                    maxAbs = a <= Double.MAX_VALUE ? Math.max(maxAbs, a) : Double.NaN;
                    if (Double.isNaN(maxAbs)) {
                        break;
                    }
                }
            }
            long lo = Math.max(i, skip);
            long hi = Math.min(i + c, skip + into.length);
            for (long j = lo; j < hi; j++) {
                into[(int) (j - skip)] = view.getDouble((int) (j - i) * Double.BYTES);
            }
        }
        return maxAbs;
    }

    /**
     * Reads the particles {@code [from, from + count)} of a sharded checkpoint from the shards
     * that hold them, in index order, verifying each shard it opens whole.
     *
     * @throws CheckpointException naming a shard that is missing or damaged
     */
    public static Slice readRange(CheckpointFolder folder, Position at, int d, List<CheckpointShard> shards, long from, int count) {
        double[] x = new double[Math.multiplyExact(count, d)];
        Map<String, double[]> rows = new TreeMap<>();
        double maxAbs = 0;
        for (CheckpointShard shard : shards) {
            if (shard.end() <= from || shard.first() >= from + count) {
                continue;
            }
            Slice s = open(folder, shard, at, d, from, count);
            maxAbs = Math.max(maxAbs, s.maxAbs());
            int offset = (int) (s.first() - from);
            System.arraycopy(s.data(), 0, x, offset * d, s.data().length);
            for (Map.Entry<String, double[]> e : s.rows().entrySet()) {
                int width = e.getValue().length / s.n();
                double[] all = rows.computeIfAbsent(e.getKey(), k -> new double[Math.multiplyExact(count, width)]);
                if (all.length != (long) count * width) {
                    throw new CheckpointException("the shard " + folder.locate(shard.file()) + " carries " + width
                            + " doubles per particle for " + e.getKey() + ", another shard " + all.length / count);
                }
                System.arraycopy(e.getValue(), 0, all, offset * width, e.getValue().length);
            }
        }
        return new Slice(from, count, d, x, rows, maxAbs);
    }

    /** Reads one shard of {@code folder}, keeping the window {@code [from, from + count)}. */
    public static Slice open(CheckpointFolder folder, CheckpointShard shard, Position at, int d, long from, int count) {
        String name = folder.locate(shard.file());
        try (InputStream in = new java.io.BufferedInputStream(folder.open(shard.file()), 1 << 16)) {
            return read(in, name, shard, at, d, from, count);
        } catch (java.nio.file.NoSuchFileException | java.io.FileNotFoundException e) {
            throw new CheckpointException("the shard " + name + " is missing");
        } catch (IOException e) {
            throw new CheckpointException("the shard " + name + " cannot be read: " + e.getMessage());
        }
    }

    /** Checks that shards are in index order and cover {@code [first, first + n)} with no gap or overlap. */
    static void checkCover(List<CheckpointShard> shards, long first, int n) {
        long next = first;
        for (CheckpointShard s : shards) {
            if (s.first() != next) {
                throw new IllegalArgumentException("the shards do not cover the particles in order: " + s.file() + " starts at "
                        + s.first() + ", where " + next + " was expected");
            }
            next = s.end();
        }
        if (next != first + (long) n) {
            throw new IllegalArgumentException("the shards hold particles up to " + next + ", not " + (first + n));
        }
    }

    /** The names of shards of a list, for pruning. */
    static List<String> files(List<CheckpointShard> shards) {
        List<String> names = new ArrayList<>(shards.size());
        shards.forEach(s -> names.add(s.file()));
        return names;
    }

    private static void putString(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        b.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("bad string length " + length);
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
