package org.scorepipe.runtime.run;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.scorepipe.api.NumpyArray;
import org.scorepipe.api.Particles;

/**
 * NumPy's {@code .npy} format, version 1.0, for a float64 C-order {@code [n, d]} array:
 * the magic {@code \x93NUMPY}, the version, a little-endian header length, a Python dict
 * literal padded with spaces to a multiple of 64 bytes and ended by a newline, then the raw
 * little-endian doubles. (See numpy.lib.format.)
 */
public final class NpyFile {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private NpyFile() {
    }

    /** Writes the particles' coordinates to {@code file}, replacing it. Not atomic by itself. */
    public static void write(Path file, Particles particles) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            write(channel, particles.size(), particles.dimension(), particles.data(), 0);
            channel.force(true);
        }
    }

    /**
     * Writes rows {@code [0, n)} of the {@code d}-column array that starts at {@code data[offset]}
     * to {@code out} as one {@code .npy} file, header first: the same bytes {@link #write(Path,
     * Particles)} writes for those rows. The stream may be any file system's ({@code .npy} shards
     * written where the particles live); it is not closed.
     */
    public static void write(WritableByteChannel out, int n, int d, double[] data, int offset) throws IOException {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + n + ", " + d + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer head = ByteBuffer.allocate(MAGIC.length + 4 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        head.put(header.getBytes(StandardCharsets.US_ASCII)).flip();
        writeFully(out, head);
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = chunk.capacity() / Double.BYTES;
        int end = offset + n * d;
        for (int i = offset; i < end; i += perChunk) {
            int count = Math.min(perChunk, end - i);
            chunk.clear();
            chunk.asDoubleBuffer().put(data, i, count);
            chunk.limit(count * Double.BYTES);
            writeFully(out, chunk);
        }
    }

    private static void writeFully(WritableByteChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /**
     * Reads an {@code [n, d]} file written by {@link #write} (or NumPy: float64 or float32), with
     * {@link NumpyArray}, the project's one reader of the format; a damaged or lying file fails
     * with an {@link IOException} whose message names it.
     */
    public static Particles read(Path file) throws IOException {
        NumpyArray array;
        try {
            array = NumpyArray.readNpy(file);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        int[] shape = array.shape();
        if (shape.length != 2 || array.dtype() == NumpyArray.Dtype.UINT8) {
            throw new IOException(array.source() + " is not a float [n, d] array of samples (" + array.dtype().descr() + " "
                    + java.util.Arrays.toString(shape) + ")");
        }
        return new Particles(shape[0], shape[1], 0, array.values(), 0.0);
    }
}
