package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.api.StageSpec;
import org.scorepipe.runtime.noise.PhiloxNoise;

class SaveStageTest {

    @Test
    void savesTheWholeEnsembleUnderTheFileName() {
        RunOutputs outputs = mock(RunOutputs.class);
        SaveStage stage = new SaveStage(new SaveStage.Params("final.npy"), new StageSpec("out", 4), outputs);
        assertTrue(stage.wholeEnsemble());
        assertEquals(1, stage.steps());
        Particles particles = new Particles(3, 2);
        stage.step(0, particles.all(), PhiloxNoise.of(1L, 4, 0));
        verify(outputs).saveSamples("out", "final.npy", particles);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "samples.csv", "samples", ".npy", "runs/samples.npy", "..\\samples.npy", "/tmp/x.npy"})
    void refusesFileNamesThatAreNotPlainNpyNames(String file) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SaveStage.Params(file));
        assertTrue(e.getMessage().contains("file"), e.getMessage());
    }

    @Test
    void refusesAMissingFileName() {
        assertThrows(IllegalArgumentException.class, () -> new SaveStage.Params(null));
    }
}
