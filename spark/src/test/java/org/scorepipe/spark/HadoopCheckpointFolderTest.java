package org.scorepipe.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointStore;

/** A checkpoint store on Hadoop's file:// file system reads and writes the very files of a local one. */
class HadoopCheckpointFolderTest {
    private static final String RUN = "20261202T070000Z-12345678";

    @TempDir
    Path dir;

    private static Checkpoint at(long step, double value) {
        return new Checkpoint(RUN, "p", 7, "gen", "pipeline: {}", List.of("a"), List.of("h"), 0, step, 0.0, 1.0, 0.5, 3, 2, 10,
                new double[] {value, 1, 2, 3, 4, -0.0}, Map.of("stages.a", new byte[] {1, 2}), "{}");
    }

    @Test
    void writesAtomicallyPrunesAndReadsWhatTheLocalStoreReads() throws IOException {
        CheckpointStore hadoop = new CheckpointStore(new HadoopCheckpointFolder(dir.toUri().toString(), new Configuration()), 2, RUN);
        hadoop.save(at(100, 0.25));
        hadoop.save(at(200, 0.5));
        String newest = hadoop.save(at(300, 0.75));
        assertTrue(newest.endsWith("ckpt-s000-k0000000300.spck"), newest);
        try (var files = Files.list(dir)) {
            // two kept, no temporary or .crc side files
            assertEquals(List.of("ckpt-s000-k0000000200.spck", "ckpt-s000-k0000000300.spck"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        CheckpointStore local = new CheckpointStore(dir, 2, RUN);
        Checkpoint read = local.newestValid().orElseThrow().checkpoint();
        assertEquals(300, read.step());
        assertArrayEquals(new double[] {0.75, 1, 2, 3, 4, -0.0}, read.particles());
        assertEquals(10, read.firstIndex());

        // and the reverse: a locally written newest file, read through Hadoop
        local.save(at(400, 1.5));
        Checkpoint back = hadoop.newestValid().orElseThrow().checkpoint();
        assertEquals(400, back.step());
        assertArrayEquals(new double[] {1.5, 1, 2, 3, 4, -0.0}, back.particles());
        assertArrayEquals(new byte[] {1, 2}, back.states().get("stages.a"));
    }

    @Test
    void aDamagedNewestFileFallsBackToTheOneBefore() throws IOException {
        CheckpointStore hadoop = new CheckpointStore(new HadoopCheckpointFolder(dir.toUri().toString(), new Configuration()), 3, RUN);
        hadoop.save(at(100, 0.25));
        hadoop.save(at(200, 0.5));
        Path newest = dir.resolve("ckpt-s000-k0000000200.spck");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length - 9] ^= 1;
        Files.write(newest, bytes);
        CheckpointStore.Found found = hadoop.newestValid().orElseThrow();
        assertEquals(100, found.checkpoint().step());
        assertEquals(1, found.skipped().size());
    }

    @Test
    void aCheckpointOfTheSameNameIsReplacedInOneRename() throws IOException {
        CheckpointStore hadoop = new CheckpointStore(new HadoopCheckpointFolder(dir.toUri().toString(), new Configuration()), 2, RUN);
        hadoop.save(at(100, 0.25));
        hadoop.save(at(100, 0.5));
        Checkpoint back = hadoop.newestValid().orElseThrow().checkpoint();
        assertArrayEquals(new double[] {0.5, 1, 2, 3, 4, -0.0}, back.particles());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("ckpt-s000-k0000000100.spck"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void anAbsentFolderHoldsNoCheckpoint() throws IOException {
        CheckpointStore hadoop = new CheckpointStore(new HadoopCheckpointFolder(dir.resolve("none").toUri().toString(),
                new Configuration()), 3, RUN);
        assertTrue(hadoop.newestValid().isEmpty());
        assertTrue(hadoop.newest().isEmpty());
    }
}
