package org.scorepipe.runtime.run;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.ScorepipeException;

/**
 * The samples as {@code .npy} shards with an index, written from wherever the particles live so
 * that no machine holds the whole ensemble. For {@code samples.npy} the shards are
 * {@code samples-00000.npy}, {@code samples-00001.npy}, ..., each a float64 {@code [rows, d]}
 * {@code .npy} file of consecutive particles, and {@code samples-index.json} lists them in
 * particle order with each one's first particle, rows, length and SHA-256:
 * <pre>
 *   {"format": "scorepipe-npy-shards", "version": 1, "particles": n, "dimension": d,
 *    "shards": [{"file": "samples-00000.npy", "first": 0, "rows": r, "bytes": b, "sha256": "..."}, ...]}
 * </pre>
 * Their rows, concatenated in the index's order, are the bytes of the {@code samples.npy} the same
 * run writes with {@code format: npy}. Each shard appears under its name complete (written under
 * a temporary name, then renamed) and the index is written last, so a reader that follows the
 * index never sees a partial set; shards that the index does not name are not the dataset's.
 */
public final class NpyShards {
    /** The index's {@code format} value. */
    public static final String FORMAT = "scorepipe-npy-shards";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    private NpyShards() {
    }

    /**
     * One shard as the index lists it.
     *
     * @param file its name, next to the index
     * @param first the index of its first particle
     * @param rows its particles
     * @param bytes its length in bytes
     * @param sha256 its SHA-256, in hex
     */
    public record Shard(String file, long first, int rows, long bytes, String sha256) implements Serializable {
        public Shard {
            requireNonNull(file, "file is null");
            requireNonNull(sha256, "sha256 is null");
        }
    }

    /** {@code samples} for {@code samples.npy}: what the shards' and the index's names start with. */
    public static String stem(String file) {
        if (!file.endsWith(".npy") || file.length() == ".npy".length()) {
            throw new IllegalArgumentException("npy shards are named after a .npy file name, e.g. samples.npy, got " + file);
        }
        return file.substring(0, file.length() - ".npy".length());
    }

    /** The name of shard {@code i} of {@code file}: {@code samples-00003.npy}. */
    public static String shardName(String file, int i) {
        return String.format("%s-%05d.npy", stem(file), i);
    }

    /** The index's name: {@code samples-index.json}. */
    public static String indexName(String file) {
        return stem(file) + "-index.json";
    }

    /** Whether {@code name} is a shard of {@code file} (of this or any earlier write). */
    public static boolean isShard(String file, String name) {
        return Pattern.matches(Pattern.quote(stem(file)) + "-\\d{5,}\\.npy", name);
    }

    /**
     * Writes rows {@code [0, n)} of the {@code d}-column array at {@code data[offset]} to
     * {@code out} as one shard, and returns its length and checksum (under the name {@code file}
     * and first particle {@code first}). {@code out} is closed.
     */
    public static Shard write(OutputStream out, String file, long first, int n, int d, double[] data, int offset)
            throws IOException {
        MessageDigest sha256 = sha256();
        CountingStream counting = new CountingStream(new DigestOutputStream(out, sha256));
        try (counting) {
            NpyFile.write(Channels.newChannel(counting), n, d, data, offset);
        }
        return new Shard(file, first, n, counting.count, HexFormat.of().formatHex(sha256.digest()));
    }

