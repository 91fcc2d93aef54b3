package org.scorepipe.benchmarks;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Writes the run noise's raw 64-bit words ({@link PhiloxNoise#words}) to standard output, little
 * endian, for a battery that reads a raw stream ({@code dieharder -g 200}, see
 * {@code benchmarks/noise-battery.sh}), until the reader closes the pipe or {@code --bytes} are out.
 * Two orders, since a battery sees only one sequence:
 * <ul>
 *   <li>{@code rows}: as a run draws them: for each step, for each particle, the row's first
 *   {@code --row} words (stage 0, stream 0);
 *   <li>{@code columns}: across particles: for each step and word index {@code j < --row}, word
 *   {@code j} of {@code --particles} consecutive particles. This is the order that would show a
 *   relation between neighbouring particles' generators, whose Philox counters differ by one.
 * </ul>
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.scorepipe.benchmarks.NoiseWords [--order rows|columns]
 *     [--row 64] [--particles 4096] [--seed 7] [--bytes N]
 * </pre>
 */
public final class NoiseWords {
    private NoiseWords() {
    }

    public static void main(String[] args) throws IOException {
        String order = "rows";
        int row = 64;
        int particles = 4096;
        long seed = 7;
        long bytes = Long.MAX_VALUE;
        for (int a = 0; a + 1 < args.length; a += 2) {
            switch (args[a]) {
                case "--order" -> order = args[a + 1];
                case "--row" -> row = Integer.parseInt(args[a + 1]);
                case "--particles" -> particles = Integer.parseInt(args[a + 1]);
                case "--seed" -> seed = Long.parseLong(args[a + 1]);
                case "--bytes" -> bytes = Long.parseLong(args[a + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[a]
                        + " (--order rows|columns, --row, --particles, --seed, --bytes)");
            }
        }
        if (!order.equals("rows") && !order.equals("columns")) {
            throw new IllegalArgumentException("--order is rows or columns, not " + order);
        }
        boolean columns = order.equals("columns");
        PhiloxNoise noise = new PhiloxNoise(seed);
        long[] words = new long[particles * row];
        ByteBuffer buffer = ByteBuffer.allocate(8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        // The file descriptor, not System.out: a PrintStream swallows the broken pipe's IOException,
        // so the words would go on forever once the battery has read what it needs and exited.
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 20);
        long written = 0;
        try {
            for (long step = 0; written < bytes; step++) {
                noise.position(0, step);
                for (int i = 0; i < particles; i++) {
                    noise.words(i, 0, words, i * row, row);
                }
                buffer.clear();
                if (columns) {
                    for (int j = 0; j < row; j++) {
                        for (int i = 0; i < particles; i++) {
                            buffer.putLong(words[i * row + j]);
                        }
                    }
                } else {
                    buffer.asLongBuffer().put(words);
                }
                int n = (int) Math.min(buffer.capacity(), bytes - written);
                out.write(buffer.array(), 0, n);
                written += n;
            }
            out.flush();
        } catch (IOException closed) {
            // the battery read what it needed and closed the pipe
        }
    }
}
