package org.scorepipe.core.sources;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.run.NpyFile;

class FileSourcesTest {
    static final double[] ROWS = {1.0, 2.0, -3.5, 4.25, 0.0, 1e-300};

    @TempDir
    Path folder;

    static PipelineSpec pipeline(int d) {
        return new PipelineSpec("test", 1, 1, d);
    }

    Path npy(double[] values, int n, int d) throws IOException {
        Path file = folder.resolve("data.npy");
        NpyFile.write(file, new Particles(n, d, 0, values, 0.0));
        return file;
    }

    /**
     * Every particle takes one of the n rows, each with probability 1/n: with 30 000 particles each
     * count is within 5 standard errors sqrt(N p (1 - p)) of N / 3.
     */
    static void assertUniformOverRows(DataSource source, double[] rows, int n, int d) {
        int particles = 30_000;
        Particles sample = new Particles(particles, d);
        source.sample(sample.all(), PhiloxNoise.of(3, 0, 0));
        int[] counts = new int[n];
        for (int r = 0; r < particles; r++) {
            double[] row = Arrays.copyOfRange(sample.data(), r * d, r * d + d);
            int k = 0;
            while (k < n && !Arrays.equals(row, Arrays.copyOfRange(rows, k * d, k * d + d))) {
                k++;
            }
            assertTrue(k < n, "particle " + r + " is a row of the file: " + Arrays.toString(row));
            counts[k]++;
        }
        double p = 1.0 / n;
        for (int k = 0; k < n; k++) {
            assertEquals(particles * p, counts[k], 5 * Math.sqrt(particles * p * (1 - p)), "row " + k);
        }
        // A particle's row depends only on its index: a block of the ensemble draws the same rows.
        Particles part = new Particles(100, d, 200, new double[100 * d], 0.0);
        source.sample(part.all(), PhiloxNoise.of(3, 0, 0));
        assertArrayEquals(Arrays.copyOfRange(sample.data(), 200 * d, 300 * d), part.data());
    }

    @Test
    void npyRowsAreSampledUniformly() throws IOException {
        Path file = npy(ROWS.clone(), 3, 2);
        NpySource source = new NpySource(new NpySource.Params(file.toString()), pipeline(2));
        assertEquals(3, source.size());
        assertArrayEquals(ROWS, source.rows());
        assertUniformOverRows(source, ROWS, 3, 2);
    }

    /** Built directly (not from a pipeline file, which hands it absolute paths), a relative path is taken against the working directory. */
    @Test
    void npyPathIsRelativeToTheWorkingDirectory() throws IOException {
        Path file = npy(ROWS.clone(), 3, 2);
        Path relative = Path.of("").toAbsolutePath().relativize(file.toAbsolutePath());
        assertArrayEquals(ROWS, new NpySource(new NpySource.Params(relative.toString()), pipeline(2)).rows());
    }

