package org.scorepipe.runtime.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.scorepipe.api.Particles;

/**
 * NumPy's {@code .npy} format, version 1.0, for a float64 C-order {@code [n, d]} array:
 * the magic {@code \x93NUMPY}, the version, a little-endian header length, a Python dict
 * literal padded with spaces to a multiple of 64 bytes and ended by a newline, then the raw
 * little-endian doubles. (See numpy.lib.format.)
 */
public final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+),?\\)");

    private NpyFile() {
    }

    /** Writes the particles' coordinates to {@code file}, replacing it. Not atomic by itself. */
    public static void write(Path file, Particles particles) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + particles.size() + ", "
                + particles.dimension() + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        head.put(header.getBytes(StandardCharsets.US_ASCII)).flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(channel, head);
            double[] data = particles.data();
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            int perChunk = chunk.capacity() / Double.BYTES;
            for (int i = 0; i < data.length; i += perChunk) {
                chunk.clear();
                chunk.asDoubleBuffer().put(data, i, Math.min(perChunk, data.length - i));
                chunk.limit(Math.min(perChunk, data.length - i) * Double.BYTES);
                writeFully(channel, chunk);
            }
            channel.force(true);
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads a float64 {@code [n, d]} file written by {@link #write} (or NumPy). */
    public static Particles read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : MAGIC) {
            if (buffer.get() != b) {
                throw new IOException(file + " is not a .npy file");
            }
        }
        int major = buffer.get();
        buffer.get();
        int headerLength = major == 1 ? Short.toUnsignedInt(buffer.getShort()) : buffer.getInt();
        String header = new String(bytes, buffer.position(), headerLength, StandardCharsets.US_ASCII);
        buffer.position(buffer.position() + headerLength);
        if (!header.contains("'descr': '<f8'") || !header.contains("'fortran_order': False")) {
            throw new IOException(file + " is not a little-endian float64 C-order array: " + header.trim());
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IOException(file + " is not a two-dimensional array: " + header.trim());
        }
        int n = Integer.parseInt(m.group(1));
        int d = Integer.parseInt(m.group(2));
        double[] data = new double[n * d];
        buffer.asDoubleBuffer().get(data);
        return new Particles(n, d, 0, data, 0.0);
    }
}
