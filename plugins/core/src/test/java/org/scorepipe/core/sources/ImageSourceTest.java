package org.scorepipe.core.sources;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.sources.ImageSource.Part;
import org.scorepipe.core.sources.ImageSource.Range;
import org.scorepipe.core.sources.ImageSource.Split;
import org.scorepipe.runtime.noise.PhiloxBuildNoise;
import org.scorepipe.runtime.noise.PhiloxNoise;

class ImageSourceTest {
    @TempDir
    Path folder;

    static byte[] npy(String descr, int[] shape, byte[] data) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        s.append(shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        return b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data).array();
    }

    /** An .npz with uint8 'images' of {@code shape} and uint8 'labels' (i mod 10). */
    Path npz(String name, int[] shape, byte[] pixels) throws IOException {
        byte[] labels = new byte[shape[0]];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (byte) (i % 10);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("images.npy"));
            zip.write(npy("|u1", shape, pixels));
            zip.putNextEntry(new ZipEntry("labels.npy"));
            zip.write(npy("|u1", new int[] {shape[0]}, labels));
        }
        Path file = folder.resolve(name);
        Files.write(file, out.toByteArray());
        return file;
    }

    static ImageSource.Params params(Path file, Range range, int pool, double flip, double holdout, Split split, Part part) {
        return new ImageSource.Params(file.toString(), "images", "labels", range, pool, flip, holdout, split, part);
    }

    static ImageSource source(ImageSource.Params p, int d, long seed) {
        return new ImageSource(p, new PipelineSpec("t", seed, 1, d), new PhiloxBuildNoise(seed));
    }

    /** n images of one pixel whose bytes are 51 (0.2 after scaling). */
    Path constant(int n) throws IOException {
        byte[] px = new byte[n];
        Arrays.fill(px, (byte) 51);
        return npz("const" + n + ".npz", new int[] {n, 1, 1}, px);
    }

    @Test
    void averagePoolingOfAKnownImage() throws IOException {
        // Pixel v = 0..15 of a 4 x 4 image is the byte 17 v, i.e. v / 15 in [0, 1]. Each 2 x 2 window's
        // mean is (v00 + v01 + v10 + v11) / 4 / 15: (0+1+4+5)/4 = 2.5, 4.5, 10.5, 12.5.
        byte[] px = new byte[16];
        for (int v = 0; v < 16; v++) {
            px[v] = (byte) (17 * v);
        }
        Path file = npz("pool.npz", new int[] {1, 4, 4}, px);
        ImageSource unit = source(params(file, Range.UNIT, 2, 0, 0, Split.PERMUTATION, Part.TRAIN), 4, 1);
        double[] expected = {2.5 / 15, 4.5 / 15, 10.5 / 15, 12.5 / 15};
        // Four additions and a multiplication by 1/4 of exact multiples of 1/255: a few ulps at most.
        assertArrayEquals(expected, unit.points().orElseThrow(), 1e-15);
        assertEquals(List.of(2, 2), unit.shape());
        ImageSource symmetric = source(params(file, Range.SYMMETRIC, 2, 0, 0, Split.PERMUTATION, Part.TRAIN), 4, 1);
        double[] twoXMinusOne = Arrays.stream(expected).map(x -> 2 * x - 1).toArray();
        assertArrayEquals(twoXMinusOne, symmetric.points().orElseThrow(), 1e-15);
        ImageSource none = source(params(file, Range.UNIT, 1, 0, 0, Split.PERMUTATION, Part.TRAIN), 16, 1);
        assertEquals(17.0 * 7 / 255, none.points().orElseThrow()[7], 0.0);
        assertEquals(List.of(4, 4), none.shape());
    }

    @Test
    void channelsKeepTheirOrderAndTheShapeIsKept() throws IOException {
        // [1, 2, 2, 2]: channel 0 all bytes 255, channel 1 all 0; pooled by 2: [1, 0], shape [2, 1, 1].
        byte[] px = {(byte) 255, (byte) 255, (byte) 255, (byte) 255, 0, 0, 0, 0};
        Path file = npz("ch.npz", new int[] {1, 2, 2, 2}, px);
        ImageSource s = source(params(file, Range.UNIT, 2, 0, 0, Split.PERMUTATION, Part.TRAIN), 2, 1);
        assertArrayEquals(new double[] {1, 0}, s.points().orElseThrow(), 0.0);
        assertEquals(List.of(2, 1, 1), s.shape());
        Particles p = new Particles(10, 2);
        s.sample(p.all(), PhiloxNoise.of(3, 0, 0));
        for (int r = 0; r < 10; r++) {
            assertArrayEquals(new double[] {1, 0}, Arrays.copyOfRange(p.data(), 2 * r, 2 * r + 2), 0.0);
        }
    }

    @Test
    void flipsHitTheirShareAndArePureFunctionsOfSeedAndIndex() throws IOException {
        int n = 4000;
        double p = 0.3;
        Path file = constant(n);
        ImageSource s = source(params(file, Range.UNIT, 1, p, 0, Split.PERMUTATION, Part.TRAIN), 1, 11);
        double[] x = s.points().orElseThrow();
        boolean[] flipped = s.flipped();
        int count = 0;
        for (int i = 0; i < n; i++) {
            // A flipped image is exactly 1 - 0.2 in [0, 1]; the others keep 0.2 (51 / 255).
            assertEquals(flipped[i] ? 1 - 51 / 255.0 : 51 / 255.0, x[i], 0.0);
            count += flipped[i] ? 1 : 0;
        }
        // Binomial(4000, 0.3): mean 1200, sd sqrt(4000 * 0.3 * 0.7) = 29; 5 sd = 145 fails one run in ~10^6.
        assertEquals(n * p, count, 5 * Math.sqrt(n * p * (1 - p)));
        // [-1, 1]: the flip is y -> -y.
        ImageSource sym = source(params(file, Range.SYMMETRIC, 1, p, 0, Split.PERMUTATION, Part.TRAIN), 1, 11);
        double[] y = sym.points().orElseThrow();
        for (int i = 0; i < n; i++) {
            assertEquals(flipped[i] ? -(2 * 51 / 255.0 - 1) : 2 * 51 / 255.0 - 1, y[i], 1e-15);
        }
        // The same seed flips the same images; another seed others; p = 0 and 1 none and all.
        assertArrayEquals(flipped, source(params(file, Range.UNIT, 1, p, 0, Split.PERMUTATION, Part.TRAIN), 1, 11).flipped());
        assertFalse(Arrays.equals(flipped, source(params(file, Range.UNIT, 1, p, 0, Split.PERMUTATION, Part.TRAIN), 1, 12)
                .flipped()));
        assertArrayEquals(new boolean[n], source(params(file, Range.UNIT, 1, 0, 0, Split.PERMUTATION, Part.TRAIN), 1, 11)
                .flipped());
        boolean[] all = new boolean[n];
        Arrays.fill(all, true);
        assertArrayEquals(all, source(params(file, Range.UNIT, 1, 1, 0, Split.PERMUTATION, Part.TRAIN), 1, 11).flipped());
        // Image i's flip depends on its index, not on the split: the held-out part sees the same flips.
        ImageSource held = source(params(file, Range.UNIT, 1, p, 0.25, Split.PERMUTATION, Part.HELD_OUT), 1, 11);
        int[] idx = held.fileIndices();
        boolean[] heldFlips = held.flipped();
        for (int j = 0; j < idx.length; j++) {
            assertEquals(flipped[idx[j]], heldFlips[j], "image " + idx[j]);
        }
    }

    @Test
    void splitSizesAndParts() throws IOException {
        int n = 1000;
        Path file = constant(n);
        for (Split split : Split.values()) {
            ImageSource train = source(params(file, Range.UNIT, 1, 0, 0.1, split, Part.TRAIN), 1, 5);
            ImageSource held = source(params(file, Range.UNIT, 1, 0, 0.1, split, Part.HELD_OUT), 1, 5);
            assertEquals(900, train.size(), split.toString());
            assertEquals(100, held.size(), split.toString());
            boolean[] seen = new boolean[n];
            for (int i : train.fileIndices()) {
                seen[i] = true;
            }
            for (int i : held.fileIndices()) {
                assertFalse(seen[i], "image " + i + " is in both parts (" + split + ")");
                seen[i] = true;
            }
            for (int i = 0; i < n; i++) {
                assertTrue(seen[i], "image " + i + " is in neither part (" + split + ")");
            }
            // Labels follow their images (the file's label of image i is i mod 10).
            int[] labels = held.labels().orElseThrow();
            int[] idx = held.fileIndices();
            for (int j = 0; j < idx.length; j++) {
                assertEquals(idx[j] % 10, labels[j]);
            }
        }
        int[] first = source(params(file, Range.UNIT, 1, 0, 0.1, Split.FIRST, Part.HELD_OUT), 1, 5).fileIndices();
        assertArrayEquals(java.util.stream.IntStream.range(0, 100).toArray(), first);
        int[] last = source(params(file, Range.UNIT, 1, 0, 0.1, Split.LAST, Part.HELD_OUT), 1, 5).fileIndices();
        assertArrayEquals(java.util.stream.IntStream.range(900, 1000).toArray(), last);
        int[] perm = source(params(file, Range.UNIT, 1, 0, 0.1, Split.PERMUTATION, Part.HELD_OUT), 1, 5).fileIndices();
        assertArrayEquals(perm, source(params(file, Range.UNIT, 1, 0, 0.1, Split.PERMUTATION, Part.HELD_OUT), 1, 5)
                .fileIndices(), "the same seed holds out the same images");
        assertNotEquals(Arrays.toString(perm), Arrays.toString(source(params(file, Range.UNIT, 1, 0, 0.1, Split.PERMUTATION,
                Part.HELD_OUT), 1, 6).fileIndices()));
        // A uniformly random 100 of 1000: the number below 500 is hypergeometric, mean 50, sd
        // sqrt(100 * 0.5 * 0.5 * 900 / 999) = 4.75; 5 sd. (The first or last 100 would give 100 or 0.)
        long low = Arrays.stream(perm).filter(i -> i < 500).count();
        assertEquals(50, low, 5 * 4.75);
        // round(0.1 * 5) = 1 image of 5 held out.
        assertEquals(1, source(params(constant(5), Range.UNIT, 1, 0, 0.1, Split.LAST, Part.HELD_OUT), 1, 5).size());
    }

    String failure(ImageSource.Params p, int d) {
        return assertThrows(IllegalArgumentException.class, () -> source(p, d, 1)).getMessage();
    }

    @Test
    void badInputIsOneMessageNamingTheFileOrKey() throws IOException {
        Path flat = folder.resolve("flat.npy");
        Files.write(flat, npy("|u1", new int[] {3, 4}, new byte[12]));
        assertEquals("the .npy file " + flat + " holds an array of shape (3, 4), not images [n, h, w] or [n, c, h, w];"
                + " reshape it (e.g. array.reshape(-1, 28, 28)), or read [n, d] rows with the data source type: npy",
                failure(new ImageSource.Params(flat.toString(), null, null, Range.UNIT, 1, 0, 0, Split.PERMUTATION,
                        Part.TRAIN), 4));
        Path file = npz("a.npz", new int[] {2, 6, 6}, new byte[72]);
        assertEquals("key 'images' of the .npz file " + file + " holds images of 6 x 6 pixels, which pool: 4 does not"
                + " divide; choose a pool factor that divides both",
                failure(params(file, Range.UNIT, 4, 0, 0, Split.PERMUTATION, Part.TRAIN), 4));
        assertEquals("dimension mismatch: key 'images' of the .npz file " + file + " holds images of shape [6, 6], pooled"
                + " by 2 to [3, 3], d = 9 values, but the pipeline's dimension is 36; set pipeline.dimension: 9",
                failure(params(file, Range.UNIT, 2, 0, 0, Split.PERMUTATION, Part.TRAIN), 36));
        assertEquals("the .npz file " + file + " has no array 'digits'; its keys are images, labels",
                failure(new ImageSource.Params(file.toString(), "digits", null, Range.UNIT, 1, 0, 0, Split.PERMUTATION,
                        Part.TRAIN), 36));
        assertEquals("the .npz file " + file + " has no array 'y'; its keys are images, labels",
                failure(new ImageSource.Params(file.toString(), "images", "y", Range.UNIT, 1, 0, 0, Split.PERMUTATION,
                        Part.TRAIN), 36));
        Path truncated = folder.resolve("t.npy");
        byte[] whole = npy("|u1", new int[] {2, 6, 6}, new byte[72]);
        Files.write(truncated, Arrays.copyOf(whole, whole.length - 2));
        assertEquals("the .npy file " + truncated + " is truncated: its header promises (2, 6, 6) |u1 values (72 bytes)"
                + " but 70 bytes follow the header", failure(new ImageSource.Params(truncated.toString(), null, null,
                        Range.UNIT, 1, 0, 0, Split.PERMUTATION, Part.TRAIN), 36));
        Path missing = folder.resolve("none.npz");
        assertEquals("the .npz file " + missing + " does not exist; check path (a relative path is resolved against the"
                + " pipeline file's folder, or against the working directory when given with --set)", failure(params(missing, Range.UNIT, 1, 0, 0, Split.PERMUTATION, Part.TRAIN), 1));
        Path bright = folder.resolve("bright.npy");
        ByteBuffer f4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(2f);
        Files.write(bright, npy("<f4", new int[] {1, 1, 2}, f4.array()));
        assertEquals("the .npy file " + bright + " has the value 2.0 at flat index 1; float images must hold intensities"
                + " in [0, 1] (uint8 images are divided by 255)", failure(new ImageSource.Params(bright.toString(), null,
                        null, Range.UNIT, 1, 0, 0, Split.PERMUTATION, Part.TRAIN), 2));
        assertEquals("flip is a probability, in [0, 1]; got 1.5", assertThrows(IllegalArgumentException.class,
                () -> params(file, Range.UNIT, 1, 1.5, 0, Split.PERMUTATION, Part.TRAIN)).getMessage());
    }

    @Test
    void float32ImagesAreReadAsTheyAre() throws IOException {
        Path file = folder.resolve("f.npy");
        ByteBuffer f4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(1f);
        Files.write(file, npy("<f4", new int[] {1, 1, 1, 2}, f4.array()));
        ImageSource s = source(new ImageSource.Params(file.toString(), null, null, Range.SYMMETRIC, 1, 0, 0,
                Split.PERMUTATION, Part.TRAIN), 2, 1);
        assertArrayEquals(new double[] {-0.5, 1}, s.points().orElseThrow(), 0.0);
        assertEquals(List.of(1, 1, 2), s.shape());
        assertTrue(s.labels().isEmpty());
    }
}