    @Test
    void npyErrorsAreClear() throws IOException {
        Path missing = folder.resolve("nowhere.npy");
        assertEquals("the .npy file " + missing + " does not exist; check path (a relative path is resolved against the"
                + " pipeline file's folder, or against the working directory when given with --set)", assertThrows(IllegalArgumentException.class,
                        () -> new NpySource(new NpySource.Params(missing.toString()), pipeline(2))).getMessage());
        Path file = npy(ROWS.clone(), 3, 2);
        assertEquals("dimension mismatch: the .npy file " + file + " has rows of d = 2 values but the pipeline's"
                + " dimension is 3", assertThrows(IllegalArgumentException.class,
                        () -> new NpySource(new NpySource.Params(file.toString()), pipeline(3))).getMessage());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new NpySource(new NpySource.Params(file.toString()), pipeline(2))).getMessage()
                .endsWith("is truncated: its header promises (3, 2) <f8 values (48 bytes) but 43 bytes follow the header"));
        Files.write(file, "not a numpy file at all".getBytes(StandardCharsets.US_ASCII));
        assertEquals("the .npy file " + file + " is not a .npy file (it does not start with \\x93NUMPY)",
                assertThrows(IllegalArgumentException.class,
                        () -> new NpySource(new NpySource.Params(file.toString()), pipeline(2))).getMessage());
        String float32 = new String(bytes, StandardCharsets.ISO_8859_1).replace("'<f8'", "'<f4'");
        Files.write(file, float32.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new NpySource(new NpySource.Params(file.toString()), pipeline(2))).getMessage()
                .endsWith("is corrupt: its header promises (3, 2) <f4 values (24 bytes) but 48 bytes follow the header"));
        String oneDimensional = new String(bytes, StandardCharsets.ISO_8859_1).replace("(3, 2)", "(6,  )");
        Files.write(file, oneDimensional.getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new NpySource(new NpySource.Params(file.toString()), pipeline(2))).getMessage()
                .contains("holds an array of shape (6,), not [n, d] (rows of samples)"));
    }

    @Test
    void npySourceReadsFloat32NpzByKeyAndKeepsTheShape() throws IOException {
        // float32 [3, 1, 2] (PyTorch's default type, an [n, c, w] layout) in an .npz: rows of d = 2, shape [1, 2].
        java.nio.ByteBuffer f4 = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (double v : ROWS) {
            f4.putFloat((float) v);
        }
        byte[] npy = ImageSourceTest.npy("<f4", new int[] {3, 1, 2}, f4.array());
        Path file = folder.resolve("d.npz");
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("x.npy"));
            zip.write(npy);
        }
        NpySource source = new NpySource(new NpySource.Params(file.toString(), "x"), pipeline(2));
        double[] widened = Arrays.stream(ROWS).map(v -> (float) v).toArray();
        assertArrayEquals(widened, source.rows());
        assertEquals(java.util.List.of(1, 2), source.shape());
        assertEquals("the .npz file " + file + " has no array 'y'; its keys are x", assertThrows(IllegalArgumentException.class,
                () -> new NpySource(new NpySource.Params(file.toString(), "y"), pipeline(2))).getMessage());
    }

    @Test
    void csvRowsAreSampledUniformlyWithOrWithoutAHeader() throws IOException {
        Path plain = folder.resolve("plain.csv");
        Files.writeString(plain, "1.0, 2.0\n\n# a comment\n-3.5,4.25\n0,1e-300\n");
        CsvSource source = new CsvSource(new CsvSource.Params(plain.toString(), false), pipeline(2));
        assertArrayEquals(ROWS, source.rows());
        assertUniformOverRows(source, ROWS, 3, 2);
        Path headed = folder.resolve("headed.csv");
        Files.writeString(headed, "x,y\n1.0,2.0\n-3.5,4.25\n0,1e-300\n");
        assertArrayEquals(ROWS, new CsvSource(new CsvSource.Params(headed.toString(), true), pipeline(2)).rows());
    }

    @Test
    void anEmpiricalScoreUsesAFilesRowsAsTheyAre() throws IOException {
        Path plain = folder.resolve("points.csv");
        Files.writeString(plain, "1.0, 2.0\n-3.5,4.25\n0,1e-300\n");
        CsvSource source = new CsvSource(new CsvSource.Params(plain.toString(), false), pipeline(2));
        assertArrayEquals(ROWS, source.points().orElseThrow());
        org.scorepipe.core.scores.EmpiricalScore score = new org.scorepipe.core.scores.EmpiricalScore(
                new org.scorepipe.core.scores.EmpiricalScore.Params(0), source,
                new org.scorepipe.core.paths.OrnsteinUhlenbeckPath(new org.scorepipe.core.paths.OrnsteinUhlenbeckPath.Params()), pipeline(2));
        assertArrayEquals(ROWS, score.points(), "all three rows, not a resample of them");
    }

    @Test
    void csvErrorsAreClear() throws IOException {
        Path headed = folder.resolve("headed.csv");
        Files.writeString(headed, "x,y\n1.0,2.0\n");
        assertEquals("line 1, column 1 of the .csv file " + headed + " is 'x', not a number; if the first line is a header,"
                + " set header: true", assertThrows(IllegalArgumentException.class,
                        () -> new CsvSource(new CsvSource.Params(headed.toString(), false), pipeline(2))).getMessage());
        assertEquals("dimension mismatch: line 2 of the .csv file " + headed + " has 2 values but the pipeline's"
                + " dimension is 3", assertThrows(IllegalArgumentException.class,
                        () -> new CsvSource(new CsvSource.Params(headed.toString(), true), pipeline(3))).getMessage());
        Path infinite = folder.resolve("infinite.csv");
        Files.writeString(infinite, "1.0,2.0\n3.0,Infinity\n");
        assertEquals("the .csv file " + infinite + ": row 1 (counting from 0) has the value Infinity in column 1; every"
                + " value must be a finite number", assertThrows(IllegalArgumentException.class,
                        () -> new CsvSource(new CsvSource.Params(infinite.toString(), false), pipeline(2))).getMessage());
        Path missing = folder.resolve("missing.csv");
        assertEquals("the .csv file " + missing + " does not exist; check path (a relative path is resolved against the"
                + " pipeline file's folder, or against the working directory when given with --set)", assertThrows(IllegalArgumentException.class,
                        () -> new CsvSource(new CsvSource.Params(missing.toString(), false), pipeline(2))).getMessage());
    }
}
