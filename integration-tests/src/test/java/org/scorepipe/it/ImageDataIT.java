package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.run.NpyFile;

/**
 * Image data through the real CLI: the shipped MNIST pipeline runs shrunk; lying {@code .npy}
 * headers (issue #20) and bad image files (issue #19) end in one message naming the file or key,
 * exit 2, no stack trace, nothing left behind.
 */
class ImageDataIT {
    private static final Path ROOT = Cli.PIPELINES.getParent();

    @TempDir
    Path dir;

    @Test
    void theShrunkMnistPipelineRunsFromOriginalImages() throws Exception {
        Path out = dir.resolve("run");
        // From the repository's root, as the README runs it (RelativePathsIT runs it from elsewhere).
        Cli.Result r = Cli.run(ROOT, "run", "pipelines/mnist-annealed-ld.yaml", "--out", out.toString(),
                "--set", "stages.annealed.steps-per-level=3");
        assertEquals(0, r.exitCode(), r.all());
        Particles samples = NpyFile.read(out.resolve("samples.npy"));
        assertEquals(16, samples.size());
        assertEquals(196, samples.dimension());
        // Started from unflipped digits (mean intensity about 0.13, a flipped one about 0.87) with 12
        // small annealed steps, every sample keeps a dark background: its mean is below 1/2.
        for (int i = 0; i < samples.size(); i++) {
            double mean = Arrays.stream(samples.data(), i * 196, (i + 1) * 196).average().orElseThrow();
            assertTrue(Double.isFinite(mean) && mean < 0.5, "sample " + i + " has mean intensity " + mean);
        }
        // The mode measure says so: no sample in the flipped mode, while the held-out images are
        // flipped about half the time (16 of them: their share is a binomial(16, 1/2) / 16).
        var metrics = com.google.gson.JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonArray("evaluations").get(0).getAsJsonObject().getAsJsonObject("metrics");
        assertEquals(0.0, metrics.get("flipped-share").getAsDouble(), metrics.toString());
        double floor = metrics.get("flipped-share-floor").getAsDouble();
        assertTrue(floor > 0 && floor < 1, metrics.toString());
        assertEquals(floor, metrics.get("flipped-share-error").getAsDouble(), metrics.toString());
    }

    @Test
    void theShrunkChainedMnistPipelineRunsEachSamplerFromOriginalImages() throws Exception {
        Path out = dir.resolve("chained");
        Cli.Result r = Cli.run(ROOT, "run", "pipelines/chained-ld-mnist.yaml", "--out", out.toString(),
                "--set", "pipeline.particles=8", "--set", "stages.vanilla.steps=4", "--set", "stages.annealed.steps-per-level=2",
                "--set", "stages.chained.steps-per-level=1");
        assertEquals(0, r.exitCode(), r.all());
        // Three samplers, each with its samples and its mode measure; the learned row network moved every row.
        for (String file : new String[] {"vanilla.npy", "annealed.npy", "start.npy", "samples.npy"}) {
            Particles p = NpyFile.read(out.resolve(file));
            assertEquals(8, p.size(), file);
            assertEquals(196, p.dimension(), file);
            assertTrue(Arrays.stream(p.data()).allMatch(Double::isFinite), file);
        }
        Particles start = NpyFile.read(out.resolve("start.npy"));
        Particles chained = NpyFile.read(out.resolve("samples.npy"));
        for (int row = 0; row < 14; row++) {
            boolean moved = false;
            for (int c = row * 14; c < row * 14 + 14; c++) {
                moved |= start.data()[c] != chained.data()[c];
            }
            assertTrue(moved, "row " + row + " of the first image was not sampled");
        }
        var evaluations = com.google.gson.JsonParser.parseString(Files.readString(out.resolve("metrics.json"))).getAsJsonObject()
                .getAsJsonArray("evaluations");
        assertEquals(3, evaluations.size(), evaluations.toString());
        for (var e : evaluations) {
            double share = e.getAsJsonObject().getAsJsonObject("metrics").get("flipped-share").getAsDouble();
            assertTrue(share >= 0 && share <= 1, e.toString());
        }
        assertTrue(Files.exists(out.resolve("plots/grid-samples.png")) || Files.exists(out.resolve("report.html")), r.all());
    }

