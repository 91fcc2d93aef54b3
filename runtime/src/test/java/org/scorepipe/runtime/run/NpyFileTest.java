package org.scorepipe.runtime.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;

class NpyFileTest {

    @Test
    void writesTheNpyVersion1LayoutAndReadsItBack(@TempDir Path dir) throws Exception {
        double[] data = {1.5, -2.0, Math.PI, 1e-300, Double.MAX_VALUE, -0.0};
        Path file = dir.resolve("x.npy");
        NpyFile.write(file, new Particles(3, 2, 0, data.clone(), 0));

        byte[] bytes = Files.readAllBytes(file);
        // numpy.lib.format: magic, version 1.0, uint16 LE header length, header; data 64-byte aligned.
        assertEquals((byte) 0x93, bytes[0]);
        assertEquals("NUMPY", new String(bytes, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, bytes[6]);
        assertEquals(0, bytes[7]);
        int headerLength = ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        assertEquals(0, (10 + headerLength) % 64, "data starts on a 64-byte boundary");
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", header.trim());
        assertEquals('\n', header.charAt(header.length() - 1));
        assertEquals(10 + headerLength + data.length * 8, bytes.length);
        ByteBuffer body = ByteBuffer.wrap(bytes, 10 + headerLength, data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : data) {
            assertEquals(Double.doubleToRawLongBits(v), Double.doubleToRawLongBits(body.getDouble()));
        }

        Particles back = NpyFile.read(file);
        assertEquals(3, back.size());
        assertEquals(2, back.dimension());
        assertArrayEquals(data, back.data());
    }

    @Test
    void largeArraysCrossChunkBoundaries(@TempDir Path dir) throws Exception {
        int n = 70_001;
        double[] data = new double[n * 3];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0.25 - 7;
        }
        Path file = dir.resolve("big.npy");
        NpyFile.write(file, new Particles(n, 3, 0, data.clone(), 0));
        assertArrayEquals(data, NpyFile.read(file).data());
    }
}
