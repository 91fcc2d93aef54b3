package org.scorepipe.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .npy/.npz reader against bytes laid out by hand as numpy.lib.format specifies them, so
 * every expected value is known exactly; and the lying headers of issue #20.
 */
class NumpyArrayTest {
    @TempDir
    Path folder;

    /** A version 1.0 .npy: magic, version, header length, the dict padded to 64 bytes and a newline, then {@code data}. */
    static byte[] npy(String dict, byte[] data) {
        int unpadded = 6 + 2 + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(v);
        return b.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }

    Path write(String name, byte[] bytes) throws IOException {
        Path file = folder.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    String failure(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> NumpyArray.readNpy(file)).getMessage();
    }

    @Test
    void readsFloat64Float32AndUint8InCOrder() throws IOException {
        NumpyArray f8 = NumpyArray.readNpy(write("a.npy", npy(dict("<f8", "(2, 3)"), doubles(1, 2, 3, 4.5, -5, 1e-300))));
        assertArrayEquals(new int[] {2, 3}, f8.shape());
        assertEquals(NumpyArray.Dtype.FLOAT64, f8.dtype());
        assertArrayEquals(new double[] {1, 2, 3, 4.5, -5, 1e-300}, f8.values());
        // float32 widens exactly: 0.1f is 0.100000001490116..., not 0.1.
        NumpyArray f4 = NumpyArray.readNpy(write("b.npy", npy(dict("<f4", "(1, 2, 1, 2)"), floats(0.1f, -2.5f, 3e38f, 1e-45f))));
        assertArrayEquals(new int[] {1, 2, 1, 2}, f4.shape());
        assertArrayEquals(new double[] {0.1f, -2.5f, 3e38f, 1e-45f}, f4.values());
        NumpyArray u1 = NumpyArray.readNpy(write("c.npy", npy(dict("|u1", "(3,)"), new byte[] {0, (byte) 128, (byte) 255})));
        assertArrayEquals(new int[] {3}, u1.shape());
        assertArrayEquals(new double[] {0, 128, 255}, u1.values());
        // A header as NumPy 2 writes it (no trailing comma, double quotes are also Python strings) and a scalar shape.
        NumpyArray odd = NumpyArray.readNpy(write("d.npy", npy("{\"shape\": (), \"fortran_order\": False, \"descr\": \"<f8\"}",
                doubles(7))));
        assertEquals(0, odd.rank());
        assertArrayEquals(new double[] {7}, odd.values());
    }

    @Test
    void aRowCountThatOverflowsIsRefusedNotReadAsOneRow() throws IOException {
        // 2^62 * 4 = 2^64 wraps to 0 in long arithmetic and 2^32 + 1 rows of 1 to 1 in int: both must fail.
        Path wraps = write("wraps.npy", npy(dict("<f8", "(4611686018427387904, 4)"), doubles(1, 2)));
        assertTrue(failure(wraps).endsWith("has the shape (4611686018427387904, 4) with a dimension above 2147483647;"
                + " no array that large can be read"), failure(wraps));
        Path product = write("product.npy", npy(dict("<f8", "(2147483647, 2147483647)"), doubles(1)));
        assertEquals("the .npy file " + product + " has the shape (2147483647, 2147483647): more than 2147483639 values,"
                + " more than one Java array holds", failure(product));
        Path huge = write("huge.npy", npy(dict("<f8", "(99999999999999999999, 1)"), doubles(1)));
        assertTrue(failure(huge).contains("has a shape with the dimension 99999999999999999999, too large"), failure(huge));
        Path negative = write("negative.npy", npy(dict("<f8", "(-1, 1)"), doubles(1)));
        assertTrue(failure(negative).contains("a non-negative integer expected in the shape"), failure(negative));
    }

