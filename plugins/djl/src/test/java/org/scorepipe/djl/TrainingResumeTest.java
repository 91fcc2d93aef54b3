package org.scorepipe.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Trainer;
import org.scorepipe.onnx.MlpWeights;
import org.scorepipe.onnx.ScoreOutput;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * A training continued from one of its checkpoints, in a new trainer (as after a kill), takes the
 * uninterrupted training's path bit for bit: the same losses at every step, the same held-out losses,
 * the same weights (weight average and skip included); and a training state that is not one is refused.
 */
class TrainingResumeTest {
    private static final int STEPS = 240;

    @TempDir
    Path dir;

    private static DenoisingScoreMatching trainer() {
        DenoisingScoreMatching.Settings settings = new DenoisingScoreMatching.Settings(new int[] {16, 16},
                MlpWeights.Activation.SILU, ScoreOutput.EPSILON, STEPS, 128, 2e-3, 1e-3, 1.0, 1).withEma(0.99)
                .withSkip(DenoisingScoreMatching.Skip.GAUSSIAN, 1000).withCheckpointEvery(80);
        return new DenoisingScoreMatching(settings, LearnedScoresTest.mixture(), LearnedScoresTest.OU, "ornstein-uhlenbeck");
    }

    private static DenoisingScoreMatching.Result train(Path out, Optional<Trainer.State> resume, List<Trainer.State> checkpoints) {
        PhiloxNoise noise = new PhiloxNoise(5);
        PhiloxNoise heldOut = new PhiloxNoise(5);
        heldOut.position(1, 0);
        return trainer().train(k -> {
            noise.position(0, k);
            return noise;
        }, () -> heldOut, 5, out, false, (step, steps, loss) -> { }, resume, checkpoints::add);
    }

    @Test
    void aTrainingContinuedFromItsCheckpointEndsWithTheUninterruptedWeightsBitForBit() throws Exception {
        List<Trainer.State> checkpoints = new ArrayList<>();
        DenoisingScoreMatching.Result whole = train(Files.createDirectories(dir.resolve("whole")), Optional.empty(), checkpoints);
        assertEquals(List.of(80, 160), checkpoints.stream().map(Trainer.State::step).toList(), "every 80 steps, not at the end");

        // a new trainer (new network, optimiser, average) from the first checkpoint, the ones after it ignored
        DenoisingScoreMatching.Result resumed = train(Files.createDirectories(dir.resolve("resumed")),
                Optional.of(checkpoints.get(0)), new ArrayList<>());
        assertEquals(whole.finalLoss(), resumed.finalLoss());
        for (int i = 0; i < whole.weights().layers().size(); i++) {
            assertArrayEquals(whole.weights().layers().get(i).weight(), resumed.weights().layers().get(i).weight(), "layer " + i);
            assertArrayEquals(whole.weights().layers().get(i).bias(), resumed.weights().layers().get(i).bias(), "layer " + i);
        }
        assertArrayEquals(Files.readAllBytes(whole.model().resolve("score-mlp-0000.params")),
                Files.readAllBytes(resumed.model().resolve("score-mlp-0000.params")));
        List<String> curve = Files.readAllLines(dir.resolve("whole/loss.csv"));
        assertEquals(curve, Files.readAllLines(dir.resolve("resumed/loss.csv")), "the same losses, held-out ones included");
        assertEquals("step,loss,held-out-loss", curve.get(0));
        assertEquals(STEPS + 1, curve.size());
        assertTrue(curve.get(100).matches("100,[0-9.eE-]+,[0-9.eE-]+"), curve.get(100));
        assertTrue(curve.get(99).matches("99,[0-9.eE-]+,"), "held out every 100 steps: " + curve.get(99));
    }

    @Test
    void aTrainingStateOfAnotherFormatOrTruncatedIsRefused() throws Exception {
        List<Trainer.State> checkpoints = new ArrayList<>();
        train(dir, Optional.empty(), checkpoints);
        Trainer.State state = checkpoints.get(0);
        byte[] cut = java.util.Arrays.copyOf(state.bytes(), state.bytes().length / 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(dir, Optional.of(new Trainer.State(80, STEPS, cut)), new ArrayList<>()));
        assertTrue(e.getMessage().contains("training state is"), e.getMessage());
        java.io.ByteArrayOutputStream other = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(other)) {
            out.writeUTF("scorepipe-dsm-state/0");
            out.writeInt(80);
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> train(dir, Optional.of(new Trainer.State(80, STEPS, other.toByteArray())), new ArrayList<>()));
        assertTrue(e.getMessage().contains("format 'scorepipe-dsm-state/0', this trainer reads scorepipe-dsm-state/1"),
                e.getMessage());
    }
}
