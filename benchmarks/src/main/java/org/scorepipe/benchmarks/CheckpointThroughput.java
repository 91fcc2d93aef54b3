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
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.checkpoint.CheckpointShard;
import org.scorepipe.runtime.checkpoint.CheckpointShards;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.run.LocalRunner;

/**
 * Checkpoint write and read throughput for {@code n x d} particles, single-file and sharded (the
 * local runner's shards, and the streaming verification a resume does on its driver), against a plain
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
        double[] shardWrite = new double[repeats];
        double[] shardVerify = new double[repeats];
        CheckpointStore shardedStore = new CheckpointStore(dir.resolve("sharded"), 1, "bench-run");
        LocalRunner runner = new LocalRunner(1, 1024);
        runner.load(new Particles(n, d, 0, x, 0));
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

            // Sharded: the shards as the local runner writes them (2^20 particles each), then the manifest.
            t0 = System.nanoTime();
            CheckpointShards.Position at = new CheckpointShards.Position("bench-run", 0, 2 + r);
            List<CheckpointShard> shards = runner.writeCheckpointShards(shardedStore.folder(), at, java.util.Set.of());
            Path manifest = Path.of(shardedStore.save(new Checkpoint("bench-run", "bench", 1, "gen", "pipeline: {}", List.of("a"),
                    List.of("h"), 0, 2 + r, 0, 1, 0, n, d, 0, new double[0], Map.of(), Map.of(), "{}", shards)));
            shardWrite[r] = megabytes / ((System.nanoTime() - t0) / 1e9);

            // What a resume's driver does before trusting it: every shard streamed through, checked, nothing kept.
            t0 = System.nanoTime();
            if (CheckpointStore.readManifest(manifest).shards().size() != shards.size()) {
                throw new IllegalStateException("read back the wrong manifest");
            }
            shardVerify[r] = megabytes / ((System.nanoTime() - t0) / 1e9);
        }
        System.out.printf("%d x %d particles (%.0f MB), %d repeats, in %s%n", n, d, megabytes, repeats, dir);
        report("FileChannel write + force (limit)", raw);
        report("checkpoint write (atomic, forced)", write);
        report("checkpoint read (verified)", read);
        report("sharded write (shards, then manifest)", shardWrite);
        report("sharded verify (every shard streamed)", shardVerify);
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
