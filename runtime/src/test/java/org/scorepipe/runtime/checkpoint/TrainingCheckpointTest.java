package org.scorepipe.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A training checkpoint reads back as written; one cut short or damaged anywhere is refused naming
 * the file; one written for another config names the key that differs, among those training reads.
 */
class TrainingCheckpointTest {
    private static final String CONFIG = """
            pipeline: {name: t, seed: 7, particles: 100, dimension: 2}
            components:
              data: {type: gaussian, mean: [0.0, 0.0]}
              path: {type: ornstein-uhlenbeck}
            train: {steps: 600, batch: 256, checkpoint-every: 100}
            stages:
              - {name: init, type: init}
            """;

    @TempDir
    Path dir;

    private Path written() throws Exception {
        Path file = TrainingCheckpoint.in(dir);
        new TrainingCheckpoint(200, 600, false, CONFIG, new byte[] {1, 2, 3, 4, 5}).write(file);
        return file;
    }

    @Test
    void readsBackWhatItWroteUnderItsNameAndLeavesNoTemporaryFile() throws Exception {
        Path file = written();
        assertEquals(dir.resolve("checkpoints/train.sptrain"), file);
        assertEquals(new TrainingCheckpoint(200, 600, false, CONFIG, new byte[] {1, 2, 3, 4, 5}), TrainingCheckpoint.read(file));
        try (var files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /** Every length short of the whole file: none of them reads as a checkpoint. */
    @Test
    void aTruncatedCheckpointIsRefusedNamingTheFile() throws Exception {
        Path file = written();
        byte[] whole = Files.readAllBytes(file);
        for (int length = 0; length < whole.length; length++) {
            Files.write(file, Arrays.copyOf(whole, length));
            CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file), "length " + length);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(length < 8 ? "not a scorepipe training checkpoint" : "truncated"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {12, 25, 40, 100, -5, -1})
    void aFlippedByteIsRefused(int at) throws Exception {
        Path file = written();
        byte[] bytes = Files.readAllBytes(file);
        int i = at < 0 ? bytes.length + at : at;
        bytes[i] ^= 0x10;
        Files.write(file, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TrainingCheckpoint.read(file));
        assertTrue(e.getMessage().startsWith(file + " is "), e.getMessage());
    }

    @Test
    void anotherConfigIsNamedByTheKeysThatDifferAndOnlyKeysTrainingReadsCount() throws Exception {
        TrainingCheckpoint c = TrainingCheckpoint.read(written());
        assertEquals(List.of(), c.differences(CONFIG));
        // what training does not read: the stages, the pipeline's name and particles, how often it checkpoints
        assertEquals(List.of(), c.differences(CONFIG.replace("checkpoint-every: 100", "checkpoint-every: 50")
                .replace("{name: init, type: init}", "{name: start, type: init}").replace("particles: 100", "particles: 5")
                .replace("name: t,", "name: u,")));
        assertEquals(List.of("train.batch: 256 -> 512"), c.differences(CONFIG.replace("batch: 256", "batch: 512")));
        assertEquals(List.of("pipeline.seed: 7 -> 8"), c.differences(CONFIG.replace("seed: 7", "seed: 8")));
        assertEquals(List.of("components.path.type: ornstein-uhlenbeck -> variance-exploding"),
                c.differences(CONFIG.replace("ornstein-uhlenbeck", "variance-exploding")));
        assertEquals(List.of("train.ema: (absent) -> 0.999"), c.differences(CONFIG.replace("batch: 256", "batch: 256, ema: 0.999")));
    }
}
