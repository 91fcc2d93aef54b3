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
        return new Checkpoint("p", -5L, "gen/v1", "pipeline: {name: p}\n", List.of("init", "sample"), List.of("aa", "bb"), 1,
                42, 0.75, 0.5, n, d, 1000L, x, Map.of("stages.sample.corrector", new byte[] {1, 2, 3}), "{\"stages\": []}");
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
        assertEquals(c.pipeline(), back.pipeline());
        assertEquals(c.seed(), back.seed());
        assertEquals(c.noiseGenerator(), back.noiseGenerator());
        assertEquals(c.config(), back.config());
        assertEquals(c.stageNames(), back.stageNames());
        assertEquals(c.stageHashes(), back.stageHashes());
        assertEquals(c.stage(), back.stage());
        assertEquals(c.step(), back.step());
        assertEquals(c.stageStartTime(), back.stageStartTime());
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
        CheckpointStore store = new CheckpointStore(dir, 2);
        Checkpoint base = sample(10, 2);
        for (long step : new long[] {100, 200, 300}) {
            store.write(new Checkpoint(base.pipeline(), base.seed(), base.noiseGenerator(), base.config(), base.stageNames(),
                    base.stageHashes(), 1, step, 0, 0, 10, 2, 0, base.particles(), Map.of(), "{}"));
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
}
