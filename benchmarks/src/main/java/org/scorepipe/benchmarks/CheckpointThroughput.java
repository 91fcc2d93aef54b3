package org.scorepipe.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointStore;

/**
 * Checkpoint write and read throughput for {@code n x d} particles, against a plain
 * {@link FileChannel} write of the same bytes (forced to disk, as checkpoints are) as the limit.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar org.scorepipe.benchmarks.CheckpointThroughput [n] [d] [repeats] [dir]
 * </pre>
 * Defaults: n = 1 000 000, d = 16, 5 repeats, the system's temporary folder. Prints MB/s
 * (10^6 bytes) of the particle payload, best and median of the repeats.
 */
public final class CheckpointThroughput {
    private CheckpointThroughput() {
    }

    public static void main(String[] args) throws IOException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int d = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = Files.createTempDirectory(args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("java.io.tmpdir")), "ckpt-bench");
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i * 0.001) * 3;
        }
        double megabytes = x.length * 8 / 1e6;
        Checkpoint c = new Checkpoint("bench-run", "bench", 1, "gen", "pipeline: {}", List.of("a"), List.of("h"), 0, 1, 0, 1, 0, n, d, 0, x,
                Map.of(), "{}");
        CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"), 1, "bench-run");

        double[] raw = new double[repeats];
        double[] write = new double[repeats];
        double[] read = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            rawWrite(dir.resolve("raw.bin"), x);
            raw[r] = megabytes / ((System.nanoTime() - t0) / 1e9);

            t0 = System.nanoTime();
            Path file = store.write(c);
            write[r] = megabytes / ((System.nanoTime() - t0) / 1e9);

            t0 = System.nanoTime();
            Checkpoint back = CheckpointStore.read(file);
            read[r] = megabytes / ((System.nanoTime() - t0) / 1e9);
            if (back.particles().length != x.length) {
                throw new IllegalStateException("read back the wrong size");
            }
        }
        System.out.printf("%d x %d particles (%.0f MB), %d repeats, in %s%n", n, d, megabytes, repeats, dir);
        report("FileChannel write + force (limit)", raw);
        report("checkpoint write (atomic, forced)", write);
        report("checkpoint read (verified)", read);
    }

    private static void rawWrite(Path file, double[] x) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = buffer.capacity() / 8;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < x.length; i += perChunk) {
                int count = Math.min(perChunk, x.length - i);
                buffer.clear();
                buffer.asDoubleBuffer().put(x, i, count);
                buffer.limit(count * 8);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
            }
            ch.force(true);
        }
    }

    private static void report(String what, double[] mbPerSecond) {
        double[] sorted = mbPerSecond.clone();
        Arrays.sort(sorted);
        System.out.printf("  %-36s best %7.0f MB/s, median %7.0f MB/s%n", what, sorted[sorted.length - 1], sorted[sorted.length / 2]);
    }
}