    static byte[] npy(String dict, byte[] data) {
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        return b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data).array();
    }

    static byte[] floats(int count) {
        ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            b.putFloat(0.25f * i);
        }
        return b.array();
    }

    /** Runs a 2-stage pipeline whose data source is {@code data}; returns the one error message. */
    private String failure(String name, String data, int dimension) throws Exception {
        String yaml = "pipeline: {name: " + name + ", seed: 1, particles: 8, dimension: " + dimension + "}\n"
                + "components:\n"
                + "  data: " + data + "\n"
                + "  path: {type: variance-exploding}\n"
                + "  score: {type: empirical}\n"
                + "stages:\n"
                + "  - {name: init, type: init, from: data}\n"
                + "  - {name: save, type: save}\n";
        Files.writeString(dir.resolve(name + ".yaml"), yaml);
        Cli.Result result = Cli.run(dir, "run", name + ".yaml", "--runs", "runs-" + name);
        assertEquals(2, result.exitCode(), result.all());
        assertEquals("", result.stdout(), "nothing on stdout");
        String[] lines = result.stderr().strip().split("\n");
        assertEquals(1, lines.length, "one message: " + result.stderr());
        assertTrue(lines[0].startsWith("error: " + name + ".yaml: components.data: "), result.stderr());
        assertFalse(result.stderr().contains("Exception") || result.stderr().contains("\tat "), "no stack trace: "
                + result.stderr());
        Path runs = dir.resolve("runs-" + name);
        assertFalse(Files.exists(runs) && Files.list(runs).findAny().isPresent(), "no run directory is left behind");
        return lines[0].substring(("error: " + name + ".yaml: components.data: ").length());
    }

    @Test
    void lyingNpyHeadersAreRefused() throws Exception {
        // #20: (2^32 + 1) x 1 rows wrapped to 1 row in int arithmetic; 2^62 x 4 wraps to 0 even in long.
        Path wraps = dir.resolve("wraps.npy");
        Files.write(wraps, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967297, 2), }", new byte[16]));
        assertEquals("the .npy file " + wraps + " has the shape (4294967297, 2) with a dimension above 2147483647; no array"
                + " that large can be read", failure("wraps", "{type: npy, path: wraps.npy}", 2));
        Path wrapsLong = dir.resolve("wraps-long.npy");
        Files.write(wrapsLong, npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824, 1073741824, 16), }",
                new byte[16]));
        assertEquals("the .npy file " + wrapsLong + " has the shape (1073741824, 1073741824, 16): more than 2147483639"
                + " values, more than one Java array holds", failure("wraps-long", "{type: npy, path: wraps-long.npy}", 2));
        // #20: float32 bytes whose header hides "'descr': '<f8'" inside another key's string.
        Path hidden = dir.resolve("hidden.npy");
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), 'comment': \"'descr': '<f8'\"}";
        Files.write(hidden, npy(dict, floats(4)));
        String m = failure("hidden", "{type: npy, path: hidden.npy}", 2);
        assertTrue(m.startsWith("the .npy file " + hidden + " has the header keys ") && m.contains("not exactly 'descr',"
                + " 'fortran_order' and 'shape'"), m);
        // The honest float32 file reads as float32 (PyTorch's default), 4 values, not 2 doubles.
        Files.write(hidden, npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", floats(4)));
        Path out = dir.resolve("honest");
        Files.writeString(dir.resolve("honest.yaml"), Files.readString(dir.resolve("hidden.yaml")).replace("name: hidden",
                "name: honest"));
        Cli.Result ok = Cli.run(dir, "run", "honest.yaml", "--out", out.toString());
        assertEquals(0, ok.exitCode(), ok.all());
        double[] drawn = NpyFile.read(out.resolve("samples.npy")).data();
        for (int r = 0; r < 8; r++) {
            double[] row = Arrays.copyOfRange(drawn, 2 * r, 2 * r + 2);
            assertTrue(Arrays.equals(row, new double[] {0, 0.25}) || Arrays.equals(row, new double[] {0.5, 0.75}),
                    "row " + r + " is a row of the file: " + Arrays.toString(row));
        }
    }

    private Path npz(String name, byte[] images) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("images.npy"));
            zip.write(images);
        }
        Path file = dir.resolve(name);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    @Test
    void badImageFilesAreOneMessageEach() throws Exception {
        byte[] good = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 2, 2), }", new byte[12]);
        Path file = npz("good.npz", good);
        // Wrong shape: [n, d] rows are not images.
        Path flat = npz("flat.npz", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 4), }", new byte[12]));
        assertEquals("key 'images' of the .npz file " + flat + " holds an array of shape (3, 4), not images [n, h, w] or"
                + " [n, c, h, w]; reshape it (e.g. array.reshape(-1, 28, 28)), or read [n, d] rows with the data source"
                + " type: npy", failure("flat", "{type: images, path: flat.npz, key: images}", 4));
        // Images of the wrong size for the pipeline.
        assertEquals("dimension mismatch: key 'images' of the .npz file " + file + " holds images of shape [2, 2], d = 4"
                + " values, but the pipeline's dimension is 196; set pipeline.dimension: 4",
                failure("size", "{type: images, path: good.npz, key: images}", 196));
        // A truncated archive.
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.npz");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 30));
        String m = failure("cut", "{type: images, path: cut.npz, key: images}", 4);
        assertTrue(m.startsWith("the .npz file " + cut + " is not a readable zip archive ("), m);
        // A truncated .npy inside a good archive, and a truncated .npy file.
        Path shortEntry = npz("short.npz", Arrays.copyOf(good, good.length - 2));
        assertEquals("key 'images' of the .npz file " + shortEntry + " is truncated: its header promises (3, 2, 2) |u1"
                + " values (12 bytes) but 10 bytes follow the header", failure("short", "{type: images, path: short.npz,"
                + " key: images}", 4));
        Path shortNpy = dir.resolve("short.npy");
        Files.write(shortNpy, Arrays.copyOf(good, good.length - 5));
        assertEquals("the .npy file " + shortNpy + " is truncated: its header promises (3, 2, 2) |u1 values (12 bytes) but"
                + " 7 bytes follow the header", failure("short-npy", "{type: images, path: short.npy}", 4));
        // An archive without the key.
        assertEquals("the .npz file " + file + " has no array 'digits'; its keys are images",
                failure("key", "{type: images, path: good.npz, key: digits}", 4));
        assertEquals("the .npz file " + file + " has no array 'labels'; its keys are images",
                failure("labels", "{type: images, path: good.npz, key: images, labels: labels}", 4));
        // A pool factor that does not divide the image.
        assertEquals("key 'images' of the .npz file " + file + " holds images of 2 x 2 pixels, which pool: 3 does not"
                + " divide; choose a pool factor that divides both",
                failure("pool", "{type: images, path: good.npz, key: images, pool: 3}", 4));
    }
}