    /**
     * The index of {@code shards}, which must cover particles {@code 0 .. n-1} in order.
     *
     * @throws IllegalStateException if they do not
     */
    public static String index(long n, int d, List<Shard> shards) {
        long next = 0;
        for (Shard s : shards) {
            if (s.first() != next) {
                throw new IllegalStateException("the shards do not cover the particles in order: " + s.file()
                        + " starts at particle " + s.first() + ", expected " + next);
            }
            next += s.rows();
        }
        if (next != n) {
            throw new IllegalStateException("the shards hold " + next + " particles, not " + n);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", FORMAT);
        doc.put("version", 1);
        doc.put("particles", n);
        doc.put("dimension", d);
        doc.put("shards", shards);
        return GSON.toJson(doc) + "\n";
    }

    /**
     * Writes the ensemble on this JVM into {@code dir} as shards of at most {@code rowsPerShard}
     * particles and their index, replacing an earlier write of the same name: its index goes
     * first, so that nothing is ever indexed that is not complete. Returns the index's path.
     */
    public static Path writeLocal(Path dir, String file, Particles particles, int rowsPerShard) {
        Path index = dir.resolve(indexName(file));
        try {
            Files.deleteIfExists(index);
            int n = particles.size();
            int d = particles.dimension();
            List<Shard> shards = new ArrayList<>();
            for (int from = 0, i = 0; from < n; from += rowsPerShard, i++) {
                int rows = Math.min(rowsPerShard, n - from);
                String name = shardName(file, i);
                Shard[] written = new Shard[1];
                long first = particles.firstIndex() + from;
                int offset = from * d;
                AtomicFiles.write(dir.resolve(name), tmp -> {
                    try (OutputStream out = Files.newOutputStream(tmp)) {
                        written[0] = write(out, name, first, rows, d, particles.data(), offset);
                    }
                });
                shards.add(written[0]);
            }
            removeOthers(dir, file, shards);
            AtomicFiles.writeString(index, index(n, d, shards));
            return index;
        } catch (IOException e) {
            throw new ScorepipeException("could not write the npy shards " + dir.resolve(shardName(file, 0)) + " ...: "
                    + e.getMessage() + " (the index " + index.getFileName() + " was not written: free space and run again)");
        }
    }

    /**
     * Reads the shards that {@code index} lists, checking each one's length and SHA-256, and
     * returns their rows concatenated in particle order.
     *
     * @throws IOException naming the index or the shard that is missing, damaged or does not fit
     */
    public static Particles read(Path index) throws IOException {
        Index doc;
        try {
            doc = GSON.fromJson(Files.readString(index), Index.class);
        } catch (RuntimeException e) {
            throw new IOException(index + " is not an npy shards index: " + e.getMessage(), e);
        }
        if (doc == null || !FORMAT.equals(doc.format) || doc.shards == null) {
            throw new IOException(index + " is not an npy shards index (no \"format\": \"" + FORMAT + "\")");
        }
        if ((long) doc.particles * doc.dimension > Integer.MAX_VALUE) {
            throw new IOException(index + ": " + doc.particles + " particles in " + doc.dimension
                    + " dimensions do not fit in one array; read the shards one by one");
        }
        double[] data = new double[Math.toIntExact(doc.particles * doc.dimension)];
        long next = 0;
        for (Shard shard : doc.shards) {
            Path file = index.resolveSibling(shard.file());
            if (!Files.exists(file)) {
                throw new IOException(index + " lists the shard " + shard.file() + ", which is missing");
            }
            byte[] bytes = Files.readAllBytes(file);
            String sha256 = HexFormat.of().formatHex(sha256().digest(bytes));
            if (bytes.length != shard.bytes() || !sha256.equals(shard.sha256())) {
                throw new IOException("the shard " + file + " is damaged: " + bytes.length + " bytes with SHA-256 " + sha256
                        + ", the index says " + shard.bytes() + " bytes with " + shard.sha256());
            }
            Particles rows = NpyFile.read(file);
            if (shard.first() != next || rows.size() != shard.rows() || rows.dimension() != doc.dimension) {
                throw new IOException("the shard " + file + " does not fit " + index + ": " + rows.size() + " x " + rows.dimension()
                        + " from particle " + shard.first() + ", expected " + shard.rows() + " x " + doc.dimension + " from " + next);
            }
            System.arraycopy(rows.data(), 0, data, Math.toIntExact(next * doc.dimension), rows.data().length);
            next += shard.rows();
        }
        if (next != doc.particles) {
            throw new IOException(index + ": its shards hold " + next + " particles, not " + doc.particles);
        }
        return new Particles(Math.toIntExact(doc.particles), doc.dimension, 0, data, 0.0);
    }

    /** The index document, as Gson reads it. */
    private static final class Index {
        String format;
        long particles;
        int dimension;
        List<Shard> shards;
    }

    /** Removes the shards of an earlier write of {@code file} that {@code kept} does not name. */
    private static void removeOthers(Path dir, String file, List<Shard> kept) throws IOException {
        List<String> names = kept.stream().map(Shard::file).toList();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (isShard(file, name) && !names.contains(name)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** Counts the bytes that pass. */
    private static final class CountingStream extends java.io.FilterOutputStream {
        private long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