    @Test
    void aDescrHiddenInsideAnotherStringIsAString() throws IOException {
        // A regex search for 'descr': '<f8' finds it inside the extra key's value; the dict has four keys.
        byte[] f4 = floats(1, 2, 3, 4, 5, 6, 7, 8);
        Path extra = write("extra.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2),"
                + " 'note': \"'descr': '<f8'\"}", f4));
        assertTrue(failure(extra).contains("has the header keys") && failure(extra).contains("not exactly 'descr',"
                + " 'fortran_order' and 'shape'"), failure(extra));
        Path inside = write("inside.npy", npy("{'descr': \"<f4 'descr': '<f8'\", 'fortran_order': False, 'shape': (2, 2), }",
                f4));
        assertTrue(failure(inside).contains("holds values of type '<f4 'descr': '<f8'', not float64"), failure(inside));
        // The real float32 array of that header reads as 4 float32 values, not 2 doubles.
        Path honest = write("honest.npy", npy(dict("<f4", "(2, 2)"), floats(1, 2, 3, 4)));
        assertArrayEquals(new double[] {1, 2, 3, 4}, NumpyArray.readNpy(honest).values());
        Path twice = write("twice.npy", npy("{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                doubles(1, 2)));
        assertTrue(failure(twice).contains("has the key 'descr' twice"), failure(twice));
    }

    @Test
    void theDataLengthMustMatchTheHeader() throws IOException {
        Path truncated = write("t.npy", npy(dict("<f8", "(3, 2)"), Arrays.copyOf(doubles(1, 2, 3, 4, 5, 6), 43)));
        assertEquals("the .npy file " + truncated + " is truncated: its header promises (3, 2) <f8 values (48 bytes)"
                + " but 43 bytes follow the header", failure(truncated));
        Path longer = write("l.npy", npy(dict("<f4", "(3, 2)"), doubles(1, 2, 3, 4, 5, 6)));
        assertEquals("the .npy file " + longer + " is corrupt: its header promises (3, 2) <f4 values (24 bytes)"
                + " but 48 bytes follow the header", failure(longer));
        byte[] whole = npy(dict("<f8", "(1,)"), doubles(1));
        Path header = write("h.npy", Arrays.copyOf(whole, 30));
        assertTrue(failure(header).contains("is truncated inside its header"), failure(header));
        Path fortran = write("f.npy", npy("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", doubles(1)));
        assertTrue(failure(fortran).endsWith("is in Fortran order; save np.ascontiguousarray(array)"), failure(fortran));
        Path big = write("b.npy", npy(dict(">f8", "(1,)"), doubles(1)));
        assertTrue(failure(big).contains("holds values of type '>f8', not float64 ('<f8'), float32 ('<f4') or uint8"),
                failure(big));
        Path structured = write("s.npy", npy("{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }",
                doubles(1)));
        assertTrue(failure(structured).contains("a structured array is not read"), failure(structured));
    }

    static void entry(ZipOutputStream zip, String name, byte[] bytes, boolean deflate) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (!deflate) {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    byte[] npz(boolean deflate) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            entry(zip, "images.npy", npy(dict("|u1", "(2, 1, 2)"), new byte[] {1, 2, 3, 4}), deflate);
            entry(zip, "labels.npy", npy(dict("<f8", "(2,)"), doubles(7, 9)), deflate);
        }
        return out.toByteArray();
    }

    @Test
    void readsNpzEntriesByKeyStoredOrDeflated() throws IOException {
        for (boolean deflate : new boolean[] {false, true}) {
            Path file = write("a" + deflate + ".npz", npz(deflate));
            NumpyArray images = NumpyArray.read(file, "images");
            assertArrayEquals(new int[] {2, 1, 2}, images.shape());
            assertArrayEquals(new double[] {1, 2, 3, 4}, images.values());
            assertArrayEquals(new double[] {7, 9}, NumpyArray.read(file, "labels").values());
            assertEquals("key 'labels' of the .npz file " + file, NumpyArray.read(file, "labels").source());
            assertEquals("the .npz file " + file + " has no array 'digits'; its keys are images, labels",
                    assertThrows(IllegalArgumentException.class, () -> NumpyArray.read(file, "digits")).getMessage());
            assertEquals("the .npz file " + file + " holds named arrays; give key: the one to read",
                    assertThrows(IllegalArgumentException.class, () -> NumpyArray.read(file, null)).getMessage());
        }
        byte[] bytes = npz(true);
        Path cut = write("cut.npz", Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NumpyArray.read(cut, "images")).getMessage()
                .startsWith("the .npz file " + cut + " is not a readable zip archive"));
        Path npy = write("x.npy", npy(dict("<f8", "(1,)"), doubles(1)));
        assertEquals("key 'images' is given but " + npy + " is not an .npz file (a .npy holds one array); leave key out",
                assertThrows(IllegalArgumentException.class, () -> NumpyArray.read(npy, "images")).getMessage());
    }

    @Test
    void aDamagedNpzEntryNamesTheKey() throws IOException {
        // One flipped byte inside the deflated stream of 'images': the zip's directory is intact.
        byte[] bytes = npz(true);
        int at = indexOf(bytes, "images.npy".getBytes(StandardCharsets.US_ASCII)) + "images.npy".length() + 4;
        bytes[at] ^= (byte) 0xFF;
        Path file = write("damaged.npz", bytes);
        String m = assertThrows(IllegalArgumentException.class, () -> NumpyArray.read(file, "images")).getMessage();
        assertTrue(m.startsWith("key 'images' of the .npz file " + file), m);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

}
