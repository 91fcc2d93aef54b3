package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.kryo5.io.Output;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointFormat;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The "break it" suite of "Nothing lost, nothing half-said": a sample of each category of
 * adversarial input against the real CLI. Every case must end cleanly: the expected exit code,
 * exactly one {@code error:} line when it fails, no stack frame, nothing partial under a real
 * name, and after a crash or a damaged checkpoint the bytes of the uninterrupted run.
 * It prints how many cases each category tried (the figures of the closing note).
 */
class BreakItIT {
    private static final String PIPELINE = """
            pipeline: {name: breakit, seed: 21, particles: 2000, dimension: 2}
            checkpoint: {every: 100, keep: 50}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.4, mean: [-2.0, 0.0], covariance: 0.5}
                  - {weight: 0.6, mean: [2.0, 1.0], covariance: [1.0, 0.3, 0.3, 0.6]}
              path: {type: ornstein-uhlenbeck}
              score: {type: analytic}
            stages:
              - {name: init, type: init}
              - {name: corrector, type: corrector, time: 1.0, steps: 3000, corrector: {type: langevin, step: 0.02}}
              - {name: sample, type: sample, grid: {type: uniform, from: 1.0, to: 0.01, steps: 400},
                 predictor: {type: euler-maruyama}}
              - {name: save, type: save}
            """;

    @TempDir
    static Path dir;
    static byte[] reference;
    static final List<String> tally = new ArrayList<>();

