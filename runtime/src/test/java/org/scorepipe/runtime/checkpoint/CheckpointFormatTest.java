package org.scorepipe.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointFormatTest {

    static Checkpoint sample(int n, int d) {
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(i) * 1e3 + (i % 7 == 0 ? -0.0 : 0.0);
        }
        if (x.length > 0) {
            x[0] = Double.MIN_VALUE;
        }
        return new Checkpoint(RUN, "p", -5L, "gen/v1", "pipeline: {name: p}\n", List.of("init", "sample"), List.of("aa", "bb"), 1,
                42, 0.75, 2.5, 0.5, n, d, 1000L, x, Map.of("stages.sample.corrector", new byte[] {1, 2, 3}), "{\"stages\": []}");
    }

    static final String RUN = "20261202T070000Z-0000abcd";

    /** {@code base} at another position, written by run {@code runId}. */
    static Checkpoint at(Checkpoint base, String runId, int stage, long step) {
        return new Checkpoint(runId, base.pipeline(), base.seed(), base.noiseGenerator(), base.config(), base.stageNames(),
                base.stageHashes(), stage, step, 0, 1, 0, base.n(), base.dimension(), 0, base.particles(), Map.of(), "{}");
    }

    static byte[] bytes(Checkpoint c) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointFormat.write(c, out);
        return out.toByteArray();
    }

    static Checkpoint read(byte[] bytes) throws Exception {
        return CheckpointFormat.read(new ByteArrayInputStream(bytes), "x.spck", bytes.length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 70_000})
    void roundTripsEveryFieldBitForBit(int n) throws Exception {
        Checkpoint c = sample(n, 3);
        Checkpoint back = read(bytes(c));
        assertEquals(c.runId(), back.runId());
        assertEquals(c.pipeline(), back.pipeline());
        assertEquals(c.seed(), back.seed());
        assertEquals(c.noiseGenerator(), back.noiseGenerator());
        assertEquals(c.config(), back.config());
        assertEquals(c.stageNames(), back.stageNames());
        assertEquals(c.stageHashes(), back.stageHashes());
        assertEquals(c.stage(), back.stage());
        assertEquals(c.step(), back.step());
        assertEquals(c.stageStartTime(), back.stageStartTime());
        assertEquals(c.stageStartMaxAbs(), back.stageStartMaxAbs());
        assertEquals(c.time(), back.time());
        assertEquals(c.n(), back.n());
        assertEquals(c.dimension(), back.dimension());
        assertEquals(c.firstIndex(), back.firstIndex());
        assertEquals(c.metrics(), back.metrics());
        assertArrayEquals(new byte[] {1, 2, 3}, back.states().get("stages.sample.corrector"));
        long[] a = Arrays.stream(c.particles()).mapToLong(Double::doubleToRawLongBits).toArray();
        long[] b = Arrays.stream(back.particles()).mapToLong(Double::doubleToRawLongBits).toArray();
        assertArrayEquals(a, b);
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        byte[] full = bytes(sample(100, 2));
        for (int cut : new int[] {3, 10, full.length / 2, full.length - 1}) {
            String m = assertThrows(CheckpointException.class, () -> read(Arrays.copyOf(full, cut))).getMessage();
            assertTrue(m.contains("truncated") || m.contains("not a scorepipe checkpoint"), cut + ": " + m);
        }
        // Without a known size the stream simply ends early.
        String m = assertThrows(CheckpointException.class, () -> CheckpointFormat.read(
                new ByteArrayInputStream(Arrays.copyOf(full, full.length - 9)), "x.spck", -1)).getMessage();
        assertTrue(m.contains("truncated"), m);
    }

    @Test
    void everyFlippedByteIsCaught() throws Exception {
        byte[] full = bytes(sample(5, 2));
        for (int i = 0; i < full.length; i++) {
            byte[] bad = full.clone();
            bad[i] ^= 0x10;
            assertThrows(CheckpointException.class, () -> read(bad), "byte " + i);
        }
    }

    @Test
    void anotherFormatIsRefused() {
        byte[] other = "PK\u0003\u0004 this is a zip, not a checkpoint".getBytes();
        String m = assertThrows(CheckpointException.class, () -> read(other)).getMessage();
        assertEquals("x.spck is not a scorepipe checkpoint (wrong magic bytes)", m);
    }

    @Test
    void aNewerFormatVersionIsRefusedByName() throws Exception {
        byte[] full = bytes(sample(5, 2));
        ByteBuffer.wrap(full).putInt(8, CheckpointFormat.VERSION + 1);
        String m = assertThrows(CheckpointException.class, () -> read(full)).getMessage();
        assertTrue(m.contains("format " + (CheckpointFormat.VERSION + 1)) && m.contains("newer"), m);
    }

    @Test
    void aHugeAnnouncedLengthIsRefusedBeforeAllocating() throws Exception {
        byte[] full = bytes(sample(5, 2));
        ByteBuffer.wrap(full).putLong(12, Long.MAX_VALUE / 2);
        String m = assertThrows(CheckpointException.class, () -> CheckpointFormat.read(new ByteArrayInputStream(full), "x.spck", -1))
                .getMessage();
        assertTrue(m.contains("truncated or corrupt"), m);
    }

    @Test
    void theStoreKeepsTheNewestAndFallsBackPastDamage(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir, 2, RUN);
        Checkpoint base = sample(10, 2);
        for (long step : new long[] {100, 200, 300}) {
            store.write(at(base, RUN, 1, step));
        }
        List<Path> files = store.files();
        assertEquals(2, files.size(), "keep 2");
        assertTrue(files.get(1).getFileName().toString().equals("ckpt-s001-k0000000300.spck"), files.toString());
        assertEquals(300, store.newestValid().orElseThrow().checkpoint().step());

        byte[] newest = Files.readAllBytes(files.get(1));
        newest[newest.length / 2] ^= 1;
        Files.write(files.get(1), newest);
        CheckpointStore.Found found = store.newestValid().orElseThrow();
        assertEquals(200, found.checkpoint().step(), "falls back to the newest valid one");
        assertEquals(1, found.skipped().size());
        assertTrue(found.skipped().get(0).contains("checksum"), found.skipped().toString());
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
        }
    }

    @Test
    void everyStageBoundaryIsKeptBesidesTheNewestWithinStages(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir, 1, RUN);
        Checkpoint base = sample(4, 2);
        long[][] positions = {{0, 0}, {0, 100}, {0, 200}, {1, 0}, {1, 50}, {1, 60}, {2, 0}};
        for (long[] p : positions) {
            store.write(at(base, RUN, (int) p[0], p[1]));
        }
        assertEquals(List.of("ckpt-s000-k0000000000.spck", "ckpt-s001-k0000000000.spck", "ckpt-s001-k0000000060.spck",
                "ckpt-s002-k0000000000.spck"), store.names(), "every boundary, and the newest checkpoint within a stage");
    }

    @Test
    void aForeignCheckpointIsRefusedByNameAndNeverDeleted(@TempDir Path dir) throws Exception {
        CheckpointStore mine = new CheckpointStore(dir, 1, RUN);
        Checkpoint base = sample(4, 2);
        mine.write(at(base, RUN, 1, 10));
        String other = "20261202T080000Z-ffff0000";
        new CheckpointStore(dir, 1, other).write(at(base, other, 1, 500));
        Path foreign = dir.resolve("ckpt-s001-k0000000500.spck");
        assertEquals(java.util.Optional.of(other), CheckpointFormat.peekRunId(Files.newInputStream(foreign)));

        CheckpointStore.Found found = mine.newestValid().orElseThrow();
        assertEquals(10, found.checkpoint().step(), "the newest checkpoint of this run, not the newer foreign one");
        assertEquals(1, found.skipped().size());
        assertTrue(found.skipped().get(0).contains(foreign.toString()) && found.skipped().get(0).contains("belongs to run " + other),
                found.skipped().toString());
        // This run's pruning keeps one checkpoint within stages of its own, and never touches the foreign file.
        mine.write(at(base, RUN, 1, 20));
        mine.write(at(base, RUN, 1, 30));
        assertEquals(List.of("ckpt-s001-k0000000030.spck", "ckpt-s001-k0000000500.spck"), mine.names());
    }

    /** Format 3 carries the particles' rows by key path, each array to the bit, NaN (a fresh row) included. */
    @Test
    void rowsRoundTripBitForBit() throws Exception {
        Checkpoint c = sample(5, 2);
        double[] rows = new double[5 * 4];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i % 3 == 0 ? Double.NaN : Math.cos(i) * 1e-300;
        }
        Checkpoint withRows = new Checkpoint(c.runId(), c.pipeline(), c.seed(), c.noiseGenerator(), c.config(), c.stageNames(),
                c.stageHashes(), c.stage(), c.step(), c.stageStartTime(), c.stageStartMaxAbs(), c.time(), c.n(), c.dimension(),
                c.firstIndex(), c.particles(), c.states(), Map.of("stages.sample.predictor", rows, "components.other", new double[5]),
                c.metrics());
        Checkpoint back = read(bytes(withRows));
        assertEquals(List.of("components.other", "stages.sample.predictor"), List.copyOf(back.rows().keySet()));
        assertArrayEquals(rows, back.rows().get("stages.sample.predictor"));
        assertArrayEquals(new double[5], back.rows().get("components.other"));
        assertArrayEquals(c.particles(), back.particles());
        IllegalArgumentException torn = assertThrows(IllegalArgumentException.class, () -> new Checkpoint(c.runId(), c.pipeline(),
                c.seed(), c.noiseGenerator(), c.config(), c.stageNames(), c.stageHashes(), c.stage(), c.step(), c.stageStartTime(),
                c.stageStartMaxAbs(), c.time(), c.n(), c.dimension(), c.firstIndex(), c.particles(), c.states(),
                Map.of("stages.sample.predictor", new double[7]), c.metrics()));
        assertTrue(torn.getMessage().contains("no whole number of rows for 5 particles"), torn.getMessage());
    }

    /** A format 2 file (no rows section) still reads: its particles carry no rows. */
    @Test
    void aFormat2FileReadsWithoutRows() throws Exception {
        Checkpoint c = sample(5, 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointFormat.write(CheckpointFormat.Metadata.of(c), c.particles(), out, 2);
        byte[] v2 = out.toByteArray();
        assertEquals(2, ByteBuffer.wrap(v2).getInt(8));
        Checkpoint back = read(v2);
        assertTrue(back.rows().isEmpty());
        assertArrayEquals(c.particles(), back.particles());
        assertArrayEquals(new byte[] {1, 2, 3}, back.states().get("stages.sample.corrector"));
        assertEquals(c.metrics(), back.metrics());
    }

    @Test
    void anOlderFormatVersionIsRefusedByName() throws Exception {
        byte[] full = bytes(sample(5, 2));
        ByteBuffer.wrap(full).putInt(8, 1);
        String m = assertThrows(CheckpointException.class, () -> read(full)).getMessage();
        assertTrue(m.contains("format 1") && m.contains("older") && m.contains("format " + CheckpointFormat.VERSION), m);
    }

    /** Replaces the trailing CRC32C so that a crafted payload passes the checksum, as a deliberate forgery would. */
    static byte[] withValidChecksum(byte[] file) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(file, 20, file.length - 24);
        ByteBuffer.wrap(file).putInt(file.length - 4, (int) crc.getValue());
        return file;
    }

    @Test
    void aStringClaimingGigabytesIsRefusedBeforeAllocating() throws Exception {
        Checkpoint c = sample(5, 2);
        byte[] file = bytes(c);
        // header 20, metadata length 4, then run id, pipeline name (length and bytes each), seed, generator, config
        int config = 24 + 4 + c.runId().length() + 4 + c.pipeline().length() + 8 + 4 + c.noiseGenerator().length();
        assertEquals(c.config().length(), readKryoInt(file, config), "the offset points at the config's length");
        byte[] kryoMax = new byte[4];
        com.esotericsoftware.kryo.kryo5.io.Output out = new com.esotericsoftware.kryo.kryo5.io.Output(kryoMax);
        out.writeInt(Integer.MAX_VALUE);
        System.arraycopy(kryoMax, 0, file, config, 4);
        String m = assertThrows(CheckpointException.class, () -> read(withValidChecksum(file))).getMessage();
        assertTrue(m.contains("corrupt") && m.contains("exceeds the metadata"), m);
    }

    private static int readKryoInt(byte[] file, int offset) {
        return new com.esotericsoftware.kryo.kryo5.io.Input(file, offset, 4).readInt();
    }

    @Test
    void craftedPositionsAndMetricsAreRefused() throws Exception {
        Checkpoint c = sample(3, 2);
        CheckpointFormat.Metadata good = CheckpointFormat.Metadata.of(c);
        List<CheckpointFormat.Metadata> crafted = List.of(
                withPosition(good, -1, 0, 0, good.metrics()),
                withPosition(good, 99, 0, 0, good.metrics()),
                withPosition(good, 2, 7, 0, good.metrics()),      // steps into a stage after the last
                withPosition(good, 1, -3, 0, good.metrics()),
                withPosition(good, 1, 0, -1, good.metrics()),
                withPosition(good, 1, 0, 0, "[1, 2]"),
                withPosition(good, 1, 0, 0, "{not json"));
        for (CheckpointFormat.Metadata m : crafted) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CheckpointFormat.write(m, c.particles(), out);
            String message = assertThrows(CheckpointException.class, () -> read(out.toByteArray()), m.toString()).getMessage();
            assertTrue(message.startsWith("x.spck is corrupt"), message);
        }
    }

    @Test
    void particlesNoCheckpointWouldHoldAreRefused() throws Exception {
        Checkpoint c = sample(3, 2);
        double scale = Health.bound(c.stageStartMaxAbs());
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -2 * scale}) {
            double[] x = c.particles().clone();
            x[4] = bad;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            CheckpointFormat.write(CheckpointFormat.Metadata.of(c), x, out);
            String message = assertThrows(CheckpointException.class, () -> read(out.toByteArray()), "x = " + bad).getMessage();
            assertTrue(message.contains("not finite, or far beyond"), message);
        }
        double[] x = c.particles().clone();
        x[4] = scale;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointFormat.write(CheckpointFormat.Metadata.of(c), x, out);
        assertEquals(scale, read(out.toByteArray()).particles()[4], "the bound itself is healthy");
    }

    private static CheckpointFormat.Metadata withPosition(CheckpointFormat.Metadata m, int stage, long step, long firstIndex,
            String metrics) {
        return new CheckpointFormat.Metadata(m.runId(), m.pipeline(), m.seed(), m.noiseGenerator(), m.config(), m.stageNames(),
                m.stageHashes(), stage, step, m.stageStartTime(), m.stageStartMaxAbs(), m.time(), m.n(), m.dimension(),
                firstIndex, m.states(), metrics);
    }
}