    @BeforeAll
    static void uninterrupted() throws Exception {
        Files.writeString(dir.resolve("breakit.yaml"), PIPELINE);
        Cli.Result r = Cli.run(dir, "run", "breakit.yaml", "--out", "reference", "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        reference = Files.readAllBytes(dir.resolve("reference/samples.npy"));
    }

    @AfterAll
    static void report() {
        System.out.println("break-it cases, all handled cleanly: " + String.join("; ", tally));
    }

    private static String oneError(Cli.Result r) {
        List<String> errors = r.all().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), r.all());
        assertFalse(r.all().contains("\tat "), r.all());
        return errors.get(0);
    }

    /** No temporary file of a writer is left anywhere under {@code root}. */
    private static void nothingPartial(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> partial = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
            assertTrue(partial.isEmpty(), "partial files: " + partial);
        }
    }

    /** A copy of the reference run cut back to its checkpoints up to and including {@code newest}, without outputs. */
    private static Path cutRun(String to, String newest) throws IOException {
        Path dst = Files.createDirectories(dir.resolve(to).resolve("checkpoints"));
        Files.copy(dir.resolve("reference/config.yaml"), dst.getParent().resolve("config.yaml"));
        try (Stream<Path> files = Files.list(dir.resolve("reference/checkpoints"))) {
            for (Path f : files.sorted().toList()) {
                if (f.getFileName().toString().compareTo(newest) <= 0) {
                    Files.copy(f, dst.resolve(f.getFileName()));
                }
            }
        }
        return dst.resolve(newest);
    }

    private static void resumesToTheReference(String run, String expectedInLog) throws Exception {
        Cli.Result r = Cli.run(dir, "resume", run, "--quiet");
        assertEquals(0, r.exitCode(), r.all());
        assertFalse(r.all().contains("\tat "), r.all());
        assertArrayEquals(reference, Files.readAllBytes(dir.resolve(run).resolve("samples.npy")), run);
        if (expectedInLog != null) {
            String log = Files.readString(dir.resolve(run).resolve("run.log"));
            assertTrue(log.contains(expectedInLog), expectedInLog + " in\n" + log);
        }
        nothingPartial(dir.resolve(run));
    }

    @Test
    void damagedCheckpointsFallBackToTheNewestValidOne() throws Exception {
        String newest = "ckpt-s001-k0000001500.spck";
        Random random = new Random(5);
        int cases = 0;
        byte[] good = Files.readAllBytes(dir.resolve("reference/checkpoints").resolve(newest));
        // truncations, at the header, the metadata, the particles and the checksum
        for (int cut : new int[] {0, 7, 19, 40, good.length / 3, good.length - 5, good.length - 1}) {
            Path file = cutRun("cut-" + cases, newest);
            Files.write(file, java.util.Arrays.copyOf(good, cut));
            resumesToTheReference("cut-" + cases++, "skipped a damaged or foreign checkpoint");
        }
        // single flipped bits anywhere, and a zeroed block
        for (int i = 0; i < 6; i++) {
            Path file = cutRun("cut-" + cases, newest);
            byte[] bad = good.clone();
            bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
            Files.write(file, bad);
            resumesToTheReference("cut-" + cases++, "skipped a damaged or foreign checkpoint");
        }
        Path file = cutRun("cut-" + cases, newest);
        byte[] zeroed = good.clone();
        java.util.Arrays.fill(zeroed, 100, 400, (byte) 0);
        Files.write(file, zeroed);
        resumesToTheReference("cut-" + cases++, "skipped a damaged or foreign checkpoint");
        tally.add("damaged checkpoints " + cases + "/" + cases);
    }

    /** Offsets of a checkpoint's fixed-size fields, found by walking its strings as the format lays them out. */
    private record Layout(int stage, int step, int n, int firstIndex, int config, int particles) {
        static Layout of(Checkpoint c, byte[] file) {
            int at = 24;
            at += 4 + bytes(c.runId()) + 4 + bytes(c.pipeline()) + 8 + 4 + bytes(c.noiseGenerator());
            int config = at;
            at += 4 + bytes(c.config());
            for (List<String> list : List.of(c.stageNames(), c.stageHashes())) {
                at += 4;
                for (String s : list) {
                    at += 4 + bytes(s);
                }
            }
            int stage = at;
            int step = at + 4;
            int n = step + 8 + 8 + 8 + 8;
            int firstIndex = n + 8;
            int particles = 24 + ByteBuffer.wrap(file, 20, 4).getInt();
            return new Layout(stage, step, n, firstIndex, config, particles);
        }

        private static int bytes(String s) {
            return s.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private static void putInt(byte[] file, int at, int value) {
        byte[] b = new byte[4];
        new Output(b).writeInt(value);
        System.arraycopy(b, 0, file, at, 4);
    }

    private static void putLong(byte[] file, int at, long value) {
        byte[] b = new byte[8];
        new Output(b).writeLong(value);
        System.arraycopy(b, 0, file, at, 8);
    }

    /** A forgery's last touch: the checksum recomputed over the edited payload. */
    private static byte[] signed(byte[] file) {
        CRC32C crc = new CRC32C();
        crc.update(file, 20, file.length - 24);
        ByteBuffer.wrap(file).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    /**
     * A run sampled with an older noise generator cannot resume exactly: its checkpoints (here the
     * reference's, rewritten as v2 wrote them) are refused with one message naming both versions,
     * and nothing is written.
     */
    @Test
    void checkpointsOfAnOlderNoiseGeneratorAreRefusedNamingBoth() throws Exception {
        String older = "philox4x64-10/ziggurat-normalized-gaussian/v2";
        Path newest = cutRun("older-noise", "ckpt-s001-k0000001500.spck");
        try (Stream<Path> files = Files.list(newest.getParent())) {
            for (Path f : files.toList()) {
                Checkpoint c = CheckpointStore.read(f);
                Checkpoint v2 = new Checkpoint(c.runId(), c.pipeline(), c.seed(), older, c.config(), c.stageNames(),
                        c.stageHashes(), c.stage(), c.step(), c.stageStartTime(), c.stageStartMaxAbs(), c.time(), c.n(),
                        c.dimension(), c.firstIndex(), c.particles(), c.states(), c.metrics());
                try (OutputStream out = Files.newOutputStream(f)) {
                    CheckpointFormat.write(v2, out);
                }
            }
        }
        Cli.Result r = Cli.run(dir, "resume", "older-noise", "--quiet");
        assertEquals(2, r.exitCode(), r.all());
        String error = oneError(r);
        assertTrue(error.contains(older) && error.contains(PhiloxNoise.GENERATOR), error);
        assertFalse(Files.exists(dir.resolve("older-noise/samples.npy")), "no samples");
        nothingPartial(dir.resolve("older-noise"));
        tally.add("older noise generator");
    }

    @Test
    void craftedCheckpointsWithAValidChecksumAreRefused() throws Exception {
        String newest = "ckpt-s001-k0000001500.spck";
        Path original = dir.resolve("reference/checkpoints").resolve(newest);
        byte[] good = Files.readAllBytes(original);
        Layout at = Layout.of(CheckpointStore.read(original), good);
        List<java.util.function.Consumer<byte[]>> forgeries = List.of(
                f -> putInt(f, at.config(), Integer.MAX_VALUE),          // a config of 2^31 bytes
                f -> putInt(f, at.stage(), -1),
                f -> putInt(f, at.stage(), 99),
                f -> putLong(f, at.step(), -5),
                f -> putLong(f, at.firstIndex(), -1),
                f -> putInt(f, at.n(), 1_000_000),                        // more particles than the payload holds
                f -> ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(at.particles() + 8, Double.NaN),
                f -> ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN).putDouble(at.particles(), 1e300),
                f -> ByteBuffer.wrap(f).putInt(8, 1));                   // an older format version
        int cases = 0;
        for (var forge : forgeries) {
            Path file = cutRun("forged-" + cases, newest);
            byte[] bad = good.clone();
            forge.accept(bad);
            Files.write(file, signed(bad));
            // With -Xmx256m a 4 GB allocation would be an OutOfMemoryError: lengths are bounded first.
            Cli.Result r = Cli.runWith(List.of("-Xmx256m"), dir, "resume", "forged-" + cases, "--quiet");
            assertEquals(0, r.exitCode(), "forgery " + cases + ": " + r.all());
            assertFalse(r.all().contains("\tat "), r.all());
            assertArrayEquals(reference, Files.readAllBytes(dir.resolve("forged-" + cases).resolve("samples.npy")));
            assertTrue(Files.readString(dir.resolve("forged-" + cases).resolve("run.log")).contains("skipped a damaged"),
                    "forgery " + cases);
            cases++;
        }
        // A step beyond its stage, alone in its folder: a clear refusal, nothing run.
        Path file = cutRun("forged-step", "ckpt-s001-k0000000100.spck");
        try (Stream<Path> others = Files.list(file.getParent())) {
            for (Path o : others.filter(p -> !p.equals(file)).toList()) {
                Files.delete(o);
            }
        }
        byte[] bad = Files.readAllBytes(file);
        putLong(bad, at.step(), 1_000_000_000_000L);
        Files.write(file, signed(bad));
        Cli.Result r = Cli.run(dir, "resume", "forged-step", "--quiet");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(oneError(r).contains("is at step 1000000000000 of stage 'corrector', which has only 3000 steps"), r.all());
        assertFalse(Files.exists(dir.resolve("forged-step/samples.npy")));
        cases++;
        tally.add("crafted checkpoints " + cases + "/" + cases);
    }

    @Test
    void lyingNpyHeadersEndInOneMessage() throws Exception {
        String[] headers = {
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967297, 2), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 3037000500), }",
            "{'fortran_order': False, 'x': \"'descr': '<f8'\", 'descr': '<f4', 'shape': (10, 2), }",
            "{'descr': '<f8', 'fortran_order': True, 'shape': (10, 2), }",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 2), }",   // data for 10 rows only
            "not a dict at all"};
        int cases = 0;
        for (String header : headers) {
            String name = "lying-" + cases;
            Files.write(dir.resolve(name + ".npy"), npy(header, 10 * 2 * 8));
            Files.writeString(dir.resolve(name + ".yaml"), PIPELINE.replace(
                    "type: gaussian-mixture\n    components:\n      - {weight: 0.4, mean: [-2.0, 0.0], covariance: 0.5}\n"
                            + "      - {weight: 0.6, mean: [2.0, 1.0], covariance: [1.0, 0.3, 0.3, 0.6]}",
                    "type: npy\n    path: " + dir.resolve(name + ".npy")).replace("score: {type: analytic}", "score: {type: empirical}"));
            Cli.Result r = Cli.run(dir, "run", name + ".yaml", "--runs", "runs-" + name, "--quiet");
            if (header.contains("'<f4'")) {
                // its real 'descr' is float32, of which the file holds twice the bytes: refused either way, never read as float64
                assertEquals(2, r.exitCode(), header + ": " + r.all());
                oneError(r);
            } else {
                assertEquals(2, r.exitCode(), header + ": " + r.all());
                assertTrue(oneError(r).contains(name + ".npy"), r.all());
                assertFalse(Files.exists(dir.resolve("runs-" + name)), "no run directory");
            }
            cases++;
        }
        tally.add("lying .npy headers " + cases + "/" + cases);
    }

    private static byte[] npy(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        int total = 10 + h.length + 1;
        int padded = (total + 63) / 64 * 64;
        ByteBuffer b = ByteBuffer.allocate(padded + dataBytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) (padded - 10));
        b.put(h);
        for (int i = total - 1; i < padded - 1; i++) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n');
        return b.array();
    }

    @Test
    void crashesResumeToTheSameBytes() throws Exception {
        // kill -9 after the first checkpoint of each kind of position
        int cases = 0;
        for (String after : new String[] {"ckpt-s001-k0000000100", "ckpt-s001-k0000001000", "ckpt-s002-k0000000100"}) {
            String run = "crash-" + cases;
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    Cli.JAR.toString(), "run", "breakit.yaml", "--out", run, "--quiet", "--threads", "1")
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve(run + ".txt").toFile()).start();
            Path checkpoints = dir.resolve(run).resolve("checkpoints");
            boolean seen = false;
            for (int i = 0; i < 12_000 && !seen && p.isAlive(); i++) {
                if (Files.isDirectory(checkpoints)) {
                    try (Stream<Path> s = Files.list(checkpoints)) {
                        seen = s.anyMatch(f -> f.getFileName().toString().startsWith(after));
                    }
                }
                p.waitFor(5, TimeUnit.MILLISECONDS);
            }
            p.destroyForcibly().waitFor();
            if (Files.exists(dir.resolve(run).resolve("samples.npy"))) {
                continue; // finished before the kill: not a crash case
            }
            resumesToTheReference(run, null);
            cases++;
        }
        assertTrue(cases > 0, "at least one run was killed mid-way");
        tally.add("kill -9 crashes " + cases + "/" + cases);
    }

    @Test
    void divergenceKeepsTheLastGoodCheckpoint() throws Exception {
        int cases = 0;
        for (String step : new String[] {"5", "50", "1e4"}) {
            String run = "diverge-" + cases;
            Cli.Result r = Cli.run(dir, "run", "breakit.yaml", "--out", run, "--quiet", "--checkpoint-every", "5",
                    "--set", "stages.corrector.corrector.step=" + step);
            assertEquals(2, r.exitCode(), r.all());
            assertTrue(oneError(r).contains("diverged"), r.all());
            assertFalse(Files.exists(dir.resolve(run).resolve("samples.npy")), "nothing non-finite saved");
            try (Stream<Path> files = Files.list(dir.resolve(run).resolve("checkpoints"))) {
                files.forEach(CheckpointStore::read); // every kept checkpoint reads back, healthy
            }
            nothingPartial(dir.resolve(run));
            cases++;
        }
        tally.add("divergence " + cases + "/" + cases);
    }
}
